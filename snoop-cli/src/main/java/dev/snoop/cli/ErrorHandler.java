package dev.snoop.cli;

import dev.snoop.core.SnoopException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failure during a command into one line on stderr and an exit code. picocli's default
 * rethrows, which would print a stack trace; users get one only with {@code --debug}.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        boolean debug = SnoopCommand.debugRequested(parseResult);
        // the command's own name, as usage errors have it: "snoop diff: a.json: no such file"
        String name = cmd.getCommandSpec().qualifiedName();
        if (ex instanceof SnoopException) {
            err.println(name + ": " + ex.getMessage());
        } else {
            err.println(name + ": internal error: " + ex + (debug ? "" : " (run with --debug for details)"));
        }
        if (debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        Object command = cmd.getCommand();
        return command instanceof HasFailureExitCode c ? c.failureExitCode() : ExitCodes.FAILURE;
    }
}

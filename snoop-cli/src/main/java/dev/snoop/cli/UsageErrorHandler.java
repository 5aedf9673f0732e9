package dev.snoop.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * picocli's "short error message" handler: the problem, suggestions, and where to find help. Its
 * messages are made to read as snoop's own (lower-case first word, as every snoop message), and a
 * mistyped command is named as such rather than as an "unmatched argument".
 */
final class UsageErrorHandler implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": " + message(ex));
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.printf("Try '%s --help' for more information.%n", name);
        err.flush();
        return ExitCodes.USAGE;
    }

    static String message(ParameterException ex) {
        CommandLine cmd = ex.getCommandLine();
        if (ex instanceof UnmatchedArgumentException unmatched && !cmd.getSubcommands().isEmpty()
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            return "'" + unmatched.getUnmatched().get(0) + "' is not a " + cmd.getCommandSpec().qualifiedName() + " command";
        }
        return lowerFirst(ex.getMessage());
    }

    /** "Missing required ..." becomes "missing required ...", "OLD ..." stays. */
    static String lowerFirst(String message) {
        if (message == null || message.length() < 2 || !Character.isUpperCase(message.charAt(0))
                || !Character.isLowerCase(message.charAt(1))) {
            return message;
        }
        return Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }
}

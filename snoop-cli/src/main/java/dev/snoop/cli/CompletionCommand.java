package dev.snoop.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code snoop completion}: prints the shell completion script. */
@Command(
        name = "completion",
        mixinStandardHelpOptions = true,
        versionProvider = SnoopCommand.ManifestVersionProvider.class,
        description = "Print a completion script for bash or zsh.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  source <(snoop completion bash)",
            "  snoop completion zsh > \"${fpath[1]}/_snoop\"",
        },
        exitCodeListHeading = "%nExit Codes:%n",
        exitCodeList = {"0:success", "2:usage error: an unknown shell"})
final class CompletionCommand implements Callable<Integer> {
    enum Shell { bash, zsh }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(script(spec.root().commandLine(), shell));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /**
     * picocli's script serves both shells (under zsh it loads bashcompinit); zsh's copy adds the
     * {@code #compdef} line that lets it live in {@code $fpath} as {@code _snoop}.
     */
    static String script(CommandLine root, Shell shell) {
        String bash = AutoComplete.bash("snoop", root);
        return shell == Shell.zsh ? "#compdef snoop\n" + bash : bash;
    }
}

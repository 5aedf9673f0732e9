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
            "  echo 'source <(snoop completion zsh)' >> ~/.zshrc",
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
     * picocli's script serves both shells: under zsh it loads {@code bashcompinit} and registers
     * itself the same way, so it is sourced rather than installed in {@code $fpath}.
     */
    static String script(CommandLine root, Shell shell) {
        return AutoComplete.bash("snoop", root);
    }
}

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
     * zsh gets picocli's bash script behind a short prologue: the script completes in zsh through
     * {@code bashcompinit} (which it loads, and {@code compinit} first if that has not run), so it is
     * sourced from {@code ~/.zshrc} rather than installed in {@code $fpath} as a {@code _snoop}
     * function. The prologue refuses to run in another shell, where the bash script's zsh branch
     * would silently not apply.
     */
    static String script(CommandLine root, Shell shell) {
        String bash = AutoComplete.bash("snoop", root);
        return shell == Shell.zsh ? ZSH_PROLOGUE + bash : bash;
    }

    private static final String ZSH_PROLOGUE = """
            # snoop completion for zsh: snoop's bash completion, run by zsh's bashcompinit.
            # Load it from ~/.zshrc:  source <(snoop completion zsh)
            # (the package installs it as /usr/share/snoop/completion.zsh; source that instead)
            if [ -z "$ZSH_VERSION" ]; then
              echo "snoop completion zsh: this script is for zsh; for bash use: snoop completion bash" >&2
              return 1 2>/dev/null || exit 1
            fi

            """;
}

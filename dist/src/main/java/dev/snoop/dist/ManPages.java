package dev.snoop.dist;

import dev.snoop.cli.Main;
import java.io.File;
import java.io.IOException;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the AsciiDoc source of a man page per command ({@code snoop.adoc}, {@code snoop-diff.adoc},
 * ...) with picocli's generator, from the model that prints {@code --help}, so the two cannot
 * disagree. asciidoctor's manpage backend turns them into roff at build time (see pom.xml).
 */
public final class ManPages {
    private ManPages() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ManPages OUTPUT_DIR");
        }
        CommandLine snoop = Main.documentedCommands();
        // the help command has no page of its own: 'man snoop' covers it
        snoop.getSubcommands().get("help").getCommandSpec().usageMessage().hidden(true);
        File outdir = new File(args[0]);
        if (!outdir.isDirectory() && !outdir.mkdirs()) {
            throw new IOException(outdir + ": cannot create the directory");
        }
        int code = ManPageGenerator.generateManPage(outdir, null, new boolean[0], true, snoop.getCommandSpec());
        if (code != CommandLine.ExitCode.OK) {
            throw new IllegalStateException("picocli's man page generator failed with exit code " + code);
        }
    }
}

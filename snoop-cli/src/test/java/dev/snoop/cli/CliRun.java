package dev.snoop.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** One run of the CLI as a test sees it: exit code, stdout, stderr. */
record CliRun(int exitCode, String out, String err) {
    static CliRun run(String... args) {
        return runWithStdin("", args);
    }

    static CliRun runWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out), new PrintWriter(err), Terminals.none(), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    static Path write(Path dir, String name, String json) throws Exception {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
        return file;
    }

    /** A schema-1 report with one container named {@code app} holding {@code files}. */
    static String report(String image, String... files) {
        StringBuilder sb = new StringBuilder("{\"schema_version\": 1, \"total_events\": 10, \"containers\": [{\"name\": \"app\"");
        if (image != null) {
            sb.append(", \"image_ref\": \"").append(image).append('"');
        }
        sb.append(", \"total_events\": 10, \"files\": [");
        for (int i = 0; i < files.length; i++) {
            sb.append(i == 0 ? "" : ", ").append('"').append(files[i]).append('"');
        }
        return sb.append("]}]}").toString();
    }
}

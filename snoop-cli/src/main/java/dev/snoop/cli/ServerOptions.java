package dev.snoop.cli;

import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --server URL} and {@code --token-file FILE}: where the reports of server references
 * ({@code serve:...}, docs/fleet.md#server-references) come from, authenticated as the sidecar
 * is: a token file (re-read on every request: projected tokens rotate), else {@code
 * SNOOP_API_TOKEN}.
 */
final class ServerOptions {
    static final String SERVER_ENV = "SNOOP_SERVER";
    static final String TOKEN_FILE_ENV = "SNOOP_API_TOKEN_FILE";
    static final String TOKEN_ENV = "SNOOP_API_TOKEN";

    @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:" + SERVER_ENV + "}",
            description = {"The snoop serve that server references (serve:NAMESPACE/WORKLOAD/CONTAINER@DIGEST) are read from, "
                    + "e.g. https://snoop.example.com.", "Env: " + SERVER_ENV + "."})
    String server;

    @Option(names = "--token-file", paramLabel = "FILE", defaultValue = "${env:" + TOKEN_FILE_ENV + "}",
            description = {"The bearer token for --server, read on every request; else " + TOKEN_ENV + ".",
                "Env: " + TOKEN_FILE_ENV + "."})
    Path tokenFile;

    /** Environment variables, replaceable by tests. */
    java.util.function.Function<String, String> env = System::getenv;

    /**
     * Checks the server references among {@code args} before anything is read: each must parse,
     * and if there is one, --server and a token must be given.
     *
     * @throws ParameterException (exit 2) naming what is missing or malformed
     */
    void check(CommandSpec spec, List<String> args) {
        boolean any = false;
        for (String arg : args) {
            if (ServerReports.isReference(arg)) {
                any = true;
                try {
                    ServerReports.Reference.parse(arg);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
            }
        }
        if (!any) {
            return;
        }
        if (server == null || server.isBlank()) {
            throw new ParameterException(spec.commandLine(), "a server reference needs --server URL (or " + SERVER_ENV + ")");
        }
        try {
            URI uri = new URI(server.strip());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(server, "not an http:// or https:// URL");
            }
        } catch (URISyntaxException e) {
            throw new ParameterException(spec.commandLine(), "--server: '" + server + "' is not an http:// or https:// URL");
        }
        if (tokenFile == null && blank(env.apply(TOKEN_ENV))) {
            throw new ParameterException(spec.commandLine(), "a server reference needs a token: --token-file FILE, "
                    + TOKEN_FILE_ENV + " or " + TOKEN_ENV);
        }
    }

    /** The server's base URL, without a trailing slash. */
    URI base() {
        String s = server.strip();
        return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    /** The token, read now: the file's first line, else the variable. */
    String token() {
        if (tokenFile != null && !tokenFile.toString().isEmpty()) {
            try {
                String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
                if (token.isEmpty()) {
                    throw new SnoopException(tokenFile + ": the token file is empty");
                }
                return token;
            } catch (NoSuchFileException e) {
                throw new SnoopException(tokenFile + ": no such token file");
            } catch (IOException e) {
                throw new SnoopException(tokenFile + ": cannot read the token file: " + e.getMessage(), e);
            }
        }
        String token = env.apply(TOKEN_ENV);
        if (blank(token)) {
            throw new SnoopException("no token: set --token-file, " + TOKEN_FILE_ENV + " or " + TOKEN_ENV);
        }
        return token.strip();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

package dev.snoop.cli;

import dev.snoop.record.ApiSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where {@code snoop record} delivers its report: {@code snoop serve}'s ingest endpoint and the
 * token. The token itself never comes from the command line, where {@code ps} would show it.
 */
final class DeliveryOptions {
    @Option(names = "--api-endpoint", paramLabel = "URL",
            description = {"Deliver the report to snoop serve at URL (http:// or https://, e.g. "
                    + "http://snoop-serve.snoop:8080/v1/reports) after every write; the written report is the outbox. "
                    + "The token comes from --api-token-file or the variable SNOOP_API_TOKEN (never from the command line).",
                "Env: SNOOP_API_ENDPOINT."})
    String apiEndpoint;

    @Option(names = "--api-token-file", paramLabel = "FILE",
            description = {"The bearer token for --api-endpoint, read again on every attempt (a projected "
                    + "service-account token rotates).", "Env: SNOOP_API_TOKEN_FILE."})
    Path apiTokenFile;

    /**
     * The delivery's settings, or null without --api-endpoint.
     *
     * @param token SNOOP_API_TOKEN, or null
     * @throws IllegalArgumentException with a one-line message naming the option
     */
    ApiSettings settings(String token) {
        if (apiEndpoint == null) {
            if (apiTokenFile != null || token != null) {
                throw new IllegalArgumentException("--api-token-file and SNOOP_API_TOKEN need --api-endpoint");
            }
            return null;
        }
        URI uri;
        try {
            uri = new URI(apiEndpoint.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--api-endpoint: '" + apiEndpoint + "' is not a URL: " + e.getReason());
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("--api-endpoint: '" + apiEndpoint + "' is not an http:// or https:// URL with a host");
        }
        if (apiTokenFile != null && !Files.isRegularFile(apiTokenFile)) {
            throw new IllegalArgumentException("--api-token-file " + apiTokenFile + ": no such file");
        }
        return ApiSettings.of(uri, apiTokenFile, apiTokenFile == null ? token : null);
    }
}

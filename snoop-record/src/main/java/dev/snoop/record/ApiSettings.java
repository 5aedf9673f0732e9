package dev.snoop.record;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and how {@code snoop record} delivers its report to {@code snoop serve}.
 *
 * @param endpoint the reports URL, e.g. {@code http://snoop-serve.snoop:8080/v1/reports}
 * @param tokenFile read on every attempt (a projected token rotates), or null
 * @param token used when there is no token file, or null for none
 * @param finalDelivery how long the last delivery on stop may take
 */
public record ApiSettings(URI endpoint, Path tokenFile, String token, Duration backoffBase, Duration backoffCap,
        Duration requestTimeout, Duration finalDelivery) {
    /**
     * The defaults: backoff from 1 s to 5 min, 30 s a request, 3 s for the last delivery (a stop
     * within 5 s, far inside Kubernetes' 30 s grace period).
     */
    public static ApiSettings of(URI endpoint, Path tokenFile, String token) {
        return new ApiSettings(endpoint, tokenFile, token, Duration.ofSeconds(1), Duration.ofMinutes(5),
                Duration.ofSeconds(30), Duration.ofSeconds(3));
    }

    /** Never the token itself: records print their components. */
    @Override
    public String toString() {
        return "ApiSettings[endpoint=" + endpoint + ", tokenFile=" + tokenFile + ", token=" + (token == null ? "none" : "set") + "]";
    }
}

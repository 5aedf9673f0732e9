package dev.snoop.record;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.GZIPOutputStream;

/**
 * Sends the report to {@code snoop serve} ({@code --api-endpoint}). The written report is the
 * outbox: it survives a restart, and since a recording only grows, the newest report supersedes
 * every older one that was not delivered, so nothing is ever dropped for want of queue space and
 * there is no queue. One thread sends; the recorder only says that a new report is on disk.
 *
 * <p>Network errors, 408, 429 and 5xx are retried with exponential backoff and full jitter (never
 * sooner than a {@code Retry-After}); a new report does not cut a backoff short. 401 re-reads the
 * token and tries once more. 400, 403, 413 and 422 are not retried: the report is logged as
 * rejected and the next written report is tried. The token is re-read from its file on every
 * attempt (projected service-account tokens rotate) and is never logged.
 */
final class ApiDelivery implements AutoCloseable {
    private enum Outcome { DELIVERED, RETRY, UNAUTHORIZED, REJECTED }

    private final ApiSettings settings;
    private final Path report;
    private final Log log;
    private final Random random;
    private final HttpClient client;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread sender;
    private final Counter delivered;
    private final Counter retried;
    private final Counter rejected;
    private final Counter sentBytes;
    // guarded by lock
    private long writtenVersion;
    private long writtenFiles;
    private long deliveredVersion;
    private long deliveredFiles;
    private long rejectedVersion;
    private boolean finishing;
    private boolean closed;
    private volatile long lastSuccessEpochSecond;
    private volatile Duration retryAfter;

    ApiDelivery(ApiSettings settings, Path report, Log log, MeterRegistry registry, Random random) {
        this.settings = settings;
        this.report = report;
        this.log = log;
        this.random = random;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect would carry the token elsewhere
                .build();
        this.delivered = Counter.builder("snoop.api.deliveries").tag("result", "delivered")
                .description("Attempts to send the report to snoop serve, by result").register(registry);
        this.retried = Counter.builder("snoop.api.deliveries").tag("result", "retried").register(registry);
        this.rejected = Counter.builder("snoop.api.deliveries").tag("result", "rejected").register(registry);
        this.sentBytes = Counter.builder("snoop.api.sent.bytes").baseUnit("bytes")
                .description("Compressed report bytes sent to snoop serve").register(registry);
        Gauge.builder("snoop.api.undelivered.files", this, ApiDelivery::undeliveredFiles)
                .description("Files of the newest written report that snoop serve has not acknowledged").register(registry);
        Gauge.builder("snoop.api.last.success", this, d -> d.lastSuccessEpochSecond)
                .description("When snoop serve last acknowledged a report (Unix time; 0: never)").baseUnit("seconds")
                .register(registry);
        this.sender = new Thread(this::sendLoop, "snoop-api");
        sender.setDaemon(true);
        sender.start();
    }

    /** A new report with {@code files} files is on disk: it supersedes any not yet delivered. */
    void reportWritten(long files) {
        lock.lock();
        try {
            writtenVersion++;
            writtenFiles = files;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The last delivery, on stop: sends the newest report now, once, without waiting out a backoff
     * (a 401 gets its one retry with the token read again), and gives up at {@code deadline}. True
     * if snoop serve has the newest report.
     */
    boolean finish(Instant deadline) throws InterruptedException {
        lock.lock();
        try {
            finishing = true;
            changed.signalAll();
            while (deliveredVersion < writtenVersion && rejectedVersion < writtenVersion && sender.isAlive()) {
                long wait = Duration.between(Instant.now(), deadline).toNanos();
                if (wait <= 0 || changed.awaitNanos(wait) <= 0 && Instant.now().isAfter(deadline)) {
                    break;
                }
            }
            return deliveredVersion == writtenVersion;
        } finally {
            lock.unlock();
        }
    }

    long undeliveredFiles() {
        lock.lock();
        try {
            return Math.max(0, writtenFiles - deliveredFiles);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        sender.interrupt();
    }

    private void sendLoop() {
        int attempt = 0;
        boolean reauthorized = false;
        try {
            while (true) {
                long version = awaitWork();
                if (version < 0) {
                    return;
                }
                Outcome outcome = send(version);
                if (isFinishing() && outcome != Outcome.DELIVERED && outcome != Outcome.UNAUTHORIZED) {
                    return; // stopping: one last attempt, not a retry loop against a server that is down
                }
                switch (outcome) {
                    case DELIVERED -> {
                        attempt = 0;
                        reauthorized = false;
                    }
                    case UNAUTHORIZED -> {
                        if (!reauthorized) {
                            reauthorized = true; // the token file may have rotated: read it again, once
                        } else {
                            markRejected(version);
                            reauthorized = false;
                        }
                    }
                    case REJECTED -> markRejected(version);
                    case RETRY -> backoff(attempt++);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean isFinishing() {
        lock.lock();
        try {
            return finishing;
        } finally {
            lock.unlock();
        }
    }

    /** The version to send next, once there is one; -1 when closed. */
    private long awaitWork() throws InterruptedException {
        lock.lock();
        try {
            while (!closed && (writtenVersion == deliveredVersion || writtenVersion == rejectedVersion)) {
                changed.await();
            }
            return closed ? -1 : writtenVersion;
        } finally {
            lock.unlock();
        }
    }

    /** Waits before retry {@code attempt}; a stop cuts it short, a new report does not. */
    private void backoff(int attempt) throws InterruptedException {
        double ceiling = Math.min(settings.backoffCap().toMillis(),
                settings.backoffBase().toMillis() * Math.pow(2, Math.min(attempt, 30)));
        long millis = (long) (random.nextDouble() * ceiling);
        Duration after = retryAfter;
        if (after != null) {
            // the server knows its load: at least what it asks, up to an hour (a typo is not a week)
            millis = Math.max(millis, Math.min(after.toMillis(), TimeUnit.HOURS.toMillis(1)));
        }
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            while (!closed && !finishing) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private void markRejected(long version) {
        lock.lock();
        try {
            rejectedVersion = version;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private Outcome send(long version) throws InterruptedException {
        retryAfter = null;
        byte[] body;
        long files;
        lock.lock();
        try {
            files = writtenFiles;
        } finally {
            lock.unlock();
        }
        try {
            body = gzip(Files.readAllBytes(report));
        } catch (IOException e) {
            log.warn("report not sent: cannot read it", "report", report, "error", e.getMessage());
            retried.increment();
            return Outcome.RETRY;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.endpoint())
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        String token = token();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        int status;
        try {
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            status = response.statusCode();
            retryAfter = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), Instant.now());
        } catch (IOException e) {
            log.warn("report not delivered, will retry", "endpoint", settings.endpoint(), "error", e.toString());
            retried.increment();
            return Outcome.RETRY;
        }
        sentBytes.increment(body.length);
        if (status >= 200 && status < 300) {
            lock.lock();
            try {
                deliveredVersion = Math.max(deliveredVersion, version);
                deliveredFiles = files;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            lastSuccessEpochSecond = Instant.now().getEpochSecond();
            delivered.increment();
            return Outcome.DELIVERED;
        }
        if (status == 408 || status == 429 || status >= 500) {
            log.warn("report not delivered, will retry", "endpoint", settings.endpoint(), "status", status,
                    "retry_after", retryAfter);
            retried.increment();
            return Outcome.RETRY;
        }
        rejected.increment();
        if (status == 401) {
            log.warn("report not delivered: unauthorized (the token is read again once)", "endpoint", settings.endpoint());
            return Outcome.UNAUTHORIZED;
        }
        log.error("report rejected by snoop serve; the next report will be sent", "endpoint", settings.endpoint(),
                "status", status, "reason", status == 413 ? "too large for the server" : null);
        return Outcome.REJECTED;
    }

    /** The bearer token: the file's content, trimmed, read now; else the fixed one; else none. */
    private String token() {
        if (settings.tokenFile() != null) {
            try {
                String token = Files.readString(settings.tokenFile()).trim();
                return token.isEmpty() ? null : token;
            } catch (IOException e) {
                log.warn("token file unreadable; sending without a token", "file", settings.tokenFile(), "error", e.getMessage());
                return null;
            }
        }
        return settings.token();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length / 8));
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}

package dev.snoop.record;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import dev.snoop.core.SnoopException;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

/**
 * Sends the report to {@code snoop serve} ({@code --api-endpoint}). The written report is the
 * outbox: it survives a restart, and since a recording only grows, the newest report supersedes
 * every older one that was not delivered, so nothing is ever dropped for want of queue space and
 * there is no queue. One thread sends; the recorder only says that a new report is on disk.
 *
 * <p>The first report after a start goes in full; once one is acknowledged, only what is new since
 * goes, with the checksum of the whole set ({@link Acknowledged}); a 409 asking for a resync sends
 * the full report at once. A 413 sends the report in parts of half as many files, at once.
 *
 * <p>Network errors, 408, 429 and 5xx are retried with exponential backoff and full jitter (never
 * sooner than a {@code Retry-After}); a new report does not cut a backoff short. 401 re-reads the
 * token and tries once more. 400, 403, 422, and 413 for a single file, are not retried: the report
 * is logged as rejected and the next written report is tried. The token is re-read from its file on every
 * attempt (projected service-account tokens rotate) and is never logged.
 */
final class ApiDelivery implements AutoCloseable {
    /** The most of an answer read: snoop serve answers one short line. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private enum Outcome { DELIVERED, RETRY, UNAUTHORIZED, REJECTED, RESEND }

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
    private final Counter resynced;
    private final Counter split;
    private final Counter sentFullBytes;
    private final Counter sentDeltaBytes;
    // the sender thread's own
    private final Acknowledged acknowledged = new Acknowledged();
    private int maxFiles = Integer.MAX_VALUE;
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
        this.resynced = Counter.builder("snoop.api.deliveries").tag("result", "resync").register(registry);
        this.split = Counter.builder("snoop.api.deliveries").tag("result", "too_large").register(registry);
        this.sentFullBytes = Counter.builder("snoop.api.sent.bytes").tag("kind", "full").baseUnit("bytes")
                .description("Compressed report bytes sent to snoop serve, full reports or deltas").register(registry);
        this.sentDeltaBytes = Counter.builder("snoop.api.sent.bytes").tag("kind", "delta").baseUnit("bytes")
                .register(registry);
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

    /** Whether snoop serve has acknowledged the newest report written. */
    boolean upToDate() {
        lock.lock();
        try {
            return deliveredVersion == writtenVersion;
        } finally {
            lock.unlock();
        }
    }

    long undeliveredFiles() {
        lock.lock();
        try {
            return deliveredVersion == writtenVersion ? Math.max(0, writtenFiles - deliveredFiles)
                    : Math.max(0, writtenFiles - acknowledged.files());
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
                if (isFinishing() && outcome != Outcome.DELIVERED && outcome != Outcome.UNAUTHORIZED
                        && outcome != Outcome.RESEND) {
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
                    case RESEND -> { } // at once: a resync, or smaller parts after a 413
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
        long millis = backoffMillis(attempt, settings.backoffBase(), settings.backoffCap(), retryAfter, random.nextDouble());
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

    /**
     * The wait before retry {@code attempt} (0 for the first): full jitter, a uniform draw
     * ({@code uniform} in [0, 1)) below {@code base * 2^attempt}, that ceiling capped at {@code cap};
     * never less than the server's {@code Retry-After} (or null), itself held to an hour (a typo
     * is not a week). So however long snoop serve is down, a sidecar tries again at most
     * {@code cap} after its last try, and one that was turned away for a while comes back within
     * {@code cap} of the server's return.
     */
    static long backoffMillis(int attempt, Duration base, Duration cap, Duration retryAfter, double uniform) {
        double ceiling = Math.min(cap.toMillis(), base.toMillis() * Math.pow(2, Math.min(attempt, 30)));
        long millis = (long) (uniform * ceiling);
        if (retryAfter != null) {
            millis = Math.max(millis, Math.min(retryAfter.toMillis(), TimeUnit.HOURS.toMillis(1)));
        }
        return millis;
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
        long files;
        lock.lock();
        try {
            files = writtenFiles;
        } finally {
            lock.unlock();
        }
        Report current;
        try {
            current = ReportJson.read(ReportJson.readAllBytes(report), report.toString(), warning -> { });
        } catch (IOException | SnoopException e) {
            log.warn("report not sent: cannot read it", "report", report, "error", e.getMessage());
            retried.increment();
            return Outcome.RETRY;
        }
        for (Acknowledged.Part part : acknowledged.plan(current, maxFiles)) {
            Outcome outcome = send(part);
            if (outcome != Outcome.DELIVERED) {
                return outcome; // the parts acknowledged so far stay so: the next attempt sends the rest
            }
        }
        lock.lock();
        try {
            deliveredVersion = Math.max(deliveredVersion, version);
            deliveredFiles = files;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        lastSuccessEpochSecond = Instant.now().getEpochSecond();
        return Outcome.DELIVERED;
    }

    private Outcome send(Acknowledged.Part part) throws InterruptedException {
        retryAfter = null;
        byte[] body;
        try {
            body = Acknowledged.gzipBody(part);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no I/O on a byte array
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.endpoint())
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (part.header() != null) {
            request.header("Snoop-Delivery", part.header());
        }
        String token = token();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        int status;
        String answer;
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            retryAfter = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), Instant.now());
            try (InputStream in = response.body()) {
                answer = new String(in.readNBytes(MAX_ANSWER_BYTES), StandardCharsets.UTF_8); // one line of JSON
            }
        } catch (IOException e) {
            log.warn("report not delivered, will retry", "endpoint", settings.endpoint(), "error", e.toString());
            retried.increment();
            return Outcome.RETRY;
        }
        (part.kind() == Acknowledged.Kind.DELTA ? sentDeltaBytes : sentFullBytes).increment(body.length);
        if (status >= 200 && status < 300) {
            acknowledged.acknowledged(part);
            delivered.increment();
            return Outcome.DELIVERED;
        }
        if (status == 409 && part.header() != null && answer.contains("\"resync\": true")) {
            log.info("snoop serve has another set than the one acknowledged; sending the full report", "endpoint",
                    settings.endpoint());
            acknowledged.resync();
            resynced.increment();
            return Outcome.RESEND;
        }
        if (status == 413 && part.files() > 1) {
            maxFiles = part.files() / 2;
            log.warn("report too large for snoop serve; sending it in parts", "endpoint", settings.endpoint(),
                    "files_per_part", maxFiles);
            split.increment();
            return Outcome.RESEND;
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
}

package dev.snoop.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Reports a second per token: a token bucket for each authenticated identity (a line of the
 * tokens file, or a Kubernetes service account), never for a presented string, so a flood of bad
 * tokens costs no memory here (they are refused 401 before). A bucket holds {@link #BURST_SECONDS}
 * seconds of reports, so a sidecar's catching up after an outage is not refused at once.
 *
 * <p>Memory is bounded: a bucket that has refilled is the same as none, so when there are more
 * than {@link #MAX_BUCKETS}, the full ones are dropped; should every one still be in use, all are
 * (the limit then errs towards letting reports in, never towards holding memory).
 */
final class RateLimiter {
    static final int DEFAULT_PER_SECOND = 50;
    /** A bucket holds this many seconds' worth of reports: 50/s gives a burst of 100. */
    static final int BURST_SECONDS = 2;
    static final int MAX_BUCKETS = 10_000;

    private final double perNano;
    private final double burst;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile LongSupplier clock = System::nanoTime;

    /** @param perSecond reports a second per identity, 0 for no limit */
    RateLimiter(int perSecond) {
        this.perNano = perSecond / 1e9;
        this.burst = (double) perSecond * BURST_SECONDS;
    }

    /** For tests: a clock of nanoseconds that they move. */
    void clock(LongSupplier nanos) {
        this.clock = nanos;
    }

    boolean enabled() {
        return perNano > 0;
    }

    /**
     * Takes one report of {@code identity}'s allowance.
     *
     * @return 0 if it may be taken now, else the nanoseconds until it may
     */
    long acquire(String identity) {
        if (!enabled()) {
            return 0;
        }
        long now = clock.getAsLong();
        Bucket bucket = buckets.get(identity);
        if (bucket == null) {
            if (buckets.size() >= MAX_BUCKETS) {
                prune(now);
            }
            bucket = buckets.computeIfAbsent(identity, k -> new Bucket(burst, now));
        }
        return bucket.take(now);
    }

    /** Buckets held, for tests of the bound. */
    int size() {
        return buckets.size();
    }

    private void prune(long now) {
        buckets.values().removeIf(b -> b.fullAt(now));
        if (buckets.size() >= MAX_BUCKETS) {
            buckets.clear();
        }
    }

    private final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized long take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
        }

        synchronized boolean fullAt(long now) {
            refill(now);
            return tokens >= burst;
        }

        private void refill(long now) {
            if (now > last) {
                tokens = Math.min(burst, tokens + (now - last) * perNano);
                last = now;
            }
        }
    }
}

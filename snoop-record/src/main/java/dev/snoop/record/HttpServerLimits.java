package dev.snoop.record;

import java.util.Map;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The limits of the metrics server (the JDK's {@code com.sun.net.httpserver}): timeouts, sizes and
 * threads, so that no client, slow or many, can take {@code /healthz} away.
 *
 * <p>The JDK server reads a request's line and headers on an executor thread, blocking: a client
 * that sends half a request holds a thread until {@link #REQUEST_TIMEOUT_SECONDS} closes its
 * connection. A connection that sends nothing holds no thread. So the pool has room for that many
 * stalled clients and more ({@link #MAX_THREADS}), and threads are made only when no idle one is
 * free: each costs ~110 KB committed (Native Memory Tracking; stack pages the JVM touches), which
 * a small sidecar should not spend on a burst a few threads can serve.
 *
 * <p>The JDK reads its timeouts and sizes from system properties, once, when the first server of
 * the process starts. Snoop runs no other HTTP server, so they are set here, before that; a value
 * given on the command line ({@code -Dsun.net.httpserver.maxReqTime=...}) is kept.
 */
final class HttpServerLimits {
    /** The request line and headers must have arrived this long after the first byte. */
    static final int REQUEST_TIMEOUT_SECONDS = 3;
    /** A response must have been taken by the client within this. */
    static final int RESPONSE_TIMEOUT_SECONDS = 5;
    /** A kept-alive connection with no request is closed after about this long. */
    static final int IDLE_TIMEOUT_SECONDS = 10;
    /** Open connections beyond this are closed as soon as they are accepted. */
    static final int MAX_CONNECTIONS = 512;
    /** Kept-alive connections beyond this are closed after their response. */
    static final int MAX_IDLE_CONNECTIONS = 32;
    static final int MAX_REQUEST_HEADERS = 64;
    /** The request line and headers together; a larger request is refused (the JDK resets the connection). */
    static final int MAX_REQUEST_HEADER_BYTES = 16 * 1024;
    /** Requests in progress at once, stalled ones included; more wait in the queue. */
    static final int MAX_THREADS = 64;
    /** Requests waiting for a thread; more are refused by closing their connection. */
    static final int MAX_QUEUED = 1024;
    /** Pending connections the kernel keeps before the server accepts them. */
    static final int BACKLOG = 1024;
    static final long THREAD_STACK_BYTES = 256 << 10;
    /** Idle threads end after this. */
    static final int THREAD_IDLE_SECONDS = 10;

    private HttpServerLimits() {}

    /** The JDK server's properties: each is set unless the command line set it. */
    static Map<String, String> properties() {
        return Map.of(
                "sun.net.httpserver.maxReqTime", String.valueOf(REQUEST_TIMEOUT_SECONDS),
                "sun.net.httpserver.maxRspTime", String.valueOf(RESPONSE_TIMEOUT_SECONDS),
                "sun.net.httpserver.idleInterval", String.valueOf(IDLE_TIMEOUT_SECONDS),
                "sun.net.httpserver.maxIdleConnections", String.valueOf(MAX_IDLE_CONNECTIONS),
                "sun.net.httpserver.maxReqHeaders", String.valueOf(MAX_REQUEST_HEADERS),
                "sun.net.httpserver.maxReqHeaderSize", String.valueOf(MAX_REQUEST_HEADER_BYTES),
                "jdk.httpserver.maxConnections", String.valueOf(MAX_CONNECTIONS));
    }

    /** Sets {@link #properties()}; must run before the process's first HttpServer is created. */
    static void apply() {
        properties().forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
    }

    /**
     * Up to {@link #MAX_THREADS} daemon threads, made only when no idle thread takes the request,
     * then a queue of {@link #MAX_QUEUED}, newest first; beyond it the task is refused, which makes
     * the JDK server close that connection.
     */
    static ThreadPoolExecutor executor() {
        Newest queue = new Newest();
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, MAX_THREADS, THREAD_IDLE_SECONDS, TimeUnit.SECONDS, queue,
                r -> {
                    Thread t = new Thread(null, r, "snoop-metrics-" + count.incrementAndGet(), THREAD_STACK_BYTES);
                    t.setDaemon(true);
                    return t;
                },
                (task, executor) -> {
                    if (executor.isShutdown() || !queue.enqueue(task)) {
                        throw new RejectedExecutionException("metrics server: too many requests waiting");
                    }
                });
        return pool;
    }

    /**
     * The pool's queue, newest first. {@code offer} (the pool's first try) succeeds only when an
     * idle thread will take the task, so below its maximum the pool starts a thread rather than
     * queue (a plain queue would never grow it past its core size); at the maximum, the rejection
     * handler queues. Newest first: when a flood of scrapes fills the queue, a probe that arrives
     * is served next instead of after every scrape ahead of it (FIFO made /healthz wait ~20 ms per
     * 200 queued scrapes on 2 cores); the scrapes at the back wait out the flood, or the request
     * timeout.
     */
    private static final class Newest extends LinkedBlockingDeque<Runnable> {
        private static final long serialVersionUID = 1L;
        private final transient AtomicInteger idle = new AtomicInteger();

        @Override
        public boolean offer(Runnable task) {
            return idle.get() > size() && offerFirst(task);
        }

        boolean enqueue(Runnable task) {
            return size() < MAX_QUEUED && offerFirst(task);
        }

        @Override
        public Runnable take() throws InterruptedException {
            idle.incrementAndGet();
            try {
                return super.take();
            } finally {
                idle.decrementAndGet();
            }
        }

        @Override
        public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
            idle.incrementAndGet();
            try {
                return super.poll(timeout, unit);
            } finally {
                idle.decrementAndGet();
            }
        }
    }
}

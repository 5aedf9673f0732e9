package dev.snoop.record;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one thread that does slow look-ups (the cgroup tree, the runtime's state, the Kubernetes API:
 * seconds when the API is slow) so that the poller never waits for one: a container that starts
 * with a burst of files fills the ring buffer in a fraction of a second if nothing drains it.
 *
 * <p>Tasks run in order from a bounded queue (one look-up per new container). A task that does not
 * fit is refused, never waited for: its container keeps the name of its cgroup.
 */
final class Resolver implements AutoCloseable {
    static final int CAPACITY = 256;

    private final BlockingQueue<Runnable> queue;
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Log log;
    private final Thread thread;
    private volatile boolean running = true;

    Resolver(Log log) {
        this(log, CAPACITY);
    }

    Resolver(Log log, int capacity) {
        this.log = log;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "snoop-resolver");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues {@code task}; never blocks. False if the queue is full and the task will not run. */
    boolean submit(Runnable task) {
        submitted.incrementAndGet();
        if (queue.offer(task)) {
            return true;
        }
        submitted.decrementAndGet();
        if (refused.incrementAndGet() == 1) {
            log.warn("container look-up refused, the queue is full: the container is named by its cgroup",
                    "queued", submitted.get() - done.get());
        }
        return false;
    }

    /** Tasks refused because the queue was full. */
    long refused() {
        return refused.get();
    }

    /** Waits up to {@code timeoutMs} until every task submitted so far has run; true if they have. */
    boolean awaitIdle(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (done.get() != submitted.get()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    private void run() {
        while (running) {
            Runnable task;
            try {
                // close() interrupts: no periodic wake-up of an idle recorder
                task = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                // a look-up that failed leaves its container named by its cgroup; the recording goes on
                log.warn("container look-up failed", "error", e.toString());
            } finally {
                done.incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}

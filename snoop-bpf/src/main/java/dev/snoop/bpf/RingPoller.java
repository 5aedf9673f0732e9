package dev.snoop.bpf;

import dev.snoop.bpf.internal.LibBpf;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Consumer;
import jnr.ffi.Pointer;

/**
 * Drains the {@code events} ring buffer into a sink. One thread polls at a time. An exception
 * from decoding or from the sink never unwinds through libbpf: the callback stores it, returns
 * -1 so libbpf stops, and {@link #poll} rethrows it.
 */
final class RingPoller implements AutoCloseable {

    private static final int STOP = -1;

    private final NativeLibs libs;
    /** Strongly held: libbpf calls it for as long as the ring buffer exists. */
    private final LibBpf.SampleFn sampleFn;
    private Pointer ring;
    private Consumer<FileEvent> sink;
    private RuntimeException pendingRuntime;
    private Error pendingError;
    private int delivered;

    RingPoller(NativeLibs libs, int mapFd) {
        this.libs = libs;
        this.sampleFn = this::sample;
        this.ring = libs.checkPointer(libs.bpf.ring_buffer__new(mapFd, sampleFn, null, null),
                "failed to set up the events ring buffer");
    }

    /**
     * Waits up to timeoutMs for the kernel's wakeup, then drains whatever is waiting (the
     * program writes without wakeups until a threshold, so waiting alone would miss records).
     * Returns the events delivered to the sink.
     */
    int poll(int timeoutMs, Consumer<FileEvent> sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
        delivered = 0;
        try {
            int ret = libs.bpf.ring_buffer__poll(ring, timeoutMs);
            if (ret >= 0 || ret == -Errno.EINTR) {
                ret = libs.bpf.ring_buffer__consume(ring);
            }
            rethrowPending();
            if (ret < 0 && ret != -Errno.EINTR) {
                throw libs.failure("failed to read the events ring buffer", -ret);
            }
            return delivered;
        } finally {
            this.sink = null;
        }
    }

    private int sample(Pointer ctx, Pointer data, long size) {
        try {
            byte[] record = new byte[(int) size];
            data.get(0, record, 0, record.length);
            sink.accept(EventDecoder.decode(ByteBuffer.wrap(record)));
            delivered++;
            return 0;
        } catch (RuntimeException e) {
            pendingRuntime = e;
        } catch (Error e) {
            pendingError = e;
        }
        return STOP;
    }

    private void rethrowPending() {
        RuntimeException r = pendingRuntime;
        Error e = pendingError;
        pendingRuntime = null;
        pendingError = null;
        if (e != null) {
            throw e;
        }
        if (r != null) {
            throw r;
        }
    }

    @Override
    public void close() {
        if (ring != null) {
            libs.bpf.ring_buffer__free(ring);
            ring = null;
        }
    }
}

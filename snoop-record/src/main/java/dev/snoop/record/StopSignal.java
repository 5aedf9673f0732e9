package dev.snoop.record;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT as stop requests of {@code snoop record}, from the first line of
 * {@code main} on. Handlers installed only once the probes were attached left the JVM's own in
 * place during start-up, and a pod deleted in its first second saw exit 143 and no report; now a
 * request that comes during start-up is remembered, start-up completes, and the recording stops at
 * once with its final report (exit 0).
 *
 * <p>What remains is the JVM's own start-up, before {@code main} runs (tens of milliseconds):
 * there the JVM's handler still ends the process with 143.
 */
public final class StopSignal {
    private static final List<Runnable> LISTENERS = new ArrayList<>();
    private static String received;

    private StopSignal() {}

    /** Installs the handlers; called by {@code Main.main} only, never in tests that share a JVM. */
    public static void install() {
        Handler handler = new Handler();
        Signal.handle(new Signal("TERM"), handler);
        Signal.handle(new Signal("INT"), handler);
    }

    /**
     * Runs {@code listener} with the signal's name ("SIGTERM") when a stop is requested, or at
     * once if one already was.
     */
    public static void onStop(java.util.function.Consumer<String> listener) {
        String already;
        synchronized (LISTENERS) {
            already = received;
            if (already == null) {
                LISTENERS.add(() -> listener.accept(received));
            }
        }
        if (already != null) {
            listener.accept(already);
        }
    }

    static void request(String signal) {
        List<Runnable> listeners;
        synchronized (LISTENERS) {
            if (received == null) {
                received = signal;
            }
            listeners = List.copyOf(LISTENERS);
        }
        listeners.forEach(Runnable::run);
    }

    /** A class, not a lambda: no bootstrap method to link on the first line of main. */
    private static final class Handler implements SignalHandler {
        @Override
        public void handle(Signal signal) {
            request("SIG" + signal.getName());
        }
    }
}

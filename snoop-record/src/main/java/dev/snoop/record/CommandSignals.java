package dev.snoop.record;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * Signals while snoop runs a command: the recording lasts as long as the command, so a signal is
 * the command's to act on. SIGTERM and SIGHUP are passed on to it. SIGINT is not: from a terminal
 * the command, in snoop's process group, gets Ctrl-C itself, and a second copy would make many
 * programs abort harder. Whatever the command does, the recording ends when it ends. A second
 * signal of any of the three stops the recording now: the command is terminated and killed if it
 * must, and the report is written.
 */
final class CommandSignals {
    private CommandSignals() {}

    static void install(CommandRun command, CountDownLatch stop, Log log) {
        AtomicInteger received = new AtomicInteger();
        for (String name : List.of("TERM", "HUP", "INT")) {
            Signal.handle(new Signal(name), signal -> {
                if (received.incrementAndGet() > 1) {
                    log.info("second signal: stopping the command and writing the report", "signal", "SIG" + name);
                    stop.countDown();
                } else if (name.equals("INT")) {
                    log.info("signal received: waiting for the command to end", "signal", "SIGINT");
                } else {
                    log.info("signal received: passed on to the command", "signal", "SIG" + name, "pid", command.pid());
                    command.signal(name);
                }
            });
        }
    }
}

package dev.snoop.record;

import dev.snoop.bpf.BpfException;
import dev.snoop.bpf.BpfRecorder;
import dev.snoop.core.SnoopException;
import dev.snoop.core.record.Recording;
import dev.snoop.core.record.Recording.Identity;
import dev.snoop.core.report.RecordingInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one recording: loads the probes, keeps the kernel's target set in step with the cgroup
 * tree, drains events on a poller thread, and writes the report every interval and once more
 * when stopped.
 *
 * <p>Threads: the poller owns the ring buffer and feeds the {@link Recording}, and never waits for
 * anything slow; the {@link Resolver} looks new containers and the pod's labels up (cgroup tree,
 * runtime state, Kubernetes API); the caller's thread rescans targets every second, refreshes
 * counters and writes reports; signal handlers only count down the stop latch. The BPF object is
 * closed only after the poller has stopped.
 */
public final class Recorder {
    /** How often targets are rescanned: new --container-id cgroups are traced within this. */
    private static final Duration RESCAN = Duration.ofSeconds(1);
    /**
     * How long the poller waits for events; with no-wakeup writes, also the drain period at rates
     * under the wakeup threshold (a quarter of the ring): a 2 MiB ring's 512 KiB take 200 ms to fill
     * at ~2.6 MB/s; below that the timer drains it, above it the kernel wakes the poller. Each
     * wake-up is two libbpf calls through jnr-ffi: at 50 ms they were 40% of an idle recorder's CPU
     * (docs/performance.md, Idle cost).
     */
    private static final Duration DRAIN = Duration.ofMillis(200);
    /** How long a stop waits for container look-ups still under way (SIGTERM to exit stays within 5 s). */
    private static final Duration FINAL_LOOKUPS = Duration.ofSeconds(2);
    /** What the probes cannot see, written into every report so nobody deletes by it blindly. */
    static final List<String> BLIND_SPOTS = List.of(
            "io_uring: files opened through io_uring (IORING_OP_OPENAT) are not seen",
            "memory-mapped files opened before recording started, and processes that ran before snoop attached",
            "files the kernel opens for a process other than exec'd files and their interpreters (modules, firmware)",
            "handle-based opens (open_by_handle_at), and chdir/chroot targets (directories are kept as parents of their files)");

    private final RecordConfig config;
    private final Log log;
    private final Clock clock = Clock.systemUTC();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicBoolean polling = new AtomicBoolean(true);
    private final AtomicReference<Throwable> pollerFailure = new AtomicReference<>();
    private final MemoryPressure memoryPressure = new MemoryPressure();
    private final MemoryCounters memoryCounters = MemoryCounters.ofSelf();

    public Recorder(RecordConfig config, Log log) {
        this.config = config;
        this.log = log;
    }

    /** Stops a recording running on another thread, as SIGTERM does (for in-process tests). */
    void stop() {
        stop.countDown();
    }

    /**
     * Records until stopped (a sidecar) or until the command ends ({@code record -- CMD}); returns
     * the exit code: the command's own in the second case.
     */
    public int run() {
        CgroupFs fs = config.cgroupRoot() == null ? CgroupFs.current() : CgroupFs.at(config.cgroupRoot());
        if (!config.recordsCommand()) {
            return record(fs, null);
        }
        // the cgroup goes even if loading the probes fails: close() kills what is left and removes it
        try (CommandRun command = CommandRun.prepare(fs, config.command())) {
            return record(fs, command);
        }
    }

    private int record(CgroupFs fs, CommandRun command) {
        TargetSpec spec = command == null ? config.targets() : TargetSpec.of(List.of(command.cgroup()), List.of());
        Targets targets;
        try {
            Path self = spec.excludeSelf() ? fs.cgroupOfProcess(ProcessHandle.current().pid()) : fs.mount();
            targets = new Targets(fs, spec, self);
        } catch (IllegalArgumentException e) {
            throw new SnoopException(e.getMessage());
        }
        if (!config.targets().excludeSelf() && config.targets().containerIds().isEmpty() && !config.targets().cgroups().isEmpty()
                && targets.invalidTargets().size() == config.targets().cgroups().size()) {
            // every target was checked before (TargetCheck), but may have gone since: never record nothing silently
            throw new SnoopException("no target can be traced: " + String.join("; ", targets.invalidTargets()));
        }
        Recording recording = new Recording(clock, config.exclusions());
        List<MetadataSource> sources = new ArrayList<>();
        if (command != null) {
            sources.add(new CommandSource(fs.pathOf(command.cgroup()), command.name()));
        }
        Optional<KubernetesPods> kubernetes = KubernetesPods.inCluster(config.namespace(), config.podName(), log);
        kubernetes.ifPresent(sources::add);
        ContainerdBundles bundles = new ContainerdBundles(config.runtimeStateDir());
        sources.add(bundles);
        Resolver resolver = new Resolver(log);
        recording.setPod(config.podName(), config.namespace(), podLabels(kubernetes, recording, resolver));
        // a sidecar killed mid-write (kill -9, OOM) left a temporary file: never let them pile up
        for (String stale : dev.snoop.core.report.AtomicFiles.removeStaleTemporaries(config.reportPath())) {
            log.info("removed a temporary report a killed write left", "file", stale);
        }
        if (command == null) {
            resume(recording); // a command's run is a recording of its own: it replaces an older report
        }
        ContainerDirectory directory = new ContainerDirectory(targets, fs, config.imageRef(), config.imageDigest(), sources,
                recording, resolver, log);
        ReportFlusher flusher = new ReportFlusher(config.reportPath(), recording, log);

        BpfRecorder probes;
        log.debug("loading the probes");
        try {
            probes = BpfRecorder.open(config.mapSizes().applyTo(ProbeOptions.forRing(config.ringBufferBytes())));
        } catch (BpfException e) {
            throw new SnoopException(e.getMessage());
        }
        try (probes; resolver) {
            resolver.start();
            for (Map.Entry<String, String> skipped : probes.skippedPrograms().entrySet()) {
                if (skipped.getKey().endsWith(" attachment")) {
                    // a faster way to attach this kernel does not offer: the next one is used, nothing is missed.
                    // Its error is libbpf's, whose hint about privileges does not apply to a fallback
                    String reason = skipped.getValue().replaceFirst("; run as root or grant .*$", "");
                    log.info("attachment not available here, using the next", "attachment", skipped.getKey(), "reason", reason);
                } else {
                    log.warn("probe not attached", "probe", skipped.getKey(), "reason", skipped.getValue());
                }
            }
            log.info("program set", "set", probes.programSet().label(), "reason", probes.programSetReason());
            recording.setInfo(new RecordingInfo(config.snoopVersion(), kernelRelease(), probes.attachment().label(),
                    probes.programSet().label(), probes.notSeen(), probes.attachedPrograms(),
                    probes.skippedPrograms(), BLIND_SPOTS));
            for (String problem : targets.invalidTargets()) {
                log.error("target ignored", "problem", problem);
            }
            KernelTargets kernelTargets = new KernelTargets(probes, targets, log);
            kernelTargets.sync();

            EventRouter router = new EventRouter(recording, directory, log);
            RecorderMetrics metrics = new RecorderMetrics(probes, recording, flusher, router, memoryPressure);
            ApiDelivery delivery = config.api() == null ? null
                    : new ApiDelivery(config.api(), config.reportPath(), log, metrics.registry(), new java.security.SecureRandom());
            if (delivery != null) {
                flusher.onWritten(delivery::reportWritten);
                if (config.existingReport() != null && config.existingReport().previous() != null) {
                    // the outbox of the run before: delivered now, not only at the first write
                    delivery.reportWritten(config.existingReport().previous().fileCount());
                }
            }
            metrics.counter("snoop.metadata.errors", "Failed lookups of container names and images",
                    () -> kubernetes.map(KubernetesPods::errors).orElse(0L), "source", "kubernetes");
            metrics.counter("snoop.target.errors", "Targets that can never be traced (not cgroup v2)",
                    () -> targets.invalidTargets().size());
            metrics.gauge("snoop.targets.waiting", "--cgroup and --container-id targets whose cgroup does not exist (yet)",
                    kernelTargets::waiting);
            metrics.counter("snoop.labels.file.errors", "Lines of the pod labels file that could not be read",
                    () -> labelProblems);
            try (MetricsServer server = startMetrics(metrics, flusher)) {
                Thread poller = startPoller(probes, router);
                if (command == null) {
                    installSignalHandlers();
                } else {
                    CommandSignals.install(command, stop, log);
                    command.start();
                    watch(command);
                }
                log.info("recording", "targets", command == null ? describe(spec) : "command:" + command.name(),
                        "report", config.reportPath(),
                        "interval", config.reportInterval(),
                        "metrics", server == null ? "off" : server.address().getHostString() + ":" + server.address().getPort(),
                        "probes", String.join(",", probes.attachedPrograms()));
                loop(probes, kernelTargets, directory, recording, flusher, metrics, bundles);
                if (command != null && !command.ended()) {
                    // stopped before the command ended (a second signal, a failure): its last
                    // moments are recorded while it stops
                    command.terminate();
                    command.awaitEnd(5_000);
                }
                polling.set(false);
                poller.join(5_000);
                if (pollerFailure.get() != null) {
                    log.error("event poller failed", "error", pollerFailure.get().toString());
                }
                // last drain on this thread, now that the poller is gone
                probes.poll(Duration.ZERO, router::accept);
                // names still being looked up: a moment for them, within the time a stop may take
                if (!resolver.awaitIdle(FINAL_LOOKUPS.toMillis())) {
                    log.warn("container look-ups unfinished at stop: those containers are named by their cgroup");
                }
                refreshCounters(probes, directory, recording);
            }
            boolean written = flusher.write();
            if (delivery != null) {
                // one last delivery within the stop's grace period; undelivered, the report stays the outbox
                boolean delivered = written && delivery.finish(clock.instant().plus(config.api().finalDelivery()));
                delivery.close();
                log.info(delivered ? "final report delivered" : "final report not delivered; it stays in the report file",
                        "endpoint", config.api().endpoint());
            }
            log.info("stopped", "report", config.reportPath(), "written", written,
                    "containers", recording.containerNames().size());
            boolean complete = written && pollerFailure.get() == null;
            if (command == null) {
                return complete ? 0 : 1;
            }
            if (!complete) {
                return CommandRun.SNOOP_FAILED;
            }
            if (!command.ended()) {
                return 128 + 9; // close() kills it
            }
            log.info("command ended", "command", command.name(), "exit_code", command.exitCode());
            return command.exitCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private void loop(BpfRecorder probes, KernelTargets kernelTargets, ContainerDirectory directory,
            Recording recording, ReportFlusher flusher, RecorderMetrics metrics, ContainerdBundles bundles)
            throws InterruptedException {
        Instant deadline = config.duration() == null ? null : clock.instant().plus(config.duration());
        Instant nextReport = clock.instant().plus(config.reportInterval());
        while (true) {
            long waitMs = RESCAN.toMillis();
            if (deadline != null) {
                waitMs = Math.min(waitMs, Math.max(0, Duration.between(clock.instant(), deadline).toMillis()));
            }
            if (stop.await(waitMs, TimeUnit.MILLISECONDS) || deadline != null && !clock.instant().isBefore(deadline)
                    || pollerFailure.get() != null) {
                return;
            }
            kernelTargets.sync();
            bundles.refresh();
            refreshCounters(probes, directory, recording);
            for (long gone : directory.forgetRemoved()) {
                probes.forgetContainer(gone); // its counts are in the recording now
                lastCounts.remove(gone);
            }
            metrics.refresh();
            // each second: freed native memory held by glibc is charged to the container as
            // used, and under a limit it pushes out the page cache the JVM runs from (tens of µs)
            probes.trimNativeHeap();
            String pressure = memoryPressure.update(memoryCounters.read(), clock.millis());
            if (pressure != null) {
                log.warn(pressure, "limit_events_from", memoryCounters.limitFile() == null ? "none" : memoryCounters.limitFile());
            }
            if (!clock.instant().isBefore(nextReport)) {
                flusher.write();
                nextReport = clock.instant().plus(config.reportInterval());
            }
        }
    }

    /** Moves the kernel's per-container counts into the recording, as deltas since the last call. */
    private final Map<Long, long[]> lastCounts = new HashMap<>();

    private void refreshCounters(BpfRecorder probes, ContainerDirectory directory, Recording recording) {
        for (Map.Entry<Long, BpfRecorder.ContainerCounts> e : probes.containerCounts().entrySet()) {
            Identity identity = directory.knownIdentity(e.getKey());
            if (identity == null) {
                continue; // its events are not read yet, or of no container: counted once they are
            }
            long[] last = lastCounts.computeIfAbsent(e.getKey(), k -> new long[2]);
            long events = e.getValue().events() - last[0];
            long dropped = e.getValue().dropped() - last[1];
            if (events != 0 || dropped != 0) {
                recording.countEvents(identity, events, dropped);
                last[0] = e.getValue().events();
                last[1] = e.getValue().dropped();
            }
        }
    }

    /** Stops the recording when the command ends. */
    private void watch(CommandRun command) {
        Thread watcher = new Thread(() -> {
            try {
                while (!command.awaitEnd(60_000)) {
                    // waiting
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stop.countDown();
        }, "snoop-command");
        watcher.setDaemon(true);
        watcher.start();
    }

    private Thread startPoller(BpfRecorder probes, EventRouter router) {
        Thread poller = new Thread(() -> {
            try {
                while (polling.get()) {
                    probes.poll(DRAIN, router::accept);
                }
            } catch (Throwable t) {
                pollerFailure.set(t);
                stop.countDown();
            }
        }, "snoop-poller");
        poller.setDaemon(true);
        poller.start();
        return poller;
    }

    private MetricsServer startMetrics(RecorderMetrics metrics, ReportFlusher flusher) {
        if (config.metricsAddress() == null) {
            return null;
        }
        try {
            return MetricsServer.start(config.metricsAddress(), metrics.registry(),
                    () -> pollerFailure.get() == null && flusher.lastWriteSucceeded(), memoryPressure::reason);
        } catch (IOException e) {
            throw new SnoopException("cannot serve metrics on " + config.metricsAddress() + ": " + e.getMessage());
        }
    }

    private void installSignalHandlers() {
        // handled, not left to shutdown hooks: the final flush then runs on the main thread and
        // the process exits 0, which Kubernetes reads as a clean stop. A signal that came while
        // snoop started (StopSignal has listened since main) stops the loop before its first wait.
        StopSignal.onStop(signal -> {
            log.info("signal received, writing the final report", "signal", signal);
            stop.countDown();
        });
    }

    /**
     * Takes over the report a previous run of snoop left for the same pod (a restarted sidecar),
     * so that its files are not lost when the new run writes its first report. What is at the
     * report path was checked, and read, before anything loaded ({@link ExistingReport}).
     */
    private void resume(Recording recording) {
        ExistingReport existing = config.existingReport();
        if (existing.replaced() != null) {
            log.warn("replacing the existing file", "report", config.reportPath(), "because", existing.replaced());
        }
        if (existing.previous() != null) {
            recording.resume(existing.previous());
            log.info("continuing the existing report", "report", config.reportPath(),
                    "containers", existing.previous().containers().size(), "files", existing.previous().fileCount());
        }
    }

    /**
     * Labels from the downward API file if there is one, else none for now and the API's later:
     * asked on the resolver thread, so a slow API never delays the start of recording, and taken
     * again from every later answer, so a first ask that failed is not final.
     */
    private Map<String, String> podLabels(Optional<KubernetesPods> kubernetes, Recording recording, Resolver resolver) {
        if (config.labelsFile() != null) {
            PodLabels labels = PodLabels.read(config.labelsFile());
            for (String problem : labels.problems()) {
                labelProblems++;
                log.warn("pod label not read", "problem", problem);
            }
            return labels.labels();
        }
        kubernetes.ifPresent(api -> {
            api.onLabels(labels -> recording.setPod(config.podName(), config.namespace(), labels));
            resolver.submit(api::labels);
        });
        return Map.of();
    }

    /** Lines of the labels file that could not be read. */
    private long labelProblems;

    private static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    private static String describe(TargetSpec spec) {
        if (spec.excludeSelf()) {
            return "exclude-self";
        }
        StringBuilder sb = new StringBuilder();
        spec.cgroups().forEach(c -> sb.append(sb.length() == 0 ? "" : ",").append(c));
        spec.containerIds().forEach(c -> sb.append(sb.length() == 0 ? "" : ",").append("id:").append(c));
        return sb.toString();
    }
}

package dev.snoop.record;

import dev.snoop.bpf.BpfRecorder;
import dev.snoop.bpf.RootMode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Keeps the kernel's traced roots and exclusions equal to what {@link Targets} says now. */
final class KernelTargets {
    private final BpfRecorder probes;
    private final Targets targets;
    private final Log log;
    private final Map<Long, RootMode> installed = new HashMap<>();
    private final Set<Long> excluded = new HashSet<>();
    private volatile List<String> lastMissing = List.of();

    int waiting() {
        return lastMissing.size();
    }

    KernelTargets(BpfRecorder probes, Targets targets, Log log) {
        this.probes = probes;
        this.targets = targets;
        this.log = log;
    }

    void sync() {
        List<String> missing = targets.scanContainerIds();
        if (!missing.equals(lastMissing)) {
            if (!missing.isEmpty()) {
                log.info("waiting for targets to appear", "targets", String.join(",", missing));
            }
            lastMissing = missing;
        }
        for (long id : targets.excludedIds()) {
            if (excluded.add(id)) {
                probes.exclude(id);
            }
        }
        Map<Long, RootMode> wanted = targets.roots();
        for (Map.Entry<Long, RootMode> root : wanted.entrySet()) {
            if (installed.put(root.getKey(), root.getValue()) != root.getValue()) {
                probes.traceRoot(root.getKey(), root.getValue());
                log.debug("tracing cgroup", "cgroup_id", root.getKey(), "mode", root.getValue());
            }
        }
        installed.keySet().removeIf(id -> {
            if (!wanted.containsKey(id)) {
                probes.untraceRoot(id);
                return true;
            }
            return false;
        });
    }
}

package dev.snoop.record;

import dev.snoop.bpf.KernelFeatures;
import dev.snoop.bpf.KernelFeatures.Check;
import dev.snoop.core.SnoopException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code snoop record --check}: every prerequisite of a recording, probed here and now, one line
 * each with ok or missing; nothing loaded stays and nothing is recorded.
 */
public final class RecordCheck {
    private RecordCheck() {}

    /** Prints the checks; returns 0 when every required one is ok, else 1. */
    public static int run(PrintWriter out) {
        List<Check> checks = new ArrayList<>(KernelFeatures.check(ProbeOptions.programSetFromEnv(System.getenv("SNOOP_PROGRAMS"))));
        checks.add(checks.size() - 1, cgroupV2()); // before tracefs, the optional one
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        boolean ok = true;
        for (Check c : checks) {
            String verdict = c.ok() ? "ok" : c.required() ? "missing" : "absent";
            out.printf("%-8s %-" + width + "s  %s%n", verdict, c.name(), c.detail());
            ok &= c.ok() || !c.required();
        }
        out.println(ok ? "snoop record can run here" : "snoop record cannot run here: see the lines marked missing");
        out.flush();
        return ok ? 0 : 1;
    }

    private static Check cgroupV2() {
        try {
            return new Check("cgroup v2", true, true, CgroupFs.current().mount().toString());
        } catch (SnoopException | IllegalArgumentException e) {
            return new Check("cgroup v2", false, true, e.getMessage());
        }
    }
}

package dev.snoop.cli.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.snoop.bpf.RecorderOptions;
import org.junit.jupiter.api.Test;

class RecorderTest {

    @Test
    void testProbeOptions_defaultRing_wakesAtOneMiB() {
        RecorderOptions options = Recorder.probeOptions(4 << 20);
        assertEquals(4 << 20, options.ringBufferBytes());
        assertEquals(1 << 20, options.wakeupBytes());
    }

    @Test
    void testProbeOptions_smallRing_wakesAtAQuarter() {
        assertEquals(256 << 10, Recorder.probeOptions(1 << 20).wakeupBytes());
        assertEquals(1024, Recorder.probeOptions(4096).wakeupBytes());
    }

    @Test
    void testProbeOptions_largeRing_keepsOneMiB() {
        assertEquals(1 << 20, Recorder.probeOptions(64 << 20).wakeupBytes());
    }
}

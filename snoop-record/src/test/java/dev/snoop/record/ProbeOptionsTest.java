package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.bpf.Attachment;
import dev.snoop.bpf.RecorderOptions;
import dev.snoop.core.SnoopException;
import org.junit.jupiter.api.Test;

class ProbeOptionsTest {

    @Test
    void testProbeOptions_defaultRing_wakesAtOneMiB() {
        RecorderOptions options = ProbeOptions.forRing(4 << 20);
        assertEquals(4 << 20, options.ringBufferBytes());
        assertEquals(1 << 20, options.wakeupBytes());
    }

    @Test
    void testProbeOptions_smallRing_wakesAtAQuarter() {
        assertEquals(256 << 10, ProbeOptions.forRing(1 << 20).wakeupBytes());
        assertEquals(1024, ProbeOptions.forRing(4096).wakeupBytes());
    }

    @Test
    void testProbeOptions_largeRing_keepsOneMiB() {
        assertEquals(1 << 20, ProbeOptions.forRing(64 << 20).wakeupBytes());
    }

    @Test
    void testAttachmentFromEnv_unsetOrNamed() {
        assertEquals(Attachment.AUTO, ProbeOptions.attachmentFromEnv(null));
        assertEquals(Attachment.AUTO, ProbeOptions.attachmentFromEnv(""));
        assertEquals(Attachment.RAW, ProbeOptions.attachmentFromEnv("raw"));
        assertEquals(Attachment.TRACEPOINT, ProbeOptions.attachmentFromEnv("Tracepoint"));
        assertEquals(Attachment.FEXIT, ProbeOptions.attachmentFromEnv("fexit"));
    }

    @Test
    void testAttachmentFromEnv_unknown_namesTheChoices() {
        SnoopException e = assertThrows(SnoopException.class, () -> ProbeOptions.attachmentFromEnv("kprobe"));
        assertTrue(e.getMessage().contains("expected auto, fexit, tracepoint or raw"), e.getMessage());
    }
}

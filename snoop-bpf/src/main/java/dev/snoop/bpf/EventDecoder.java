package dev.snoop.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Decodes one ring-buffer record ({@code struct event}, sent at its real length) into a {@link FileEvent}. */
final class EventDecoder {

    private EventDecoder() {
    }

    /** @throws IllegalArgumentException when the record is shorter than its lengths say */
    static FileEvent decode(ByteBuffer record) {
        ByteBuffer b = record.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = b.position();
        int size = b.remaining();
        if (size < Wire.EVENT_HEADER) {
            throw new IllegalArgumentException("event record of " + size + " bytes is shorter than its header");
        }
        int pathLen = Short.toUnsignedInt(b.getShort(base + Wire.OFF_PATH_LEN));
        int dirLen = Short.toUnsignedInt(b.getShort(base + Wire.OFF_DIR_LEN));
        if (Wire.EVENT_HEADER + pathLen + dirLen > size) {
            throw new IllegalArgumentException("event record of " + size + " bytes holds "
                    + pathLen + " path and " + dirLen + " directory bytes");
        }
        byte[] path = new byte[pathLen];
        b.get(base + Wire.EVENT_HEADER, path);
        byte[] chain = new byte[dirLen];
        b.get(base + Wire.EVENT_HEADER + pathLen, chain);
        return new FileEvent(
                b.getLong(base + Wire.OFF_CGROUP_ID),
                b.getLong(base + Wire.OFF_INO),
                b.getInt(base + Wire.OFF_PID),
                b.getInt(base + Wire.OFF_TID),
                EventKind.fromWireId(b.getInt(base + Wire.OFF_KIND)),
                b.getInt(base + Wire.OFF_FLAGS),
                b.getInt(base + Wire.OFF_RESULT),
                b.getInt(base + Wire.OFF_DIRFD),
                b.getInt(base + Wire.OFF_OPEN_FLAGS),
                path,
                chain);
    }
}

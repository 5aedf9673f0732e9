package dev.snoop.image;

import dev.snoop.core.SnoopException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A tar stream that refuses damage the tar reader lets through: commons-compress takes the end of
 * the input at a header boundary for the end of the archive (a truncated layer silently loses
 * every later file) and reads headers whose checksum is wrong. This stream walks the same 512-byte
 * records in front of it and fails with one {@link SnoopException} line if the input ends before
 * the end-of-archive marker, inside a header or inside an entry's content, or if a header's
 * checksum or size field is invalid. What follows the end-of-archive marker passes unchecked.
 */
final class CheckedTarInputStream extends InputStream {
    private static final int RECORD = 512;
    /** A pax extended header larger than this is refused rather than buffered. */
    private static final int MAX_PAX = 1 << 20;

    private final InputStream in;
    private final String where;
    private final byte[] record = new byte[RECORD];
    private byte[] skipBuffer;
    private int pos;
    private int limit;
    private long offset;
    private boolean ended;
    /** Bytes of content records (content and its padding) still to come for the current entry. */
    private long dataBytes;
    /** Old GNU sparse headers: extension records before the content. */
    private boolean sparseExtension;
    private String entryName = "";
    /** The content of a pax extended header being read, or null. */
    private ByteArrayOutputStream pax;
    private long paxRemaining;
    /** The size a pax header gave the next entry, or -1. */
    private long paxSize = -1;

    /** @param where the image and layer, for messages */
    CheckedTarInputStream(InputStream in, String where) {
        this.in = in;
        this.where = where;
    }

    @Override
    public int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return record[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == limit && !ended && dataBytes > 0 && pax == null) {
            // content passes straight through in large reads; only its length is checked
            int n = in.read(b, off, (int) Math.min(len, dataBytes));
            if (n < 0) {
                throw truncatedContent();
            }
            offset += n;
            dataBytes -= n;
            return n;
        }
        if (pos == limit && !fill()) {
            return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(record, pos, b, off, n);
        pos += n;
        return n;
    }

    /**
     * Skips by reading, so that a cut inside skipped content is seen (a file's skip may move past
     * its end), into one buffer (InputStream's allocates one per call, and the tar reader skips
     * every entry's padding).
     */
    @Override
    public long skip(long n) throws IOException {
        if (skipBuffer == null) {
            skipBuffer = new byte[8192];
        }
        long skipped = 0;
        while (skipped < n) {
            int r = read(skipBuffer, 0, (int) Math.min(skipBuffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Reads and checks the next record; false at the end of the input after the end marker. */
    private boolean fill() throws IOException {
        if (ended) {
            int n = in.read(record, 0, RECORD);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            limit = n;
            return true;
        }
        int want = dataBytes > 0 && !sparseExtension ? (int) Math.min(RECORD, dataBytes) : RECORD;
        int n = in.readNBytes(record, 0, want);
        long at = offset;
        offset += n;
        if (n < want) {
            throw dataBytes > 0 || sparseExtension ? truncatedContent()
                    : damaged(n > 0 ? "truncated inside a header at byte " + at
                    : "truncated: the input ends at byte " + at + " without the end-of-archive marker");
        }
        pos = 0;
        limit = n;
        if (sparseExtension) {
            sparseExtension = record[504] != 0;
        } else if (dataBytes > 0) {
            dataBytes -= n;
            if (pax != null) {
                int take = (int) Math.min(paxRemaining, RECORD);
                pax.write(record, 0, take);
                paxRemaining -= take;
                if (paxRemaining == 0) {
                    paxSize = paxSize(pax.toByteArray());
                    pax = null;
                }
            }
        } else {
            header(at);
        }
        return true;
    }

    private void header(long at) {
        if (allZero(record)) {
            ended = true;
            return;
        }
        long stored = octal(148, 8);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < RECORD; i++) {
            byte b = i >= 148 && i < 156 ? (byte) ' ' : record[i];
            unsigned += b & 0xff;
            signed += b;
        }
        if (stored < 0 || (stored != unsigned && stored != signed)) {
            throw damaged("bad header checksum at byte " + at + " (not a tar header, or a damaged one)");
        }
        int nameEnd = 0;
        while (nameEnd < 100 && record[nameEnd] != 0) {
            nameEnd++;
        }
        entryName = new String(record, 0, nameEnd, StandardCharsets.UTF_8);
        long size = size();
        if (size < 0) {
            throw damaged("invalid size field in the header of '" + entryName + "' at byte " + at);
        }
        byte type = record[156];
        if (type == 'x' || type == 'X') {
            if (size > MAX_PAX) {
                throw damaged("pax header of " + size + " bytes at byte " + at + " (more than " + MAX_PAX + ")");
            }
            pax = new ByteArrayOutputStream((int) size);
            paxRemaining = size;
            if (size == 0) {
                pax = null;
            }
        } else if (type != 'g' && type != 'L' && type != 'K' && paxSize >= 0) {
            // the pax "size" record overrides the header's field for the entry it precedes
            size = paxSize;
            paxSize = -1;
        }
        if (type == 'S' && record[482] != 0) {
            sparseExtension = true;
        }
        dataBytes = (size + RECORD - 1) / RECORD * RECORD;
    }

    private SnoopException truncatedContent() {
        return damaged("truncated inside the content of '" + entryName + "' (the input ends at byte " + offset + ")");
    }

    private SnoopException damaged(String what) {
        return new SnoopException(where + ": not a valid tar archive: " + what);
    }

    /** The header's size field: octal, or base-256 when its first byte has the high bit; -1 if invalid. */
    private long size() {
        if ((record[124] & 0x80) != 0) {
            if ((record[124] & 0x40) != 0) {
                return -1; // negative
            }
            long v = record[124] & 0x3f;
            for (int i = 125; i < 136; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    return -1;
                }
                v = (v << 8) | (record[i] & 0xff);
            }
            return v;
        }
        return octal(124, 12);
    }

    /** An octal field: leading spaces or NULs, digits, then a space or NUL or the field's end; -1 if invalid. */
    private long octal(int from, int length) {
        int i = from;
        int end = from + length;
        while (i < end && (record[i] == ' ' || record[i] == 0)) {
            i++;
        }
        long v = 0;
        int digits = 0;
        for (; i < end && record[i] != ' ' && record[i] != 0; i++) {
            int d = record[i] - '0';
            if (d < 0 || d > 7 || digits++ > 21) {
                return -1;
            }
            v = v * 8 + d;
        }
        for (; i < end; i++) {
            if (record[i] != ' ' && record[i] != 0) {
                return -1;
            }
        }
        return v;
    }

    /** The "size" record of a pax extended header ("LEN size=VALUE\n"), or -1. */
    private static long paxSize(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0 && line.startsWith("size=", space + 1)) {
                try {
                    return Long.parseLong(line.substring(space + 6).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}

package dev.snoop.core.report;

import dev.snoop.core.path.PathNormalizer;
import dev.snoop.core.path.PathSet;
import dev.snoop.core.path.QuotedPaths;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Collects a streamed {@code files} list straight into a {@link PathSet}, for a recording that
 * continues the report ({@link StreamedReport}): each path goes from the parser's characters into
 * the set as UTF-8 without a String, and its node is remembered in list order, so that the
 * {@code access} kinds can be set on the nodes afterwards if the list was sorted and unique.
 */
final class PathSetCollector implements PathCollector {
    private final PathSet files = new PathSet();
    /*
     * The node of each path in list order, while the kinds of access may still apply to them: in
     * blocks, which grow the list without copying it (it would be allocated twice over).
     */
    private static final int BLOCK_BITS = 12;
    private int[][] refs = new int[16][];
    private int count;
    private boolean kept = true;
    /** The current path as UTF-8, and the one before it, for the order check. */
    private byte[] path = new byte[256];
    private byte[] previous = new byte[256];
    private int previousLength = -1;

    @Override
    public void add(String raw) {
        add(raw.toCharArray(), 0, raw.length());
    }

    @Override
    public void add(char[] chars, int offset, int length) {
        if (path.length < 3 * length) {
            path = new byte[Math.max(3 * length, 2 * path.length)];
        }
        for (int i = 0; i < length; i++) {
            char ch = chars[offset + i];
            if (ch >= 0x80) {
                addUtf8(utf8Slow(new String(chars, offset, length)));
                return;
            }
            path[i] = (byte) ch;
        }
        addUtf8(length);
    }

    @Override
    public void add(byte[] utf8, int offset, int length, boolean slashDotOrSlash) {
        if (path.length < length) {
            path = new byte[Math.max(length, 2 * path.length)];
        }
        System.arraycopy(utf8, offset, path, 0, length);
        addUtf8(length);
    }

    /** {@code text}, which is not all ASCII, as UTF-8 in {@link #path}; its length. */
    private int utf8Slow(String text) {
        int at = FileCollector.loneSurrogate(text);
        if (at >= 0) {
            throw new FileCollector.Refused("path " + QuotedPaths.quote(text) + " holds a lone surrogate (\\u"
                    + Integer.toHexString(text.charAt(at)) + "), which is no character and has no UTF-8 bytes");
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, path, 0, bytes.length);
        return bytes.length;
    }

    /**
     * Adds the path in {@code path[0, length)}, normalized first if it needs it, and notes whether
     * it came after the one before it (once normalized), which is when the kinds line up.
     */
    private void addUtf8(int length) {
        if (!PathNormalizer.isNormalized(path, 0, length)) {
            String normalized;
            try {
                normalized = PathNormalizer.normalize(new String(path, 0, length, StandardCharsets.UTF_8), "/");
            } catch (IllegalArgumentException e) {
                kept = false; // empty or with a NUL, dropped as FileCollector drops it: the kinds no longer line up
                return;
            }
            byte[] bytes = normalized.getBytes(StandardCharsets.UTF_8);
            if (path.length < bytes.length) {
                path = new byte[bytes.length]; // a relative path got its leading '/'
            }
            System.arraycopy(bytes, 0, path, 0, bytes.length);
            length = bytes.length;
        }
        FileCollector.checkLength(path, 0, length);
        // as FileCollector.keptOrder: the kinds apply while every path comes after the one before
        kept &= previousLength < 0 || Arrays.compareUnsigned(previous, 0, previousLength, path, 0, length) < 0;
        remember(length);
        int ref = files.addRef(path, 0, length);
        int block = count >>> BLOCK_BITS;
        if (block == refs.length) {
            refs = Arrays.copyOf(refs, 2 * block);
        }
        if (refs[block] == null) {
            refs[block] = new int[block == 0 ? 256 : 1 << BLOCK_BITS];
        } else if (block == 0 && count == refs[0].length) {
            refs[0] = Arrays.copyOf(refs[0], Math.min(2 * count, 1 << BLOCK_BITS)); // small lists stay small
        }
        refs[block][count & ((1 << BLOCK_BITS) - 1)] = ref;
        count++;
    }

    private void remember(int length) {
        if (previous.length < length) {
            previous = new byte[Math.max(length, 2 * previous.length)];
        }
        System.arraycopy(path, 0, previous, 0, length);
        previousLength = length;
    }

    @Override
    public boolean keptOrder() {
        return kept;
    }

    @Override
    public int size() {
        return files.size();
    }

    /**
     * The set, with {@code bits[i]} as the value of the i-th path listed if {@code bits} is not
     * null; the collector is done with afterwards.
     */
    PathSet finish(byte[] bits) {
        if (bits != null) {
            for (int i = 0; i < count; i++) {
                files.setValue(refs[i >>> BLOCK_BITS][i & ((1 << BLOCK_BITS) - 1)], bits[i]);
            }
        }
        refs = null;
        return files;
    }
}

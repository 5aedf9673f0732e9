package dev.snoop.core.report;

/**
 * Where {@link ReportReader} puts the paths of one {@code files} list, one at a time as the tokens
 * come: {@link FileCollector} for a report read whole, {@link PathSetCollector} for one streamed
 * into the path set a recording continues. Paths arrive raw (not yet normalized); each collector
 * normalizes them as {@link dev.snoop.core.path.PathNormalizer#normalize} does (a relative one
 * against {@code /}), drops empty ones and refuses the unstorable with {@link FileCollector.Refused}.
 */
interface PathCollector {
    /** Adds a path given as a String (Jackson's text). */
    void add(String raw);

    /** Adds the path {@code chars[offset, offset + length)}, as Jackson's parser holds it. */
    void add(char[] chars, int offset, int length);

    /**
     * Adds the well-formed UTF-8 bytes {@code utf8[offset, offset + length)} without NUL, as
     * {@link ReportScanner} finds them in the report.
     *
     * @param slashDotOrSlash false only if the bytes contain neither "//" nor "/.", so that an
     *     absolute path without a trailing '/' is known to be normalized
     */
    void add(byte[] utf8, int offset, int length, boolean slashDotOrSlash);

    /**
     * As {@link #add(byte[], int, int, boolean)}, for a path that {@link ReportScanner} has checked
     * to be normalized and to sort after the path given just before it, sharing its first
     * {@code shared} bytes.
     */
    default void addAfterPrevious(byte[] utf8, int offset, int length, int shared) {
        add(utf8, offset, length, true);
    }

    /**
     * True if every path was kept in the position it came in (each after the one before it, none
     * dropped), so that the lists beside it ({@code access}, {@code seen_in}) still line up.
     */
    boolean keptOrder();

    /** How many paths it holds so far, each once: the length the lists beside them have if they line up. */
    int size();
}

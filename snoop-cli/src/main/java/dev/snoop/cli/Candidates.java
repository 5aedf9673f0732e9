package dev.snoop.cli;

import java.util.Iterator;
import java.util.List;

/**
 * The values shell completion offers for options that take a word from a fixed set but are not
 * typed as an enum whose constant names are the words (a {@code String} checked later, or
 * {@code keep_list}, which the option spells {@code keep-list}). picocli instantiates these.
 */
final class Candidates {
    private Candidates() {}

    static final class LogLevels implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("debug", "info", "warn", "error").iterator();
        }
    }

    static final class TargetModes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("exclude-self", "explicit").iterator();
        }
    }

    static final class UnusedFormats implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("text", "json", "keep-list").iterator();
        }
    }
}

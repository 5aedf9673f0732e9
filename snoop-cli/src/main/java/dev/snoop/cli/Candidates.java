package dev.snoop.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The values shell completion offers for options that take a word from a fixed set but are not
 * typed as an enum whose constant names are the words (a {@code String} checked later, or
 * {@code keep_list}, which the option spells {@code keep-list}). picocli instantiates these.
 */
final class Candidates {
    private Candidates() {}

    static final class LogLevels extends ArrayList<String> {
        LogLevels() {
            super(List.of("debug", "info", "warn", "error"));
        }
    }

    static final class TargetModes extends ArrayList<String> {
        TargetModes() {
            super(List.of("exclude-self", "explicit"));
        }
    }

    static final class UnusedFormats extends ArrayList<String> {
        UnusedFormats() {
            super(List.of("text", "json", "keep-list"));
        }
    }
}

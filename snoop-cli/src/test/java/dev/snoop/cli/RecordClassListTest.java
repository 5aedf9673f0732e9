package dev.snoop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The list of the classes {@code snoop record} loads ({@code src/main/cds/record.classlist}), which
 * the build appends to the training's list for the class-data-sharing archive. It comes from a
 * real run, so it goes stale as record changes: a renamed class is only left out of the archive
 * (and costs metaspace again), so this keeps snoop's own names current and the format the dump
 * reads (one binary class name per line, no lambda or method-handle lines).
 */
class RecordClassListTest {
    private static final Path LIST = Path.of("src/main/cds/record.classlist");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(/[A-Za-z_$][A-Za-z0-9_$]*)*");

    @Test
    void testClassList_namesOnly() throws IOException {
        List<String> bad = new ArrayList<>();
        for (String line : classes()) {
            if (!NAME.matcher(line).matches()) {
                bad.add(line);
            }
        }
        assertEquals(List.of(), bad, "lines the archive dump would not read as a class name");
    }

    @Test
    void testClassList_snoopClassesExist() throws IOException {
        List<String> missing = new ArrayList<>();
        int snoop = 0;
        for (String name : classes()) {
            if (!name.startsWith("dev/snoop/")) {
                continue;
            }
            snoop++;
            try {
                Class.forName(name.replace('/', '.'), false, getClass().getClassLoader());
            } catch (ClassNotFoundException e) {
                missing.add(name);
            }
        }
        assertTrue(snoop > 50, "record loads more than " + snoop + " snoop classes");
        assertEquals(List.of(), missing, "gone from the code: regenerate the list as its header says");
    }

    @Test
    void testClassList_recordsEntryPoints() throws IOException {
        List<String> names = classes();
        for (String entry : List.of("dev/snoop/cli/RecordCommand", "dev/snoop/record/Recorder", "dev/snoop/bpf/BpfRecorder",
                "dev/snoop/core/path/PathSet")) {
            assertTrue(names.contains(entry), entry);
        }
    }

    private static List<String> classes() throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(LIST)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.strip());
            }
        }
        return names;
    }
}

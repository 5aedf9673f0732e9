package dev.snoop.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed objects (bpf/snoop.bpf.o, bpf/snoop-legacy.bpf.o, bpf/arm64/snoop.bpf.o) must be
 * built from the committed sources. Hashing them needs no clang, so every build checks it; under
 * CI=true (clang installed) a fresh compile of each must also be byte-identical
 * ({@code make -C bpf check}).
 */
class BpfObjectFreshnessTest {

    @ParameterizedTest
    @ValueSource(strings = {"snoop.bpf.o", "snoop-legacy.bpf.o", "arm64/snoop.bpf.o"})
    void testSources_matchRecordedHashes(String object) throws IOException, NoSuchAlgorithmException {
        Path bpf = BpfTestSupport.bpfDir();
        assertTrue(Files.isRegularFile(bpf.resolve(object)), "bpf/" + object + " is not committed: run make -C bpf update");
        List<String> lines = Files.readAllLines(bpf.resolve(object + ".sources"));
        assertFalse(lines.isEmpty());
        for (String line : lines) {
            /* sha256sum format: "<hex>  <file>", the file relative to bpf/ */
            String expected = line.substring(0, 64);
            String file = line.substring(66);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(bpf.resolve(file)));
            assertEquals(expected, HexFormat.of().formatHex(digest),
                    "bpf/" + file + " changed since bpf/" + object + " was built: run make -C bpf update");
        }
    }

    /* a header the Makefile does not know would change the object without failing the hashes above */
    @ParameterizedTest
    @ValueSource(strings = {"snoop.bpf.o", "snoop-legacy.bpf.o", "arm64/snoop.bpf.o"})
    void testSources_listEveryBpfSourceFile(String object) throws IOException {
        Path bpf = BpfTestSupport.bpfDir();
        Set<String> listed = Files.readAllLines(bpf.resolve(object + ".sources")).stream()
                .map(line -> line.substring(66)).collect(Collectors.toSet());
        try (Stream<Path> files = Files.list(bpf)) {
            List<String> unit = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".bpf.c") || f.endsWith(".bpf.h") || f.equals("snoop.h")).sorted().toList();
            assertFalse(unit.isEmpty());
            for (String file : unit) {
                assertTrue(listed.contains(file), "bpf/" + file + " is not in bpf/" + object
                        + ".sources: add it to UNIT in bpf/Makefile and run make -C bpf update");
            }
        }
    }

    @Test
    void testObject_isReproducedByMakeCheck() throws IOException, InterruptedException {
        BpfTestSupport.require(BpfTestSupport.hasTool("clang") && BpfTestSupport.hasTool("make"),
                "make -C bpf check needs clang and make (./test.sh installs them)");
        Process make = new ProcessBuilder("make", "-s", "-C", BpfTestSupport.bpfDir().toString(), "check")
                .redirectErrorStream(true).start();
        String log = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, make.waitFor(), "make -C bpf check failed: the committed object is stale\n" + log);
    }
}

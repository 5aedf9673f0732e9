package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class TokensFileTest {
    @TempDir
    Path dir;

    private static String line(String token, String namespaces) {
        return Tokens.sha256Hex(token) + " " + namespaces + "\n";
    }

    private static boolean knows(TokensFile file, String token) {
        return file.current().authenticate("Bearer " + token) != null;
    }

    @Test
    void testCheck_changedFile_isReread() throws Exception {
        Path path = Files.writeString(dir.resolve("tokens"), line("old-token", "shop"));
        List<String> log = new ArrayList<>();
        TokensFile file = new TokensFile(path, Tokens.load(path), log::add);
        file.check();
        assertTrue(log.isEmpty(), "unchanged: not re-read " + log);
        // replaced the way a Secret's volume is: a new file moved over the old
        Path next = Files.writeString(dir.resolve("tokens.new"), line("new-token", "shop") + line("third", "*"));
        Files.move(next, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        file.check();
        assertTrue(knows(file, "new-token"));
        assertTrue(knows(file, "third"));
        assertTrue(!knows(file, "old-token"), "a removed token is refused");
        assertEquals(List.of("snoop serve: " + path + " re-read (changed): 2 token(s)"), log);
    }

    @Test
    void testCheck_badNewFile_keepsTheOldTokens_logsOnce() throws Exception {
        Path path = Files.writeString(dir.resolve("tokens"), line("old-token", "shop"));
        List<String> log = new ArrayList<>();
        TokensFile file = new TokensFile(path, Tokens.load(path), log::add);
        Files.writeString(path, line("new-token", "shop") + "my-secret-token shop\n");
        file.check();
        file.check();
        file.check();
        assertTrue(knows(file, "old-token"), "the tokens in use are kept");
        assertTrue(!knows(file, "new-token"));
        assertEquals(List.of("snoop serve: " + path + ": line 2: the first field is not a SHA-256 in hex (64 hex digits)"
                + "; keeping the 1 token(s) read before"), log, "one line for that version");
        Files.delete(path);
        file.check();
        file.check();
        assertEquals("snoop serve: " + path + ": no such file; keeping the 1 token(s) read before", log.get(1));
        assertEquals(2, log.size());
        assertTrue(knows(file, "old-token"));
        Files.writeString(path, line("new-token", "shop"));
        file.check();
        assertTrue(knows(file, "new-token"), "fixed: read");
        assertTrue(String.join("\n", log).indexOf("my-secret-token") < 0, "a line's text in the log: " + log);
    }

    @Test
    void testReload_unchangedStamp_rereadsAnyway() throws Exception {
        // same size, same mtime, same inode: only SIGHUP's reload sees it
        Path path = Files.writeString(dir.resolve("tokens"), line("token-a", "shop"));
        FileTime mtime = Files.getLastModifiedTime(path);
        List<String> log = new ArrayList<>();
        TokensFile file = new TokensFile(path, Tokens.load(path), log::add);
        Files.writeString(path, line("token-b", "shop"));
        Files.setLastModifiedTime(path, mtime);
        file.check();
        assertTrue(knows(file, "token-a"), "the stamp did not change");
        file.reload();
        assertTrue(knows(file, "token-b"));
        assertEquals(List.of("snoop serve: " + path + " re-read (reload asked): 1 token(s)"), log);
    }

    @Test
    void testServer_tokensFileChanged_newTokenAcceptedWithoutRestart() throws Exception {
        Path path = Files.writeString(dir.resolve("tokens"), Http.tokensFile());
        List<String> log = new CopyOnWriteArrayList<>();
        ServerConfig config = new ServerConfig("127.0.0.1", 0, null, "unused", path, 4);
        try (SnoopServer server = SnoopServer.start(config, Tokens.load(path), TestDatabase.shared(), false, log::add)) {
            TestDatabase.truncate(server.database().dataSource());
            Http http = new Http(server.port());
            var report = Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 1, 10);
            assertEquals(401, http.post("rotated-token", report).statusCode());
            Path next = Files.writeString(dir.resolve("tokens.new"), line("rotated-token", "shop"));
            Files.move(next, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            waitFor(() -> http.post("rotated-token", report).statusCode() == 200, "the new token accepted");
            assertEquals(401, http.post(Http.TOKEN, report).statusCode(), "the removed one refused");
            Files.writeString(path, "garbage\n");
            waitFor(() -> log.stream().anyMatch(l -> l.contains("keeping the 1 token(s)")), "the bad file logged");
            assertEquals(200, http.post("rotated-token", report).statusCode(), "still in use");
            Files.writeString(path, line("sighup-token", "shop"));
            server.reloadTokens();
            waitFor(() -> http.post("sighup-token", report).statusCode() == 200, "reloaded");
            assertNull(log.stream().filter(l -> l.contains("rotated-token") || l.contains("sighup-token")).findAny().orElse(null));
            assertNotNull(server.tokensFile());
        }
    }

    static void waitFor(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.onSpinWait();
        }
    }
}

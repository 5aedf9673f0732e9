package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.SnoopException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokensTest {
    @TempDir
    Path dir;

    @Test
    void testLoad_commentsBlankLinesAndScopes() throws Exception {
        Tokens tokens = Tokens.load(Files.writeString(dir.resolve("t"), Http.tokensFile()));
        assertEquals(3, tokens.size());
        Tokens.Entry shop = tokens.authenticate("Bearer " + Http.TOKEN);
        assertNotNull(shop);
        assertEquals(Set.of("shop", "cart"), shop.namespaces());
        assertTrue(shop.allows("cart"));
        assertTrue(!shop.allows("other") && !shop.allows(null));
        assertTrue(tokens.authenticate("bearer " + Http.ANY_TOKEN).allows(null), "the scheme is case-insensitive");
    }

    @Test
    void testAuthenticate_wrongOrMissing_isNull() throws Exception {
        Tokens tokens = Tokens.load(Files.writeString(dir.resolve("t"), Http.tokensFile()));
        assertNull(tokens.authenticate(null));
        assertNull(tokens.authenticate("Bearer "));
        assertNull(tokens.authenticate(Http.TOKEN));
        assertNull(tokens.authenticate("Bearer " + Http.TOKEN + "x"));
        assertNull(tokens.authenticate("Bearer " + Tokens.sha256Hex(Http.TOKEN)));
    }

    @Test
    void testSha256Hex_isWhatSha256sumPrints() {
        // printf %s test | sha256sum
        assertEquals("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Tokens.sha256Hex("test"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            abc shop                                   | the first field is not a SHA-256 in hex (64 hex digits)
            9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 | expected 'SHA256HEX NAMESPACE[,NAMESPACE...]'
            9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 a, b | expected 'SHA256HEX NAMESPACE[,NAMESPACE...]'
            9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 a,,b | empty namespace in 'a,,b'
            """)
    void testLoad_badLine_failsNamingTheLine(String line, String reason) throws Exception {
        Path file = Files.writeString(dir.resolve("t"), "# ok\n" + line + "\n");
        SnoopException e = assertThrows(SnoopException.class, () -> Tokens.load(file));
        assertEquals(file + ": line 2: " + reason, e.getMessage());
    }

    @Test
    void testLoad_missingFile_failsWithOneLine() {
        Path file = dir.resolve("none");
        assertEquals(file + ": no such file",
                assertThrows(SnoopException.class, () -> Tokens.load(file)).getMessage());
    }
}

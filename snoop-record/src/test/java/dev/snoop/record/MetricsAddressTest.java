package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** --metrics-addr is checked completely, without binding it: bad values are usage errors before anything loads. */
class MetricsAddressTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            :9090              | 0.0.0.0/0.0.0.0 | 9090
            127.0.0.1:0        | 127.0.0.1       | 0
            [::1]:80           | 0:0:0:0:0:0:0:1 | 80
            localhost:65535    | 127.0.0.1       | 65535
            255.255.255.255:1  | 255.255.255.255 | 1
            """)
    void testParse_accepted(String value, String address, int port) {
        InetSocketAddress parsed = MetricsAddress.parse(value);
        assertEquals(port, parsed.getPort());
        assertTrue(parsed.getAddress().toString().endsWith(address) || parsed.getAddress().isAnyLocalAddress(),
                parsed.toString());
        assertTrue(!parsed.isUnresolved(), parsed.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            300.1.1.1:80          | '300.1.1.1' is not an IPv4 address
            1.2.3:80              | '1.2.3' is not an IPv4 address
            01.2.3.4:80           | is not an IPv4 address
            '[::1:80'             | is not an IPv6 address in brackets
            '::1]:80'             | is not an IPv6 address in brackets
            '::1:80'              | an IPv6 address needs brackets
            '[nothex]:80'         | is not an IPv6 address in brackets
            ' :9090'              | has a space or a control character
            ':9090 '              | has a space or a control character
            ':99999'              | port out of range
            ':65536'              | port out of range
            ':-1'                 | has no valid port
            ':'                   | has no valid port
            '9090'                | is not an address such as :9090
            'no-such-host.invalid:80' | cannot resolve host no-such-host.invalid
            'a_b:80'              | is not a host name or address
            """)
    void testParse_refused(String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsAddress.parse(value));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}

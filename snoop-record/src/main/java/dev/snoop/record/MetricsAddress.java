package dev.snoop.record;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Parses {@code --metrics-addr}: {@code :port} (all interfaces), {@code host:port} or
 * {@code [v6]:port}. Checked completely while the configuration is validated, before the probes
 * load: an IPv4 address with a part over 255, an unclosed bracket or a space used to pass here and
 * fail only when the server was started, after the probes were attached (exit 1, not 2).
 */
public final class MetricsAddress {
    private MetricsAddress() {}

    /** @throws IllegalArgumentException with a message for the user, for anything else */
    public static InetSocketAddress parse(String value) {
        if (!value.matches("\\p{Graph}+")) {
            throw new IllegalArgumentException("'" + value + "' has a space or a control character");
        }
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + value + "' is not an address such as :9090 or 127.0.0.1:9090");
        }
        String host = value.substring(0, colon);
        String portText = value.substring(colon + 1);
        if (!portText.matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException("'" + value + "' has no valid port");
        }
        int port = Integer.parseInt(portText);
        if (port > 65535) {
            throw new IllegalArgumentException("'" + value + "': port out of range (0 to 65535)");
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        return new InetSocketAddress(host(value, host), port);
    }

    private static InetAddress host(String value, String host) {
        String literal;
        if (host.startsWith("[") || host.endsWith("]")) {
            if (!host.startsWith("[") || !host.endsWith("]") || !host.substring(1, host.length() - 1).matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                throw new IllegalArgumentException("'" + value + "': '" + host + "' is not an IPv6 address in brackets such as [::1]");
            }
            literal = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + value + "': an IPv6 address needs brackets, as in [::1]:9090");
        } else if (host.matches("[0-9.]+")) {
            if (!host.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}")) {
                throw new IllegalArgumentException("'" + value + "': '" + host + "' is not an IPv4 address");
            }
            literal = host;
        } else if (host.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})")) {
            literal = null;
        } else {
            throw new IllegalArgumentException("'" + value + "': '" + host + "' is not a host name or address");
        }
        try {
            // a literal is only parsed; a name is resolved now, so a typo is a usage error
            return InetAddress.getByName(literal == null ? host : literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + value + "': " + (literal == null ? "cannot resolve host " + host
                    : "'" + host + "' is not an address"));
        }
    }
}

package dev.snoop.server;

import dev.snoop.core.report.SetChecksum;
import java.util.Locale;

/**
 * The {@code Snoop-Delivery} request header (docs/server.md, "Deltas"). {@code delta; files=N;
 * checksum=HEX} says that the body holds only part of the sender's set and gives the checksum of
 * the whole of it, which the stored set must match after the body is applied; {@code full}, or no
 * header, is a report taken as it is.
 */
final class DeliveryHeader {
    static final String NAME = "Snoop-Delivery";

    private DeliveryHeader() {}

    /**
     * The checksum a delta must reach, or null for a full report.
     *
     * @throws IllegalArgumentException with a one-line reason for a malformed header
     */
    static SetChecksum parse(String value) {
        if (value == null) {
            return null;
        }
        String[] parts = value.split(";");
        String kind = parts[0].strip().toLowerCase(Locale.ROOT);
        if (kind.equals("full") && parts.length == 1) {
            return null;
        }
        if (!kind.equals("delta")) {
            throw new IllegalArgumentException(NAME + ": expected 'full' or 'delta; files=N; checksum=HEX'");
        }
        Long files = null;
        Long sum = null;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].strip().split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException(NAME + ": expected name=value after ';'");
            }
            String name = kv[0].strip().toLowerCase(Locale.ROOT);
            String v = kv[1].strip();
            try {
                switch (name) {
                    case "files" -> files = Long.parseLong(v);
                    case "checksum" -> sum = SetChecksum.parseSum(v);
                    default -> { } // later parameters are ignored, so that clients may add some
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(NAME + ": " + name + " is not a " + (name.equals("files")
                        ? "number" : "hex checksum of 1 to 16 digits"));
            }
        }
        if (files == null || sum == null || files < 0) {
            throw new IllegalArgumentException(NAME + ": a delta needs files=N and checksum=HEX");
        }
        return new SetChecksum(sum, files);
    }
}

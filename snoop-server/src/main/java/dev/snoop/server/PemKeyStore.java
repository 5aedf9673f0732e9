package dev.snoop.server;

import dev.snoop.core.SnoopException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A key store built in memory from PEM files, as cert-manager and {@code openssl} write them: the
 * certificate (then any intermediates) and its private key, unencrypted PKCS#8. Nothing is written
 * to disk; the store's password is random and lives only in this process.
 */
final class PemKeyStore {
    static final String ALIAS = "snoop";
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");

    /** The store and the password of its key. */
    record Loaded(KeyStore keyStore, String password) {}

    private PemKeyStore() {}

    /**
     * @throws SnoopException one line naming the file and what is wrong with it (never the key's content)
     */
    static Loaded load(Path certFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        if (!matches(key, chain.get(0))) {
            throw new SnoopException("" + keyFile + ": not the key of the certificate in " + certFile);
        }
        try {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String password = Base64.getEncoder().encodeToString(random);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, password.toCharArray(), chain.toArray(X509Certificate[]::new));
            return new Loaded(store, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new SnoopException("" + certFile + ": cannot make a key store of it: " + Database.rootCause(e), e);
        }
    }

    private static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks(file)) {
                if (block.type().equals("CERTIFICATE")) {
                    chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
                }
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new SnoopException("" + file + ": not a valid PEM certificate: " + Database.rootCause(e), e);
        }
        if (chain.isEmpty()) {
            throw new SnoopException("" + file + ": no PEM certificate (BEGIN CERTIFICATE) in it");
        }
        return chain;
    }

    private static PrivateKey privateKey(Path file) {
        for (Block block : blocks(file)) {
            switch (block.type()) {
                case "PRIVATE KEY" -> {
                    return pkcs8(file, block.der());
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new SnoopException("" + file + ": the key is encrypted; give it "
                        + "unencrypted (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new SnoopException("" + file + ": a '" + block.type()
                        + "' (PKCS#1 or SEC1), not PKCS#8; convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
                default -> {
                    // a certificate or parameters beside the key: skipped
                }
            }
        }
        throw new SnoopException("" + file + ": no PEM private key (BEGIN PRIVATE KEY) in it");
    }

    private static PrivateKey pkcs8(Path file, byte[] der) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // another algorithm's key: try the next
            }
        }
        throw new SnoopException("" + file + ": not a PKCS#8 key of RSA, EC or EdDSA");
    }

    /** Whether {@code key} signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null) {
            return true; // nothing to check it with; the TLS handshake will tell
        }
        try {
            byte[] probe = "snoop serve".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an EC key with an RSA certificate
        }
    }

    private record Block(String type, byte[] der) {}

    private static List<Block> blocks(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1); // never fails: a DER file just has no block
        } catch (NoSuchFileException e) {
            throw new SnoopException("" + file + ": no such file");
        } catch (IOException e) {
            throw new SnoopException("" + file + ": cannot read: " + Database.rootCause(e), e);
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new SnoopException("" + file + ": a '" + m.group(1) + "' block is not valid base64");
            }
        }
        return blocks;
    }
}

package io.flotilla.raft.transport.net;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throwaway certificate authority made at test time with nothing but the JDK: EC P-256 keys, and X.509 v3
 * certificates DER-encoded here and signed with {@code SHA256withECDSA}. Fast (no keytool processes), and no
 * key material is ever checked in.
 */
final class TestPki {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final String name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private TestPki(String name, KeyPair keys, X509Certificate certificate) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new self-signed CA. */
    static TestPki newCa(String name) throws GeneralSecurityException {
        KeyPair keys = newKeyPair();
        return new TestPki(name, keys, sign(name, name, keys.getPublic(), keys.getPrivate(), true));
    }

    /** A node certificate issued by this CA (for 127.0.0.1, with that IP as subject alternative name). */
    Node issue(String nodeName) throws GeneralSecurityException {
        KeyPair nodeKeys = newKeyPair();
        X509Certificate cert = sign(name, nodeName, nodeKeys.getPublic(), keys.getPrivate(), false);
        return new Node(nodeKeys.getPrivate(), new X509Certificate[] {cert, certificate}, this);
    }

    X509Certificate certificate() {
        return certificate;
    }

    /** A trust store holding only this CA. */
    KeyStore trustStore() throws GeneralSecurityException {
        KeyStore ks = emptyStore();
        ks.setCertificateEntry("ca", certificate);
        return ks;
    }

    /** A node's key and certificate chain. */
    record Node(PrivateKey key, X509Certificate[] chain, TestPki issuer) {
        KeyStore keyStore() throws GeneralSecurityException {
            KeyStore ks = emptyStore();
            ks.setKeyEntry("node", key, PASSWORD, chain);
            return ks;
        }

        /** A TLS context presenting this node's certificate and trusting {@code trusted}'s certificates. */
        SSLContext context(TestPki trusted) throws GeneralSecurityException {
            return io.flotilla.raft.transport.net.TlsStreamLayer.sslContext(keyStore(), PASSWORD,
                    trusted.trustStore());
        }

        /** A TLS context presenting this node's certificate and trusting its own CA. */
        SSLContext context() throws GeneralSecurityException {
            return context(issuer);
        }
    }

    /** A TLS context that trusts {@code trusted} but has no certificate of its own to present. */
    static SSLContext contextWithoutCertificate(TestPki trusted) throws GeneralSecurityException {
        return io.flotilla.raft.transport.net.TlsStreamLayer.sslContext(emptyStore(), PASSWORD,
                trusted.trustStore());
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            return ks;
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    // ---- X.509 in DER ----

    private static final byte[] ECDSA_WITH_SHA256 = oid(1, 2, 840, 10045, 4, 3, 2);
    private static final byte[] COMMON_NAME = oid(2, 5, 4, 3);
    private static final byte[] BASIC_CONSTRAINTS = oid(2, 5, 29, 19);
    private static final byte[] SUBJECT_ALT_NAME = oid(2, 5, 29, 17);

    private static X509Certificate sign(String issuer, String subject, PublicKey subjectKey, PrivateKey signer,
                                        boolean ca) throws GeneralSecurityException {
        byte[] algorithm = seq(ECDSA_WITH_SHA256);
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        byte[] extensions = ca
                ? seq(tlv(0x30, concat(BASIC_CONSTRAINTS, tlv(0x01, new byte[] {(byte) 0xff}),
                        tlv(0x04, seq(tlv(0x01, new byte[] {(byte) 0xff}))))))
                : seq(tlv(0x30, concat(SUBJECT_ALT_NAME, tlv(0x04, seq(tlv(0x87, new byte[] {127, 0, 0, 1}))))));
        byte[] tbs = seq(
                tlv(0xa0, tlv(0x02, new byte[] {2})),                       // version v3
                tlv(0x02, BigInteger.valueOf(SERIAL.incrementAndGet()).toByteArray()),
                algorithm,
                name(issuer),
                seq(time(now.minusHours(1)), time(now.plusDays(1))),
                name(subject),
                subjectKey.getEncoded(),                                    // SubjectPublicKeyInfo
                tlv(0xa3, extensions));
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(signer);
        s.update(tbs);
        byte[] signature = s.sign();
        byte[] cert = seq(tbs, algorithm, tlv(0x03, concat(new byte[] {0}, signature)));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(cert));
    }

    private static byte[] name(String cn) {
        return seq(tlv(0x31, seq(COMMON_NAME, tlv(0x0c, cn.getBytes(StandardCharsets.UTF_8)))));
    }

    private static byte[] time(ZonedDateTime t) {
        return tlv(0x17, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").format(t).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] oid(int... arcs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(40 * arcs[0] + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            int v = arcs[i];
            int shift = 28;
            while (shift > 0 && (v >>> shift) == 0) {
                shift -= 7;
            }
            for (; shift > 0; shift -= 7) {
                out.write(0x80 | ((v >>> shift) & 0x7f));
            }
            out.write(v & 0x7f);
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] seq(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >>> 8);
            out.write(n & 0xff);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}

package io.aigw.server.testing;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Test-only self-signed certificates for localhost / 127.0.0.1 under src/test/resources/tls.
 * "server" is the one tests trust; "other" is an unrelated one for "not trusted" cases.
 */
public final class TlsFixtures {

    private TlsFixtures() {}

    public static Path serverCert() {
        return resource("tls/server.crt");
    }

    public static Path serverKey() {
        return resource("tls/server.key");
    }

    public static Path otherCert() {
        return resource("tls/other.crt");
    }

    public static Path otherKey() {
        return resource("tls/other.key");
    }

    /** Netty server context (JDK provider) presenting {@link #serverCert()}. */
    public static SslContext serverContext() {
        return serverContext(serverCert(), serverKey());
    }

    /** Netty server context (JDK provider) presenting {@link #otherCert()}. */
    public static SslContext otherServerContext() {
        return serverContext(otherCert(), otherKey());
    }

    /** A JDK client SSLContext that trusts exactly the PEM certificate at {@code certPem}. */
    public static SSLContext clientContextTrusting(Path certPem) {
        try (InputStream in = Files.newInputStream(certPem)) {
            Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("fixture", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SslContext serverContext(Path cert, Path key) {
        try {
            return SslContextBuilder.forServer(cert.toFile(), key.toFile())
                    .sslProvider(SslProvider.JDK)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path resource(String name) {
        URL url = TlsFixtures.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException("missing test resource " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

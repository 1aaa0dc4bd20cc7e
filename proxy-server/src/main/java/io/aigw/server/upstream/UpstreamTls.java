package io.aigw.server.upstream;

import io.aigw.core.config.TlsConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Client TLS contexts for providers. A configured CA file is trusted <em>in addition to</em> the
 * JDK's default roots (so one config can mix public providers and a private vLLM host); hostname
 * verification is switched on per engine by {@link UpstreamPoolHandler}.
 */
final class UpstreamTls {
    private UpstreamTls() {}

    static SslContext clientContext(TlsConfig tls) throws IOException, GeneralSecurityException {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
        if (!tls.verify()) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (tls.caFile() != null) {
            builder.trustManager(trustDefaultsPlus(tls));
        }
        return builder.build();
    }

    private static TrustManagerFactory trustDefaultsPlus(TlsConfig tls) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        defaults.init((KeyStore) null);
        int n = 0;
        for (var tm : defaults.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                for (X509Certificate root : x509.getAcceptedIssuers()) {
                    store.setCertificateEntry("default-" + n++, root);
                }
            }
        }
        try (InputStream in = Files.newInputStream(tls.caFile())) {
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("configured-" + n++, cert);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf;
    }
}

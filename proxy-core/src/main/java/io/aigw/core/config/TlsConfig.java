package io.aigw.core.config;

import java.nio.file.Path;

/**
 * Upstream TLS trust. Verification (chain and hostname) is on unless {@code verify: false}.
 *
 * @param caFile optional PEM bundle trusted in addition to the JDK's default trust store; null if unset
 */
public record TlsConfig(boolean verify, Path caFile) {
    public static final TlsConfig DEFAULT = new TlsConfig(true, null);
}

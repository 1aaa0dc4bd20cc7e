package io.aigw.core.config;

import java.util.List;

/** Reads the keys only an {@code azure} provider may have. */
final class AzureReader {
    static final List<String> KEYS = List.of("api_version", "api_style", "bearer_token");

    private AzureReader() {}

    /**
     * Exactly one credential: Azure answers 401 to neither, and with both it is unclear which one
     * the operator meant to use. An empty value counts as unset, so {@code ${VAR:-}} can switch.
     */
    static AzureSettings read(ConfigNode n, String apiKey) throws ConfigException {
        ConfigNode tokenNode = n.child("bearer_token");
        String token = ProviderReader.headerSafe(tokenNode, tokenNode.secretString(""));
        if (!apiKey.isEmpty() && !token.isEmpty()) {
            throw tokenNode.error("set either api_key or bearer_token, not both");
        }
        if (apiKey.isEmpty() && token.isEmpty()) {
            throw n.child("api_key").error("missing (an azure provider needs api_key or bearer_token)");
        }
        return new AzureSettings(apiVersion(n.child("api_version")), style(n.child("api_style")), token);
    }

    /** It becomes part of every URL, so only the characters real versions use ("2025-04-01-preview"). */
    private static String apiVersion(ConfigNode n) throws ConfigException {
        String v = n.string(AzureSettings.DEFAULT_API_VERSION).trim();
        if (v.isEmpty()) {
            throw n.error("must not be empty");
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_';
            if (!ok) {
                throw n.error("not a valid api version: " + ConfigNode.quote(v));
            }
        }
        return v;
    }

    private static AzureSettings.Style style(ConfigNode n) throws ConfigException {
        String s = n.string("deployments").trim();
        return switch (s) {
            case "deployments" -> AzureSettings.Style.DEPLOYMENTS;
            case "v1" -> AzureSettings.Style.V1;
            default -> throw n.error("expected deployments or v1, got " + ConfigNode.quote(s));
        };
    }
}

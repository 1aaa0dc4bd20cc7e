package io.aigw.core.config;

/**
 * What only an Azure OpenAI provider has. The api key, when used, stays in
 * {@link ProviderConfig#apiKey()} (sent as {@code api-key}); an Entra ID token goes here instead,
 * because it travels in a different header.
 *
 * @param apiVersion the {@code api-version} query parameter of the deployments style
 * @param style how URLs are formed
 * @param bearerToken an Entra ID token sent as {@code Authorization: Bearer}, or empty; never printed
 */
public record AzureSettings(String apiVersion, Style style, String bearerToken) {
    /** Latest GA inference version (PROTOCOLS.md 5.1). */
    public static final String DEFAULT_API_VERSION = "2024-10-21";

    public enum Style {
        /** {@code /openai/deployments/{model_id}/chat/completions?api-version=...} */
        DEPLOYMENTS,
        /** {@code /openai/v1/chat/completions}, the deployment in the body's {@code model}. */
        V1
    }

    @Override
    public String toString() {
        return "AzureSettings[apiVersion=" + apiVersion + ", style=" + style + ", bearerToken="
                + (bearerToken.isEmpty() ? "<none>" : "<redacted>") + "]";
    }
}

package io.aigw.adapters.gemini;

import java.util.Base64;

/**
 * Gemini's function calls have no ids, and newer models refuse a conversation whose function-call
 * turn does not echo the {@code thoughtSignature} they attached. The signature therefore travels
 * inside the OpenAI tool call id, {@code call_<n>_<base64url(signature bytes)>}, and comes back on
 * the next turn without any state in the proxy. A call without a signature gets a random
 * {@code call_<alphanumerics>} id, which has no second underscore and so never decodes.
 */
final class ToolCallIds {
    private static final String PREFIX = "call_";

    private ToolCallIds() {}

    /** The id for the {@code n}-th call of an answer that carried {@code signature} (standard base64). */
    static String withSignature(int n, String signature) {
        byte[] bytes = decode(signature);
        if (bytes == null) {
            return null; // not base64: the caller falls back to a random id
        }
        return PREFIX + n + '_' + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The signature (standard base64) an id made by {@link #withSignature} carries, or null. */
    static String signatureOf(String id) {
        if (id == null || !id.startsWith(PREFIX)) {
            return null;
        }
        int i = PREFIX.length();
        int digits = i;
        while (digits < id.length() && Character.isDigit(id.charAt(digits))) {
            digits++;
        }
        if (digits == i || digits + 1 >= id.length() || id.charAt(digits) != '_') {
            return null;
        }
        try {
            return Base64.getEncoder().encodeToString(Base64.getUrlDecoder().decode(id.substring(digits + 1)));
        } catch (IllegalArgumentException notOurs) {
            return null;
        }
    }

    private static byte[] decode(String signature) {
        try {
            return Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(signature);
            } catch (IllegalArgumentException e2) {
                return null;
            }
        }
    }
}

package io.aigw.core.config;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Expands {@code ${VAR}} and {@code ${VAR:-default}} in one string scalar; {@code $${} is a literal
 * {@code ${}. It runs on values already parsed from YAML, so an environment value can never change
 * the structure of the file.
 */
final class EnvSubstitutor {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String HINT = " (write $${ for a literal ${)";

    private final Map<String, String> env;

    EnvSubstitutor(Map<String, String> env) {
        this.env = env;
    }

    /**
     * @param path the key path, for the error message only
     * @throws ConfigException on an unset variable or a malformed reference; the message never
     *     contains the text itself, which may be a secret
     */
    String substitute(String text, String path) throws ConfigException {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (text.startsWith("${", i)) {
                int end = text.indexOf('}', i + 2);
                if (end < 0) {
                    throw ConfigNode.error(path, "unterminated ${" + HINT);
                }
                out.append(resolve(text.substring(i + 2, end), path));
                i = end + 1;
            } else {
                out.append(text.charAt(i++));
            }
        }
        return out.toString();
    }

    private String resolve(String reference, String path) throws ConfigException {
        int sep = reference.indexOf(":-");
        String name = sep < 0 ? reference : reference.substring(0, sep);
        if (!NAME.matcher(name).matches()) {
            // The name is not echoed: a malformed reference may be part of a secret.
            throw ConfigNode.error(path, "malformed ${...} reference, expected ${NAME} or ${NAME:-default}" + HINT);
        }
        String value = env.get(name);
        if (sep >= 0) {
            return value == null || value.isEmpty() ? reference.substring(sep + 2) : value;
        }
        if (value == null) {
            throw ConfigNode.error(path, "environment variable " + name + " is not set");
        }
        return value;
    }
}

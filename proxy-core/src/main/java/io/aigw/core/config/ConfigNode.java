package io.aigw.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One value of the parsed YAML tree together with its key path, so every error can name exactly
 * where it is. Absent and {@code null} values are the same thing here: a key whose children are all
 * commented out simply takes its defaults.
 *
 * <p>String scalars are environment-substituted when read, and a substituted string is coerced to
 * the type the key needs, which is what lets {@code port: ${PORT:-8080}} work.
 */
final class ConfigNode {
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final int MAX_ECHO = 100;

    private final String path;
    private final JsonNode node;
    /** Null for values that come straight from the environment, which are not substituted again. */
    private final EnvSubstitutor env;
    /** Decrypts {@code enc:v1:} values after substitution; null exactly when {@code env} is. */
    private final ConfigSecrets secrets;

    private ConfigNode(String path, JsonNode node, EnvSubstitutor env, ConfigSecrets secrets) {
        this.path = path;
        this.node = node;
        this.env = env;
        this.secrets = secrets;
    }

    static ConfigNode root(JsonNode node, EnvSubstitutor env, ConfigSecrets secrets) {
        return new ConfigNode("", node, env, secrets);
    }

    /** A value taken verbatim from an environment variable, reported under {@code path}. */
    static ConfigNode literal(String path, String value) {
        return new ConfigNode(path, TextNode.valueOf(value), null, null);
    }

    String path() {
        return path;
    }

    boolean isAbsent() {
        return node == null || node.isMissingNode() || node.isNull();
    }

    /** YAML 1.1 reads a bare {@code off} or {@code no} as false; a few keys accept it as the word "off". */
    boolean isFalse() {
        return node != null && node.isBoolean() && !node.booleanValue();
    }

    boolean isTextual() {
        return node != null && node.isTextual();
    }

    boolean isMapping() {
        return !isAbsent() && node.isObject();
    }

    ConfigNode child(String key) {
        return new ConfigNode(path.isEmpty() ? key : path + "." + key, isAbsent() ? null : node.get(key), env, secrets);
    }

    /** Checks that this is a mapping (or absent) whose keys are all among {@code known}. */
    ConfigNode mapping(List<String> known) throws ConfigException {
        for (String key : entries().keySet()) {
            if (!known.contains(key)) {
                throw child(key).error("unknown key (known: " + String.join(", ", known) + ")");
            }
        }
        return this;
    }

    /**
     * The entries of a mapping whose keys are names the user chose (providers, models, headers).
     * A wrong-typed value is not echoed: a misplaced scalar here is as likely a key as anything.
     */
    Map<String, ConfigNode> entries() throws ConfigException {
        Map<String, ConfigNode> entries = new LinkedHashMap<>();
        if (isAbsent()) {
            return entries;
        }
        if (!node.isObject()) {
            throw error("expected a mapping, got " + describe(node, false));
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            entries.put(name, child(name));
        }
        return entries;
    }

    List<ConfigNode> elements() throws ConfigException {
        List<ConfigNode> elements = new ArrayList<>();
        if (isAbsent()) {
            return elements;
        }
        if (!node.isArray()) {
            throw error("expected a list, got " + describe(node, false));
        }
        for (int i = 0; i < node.size(); i++) {
            elements.add(new ConfigNode(path + "[" + i + "]", node.get(i), env, secrets));
        }
        return elements;
    }

    String string(String defaultValue) throws ConfigException {
        return isAbsent() ? defaultValue : text(true, "a string");
    }

    /** Like {@link #string} but a wrong-typed value is never echoed: it may be a key. */
    String secretString(String defaultValue) throws ConfigException {
        return isAbsent() ? defaultValue : text(false, "a string");
    }

    String requiredString() throws ConfigException {
        if (isAbsent()) {
            throw error("missing");
        }
        return text(true, "a string");
    }

    int integer(int defaultValue, int min, int max) throws ConfigException {
        return (int) longInteger(defaultValue, min, max);
    }

    long longInteger(long defaultValue, long min, long max) throws ConfigException {
        if (isAbsent()) {
            return defaultValue;
        }
        BigInteger value;
        if (node.isIntegralNumber()) {
            value = node.bigIntegerValue();
        } else {
            String text = text(true, "an integer").trim();
            if (!INTEGER.matcher(text).matches()) {
                throw error("expected an integer, got " + quote(text));
            }
            value = new BigInteger(text);
        }
        boolean tooSmall = value.compareTo(BigInteger.valueOf(min)) < 0;
        if (tooSmall || value.compareTo(BigInteger.valueOf(max)) > 0) {
            // A cap of Integer.MAX_VALUE or more is a technical limit, not a range worth spelling out.
            String rule = max < Integer.MAX_VALUE
                    ? "between " + min + " and " + max
                    : tooSmall ? "at least " + min : "at most " + max;
            throw error("must be " + rule + ", got " + value);
        }
        return value.longValue();
    }

    /** A decimal number (a YAML float or integer, or a substituted string that reads as one). */
    double number(double defaultValue) throws ConfigException {
        if (isAbsent()) {
            return defaultValue;
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        String text = text(true, "a number").trim();
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw error("expected a number, got " + quote(text));
        }
    }

    boolean bool(boolean defaultValue) throws ConfigException {
        if (isAbsent()) {
            return defaultValue;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        // The YAML 1.1 spellings too, so a substituted "${VERIFY:-yes}" reads like the literal would.
        String text = text(true, "true or false").trim();
        switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> {
                return true;
            }
            case "false", "no", "off" -> {
                return false;
            }
            default -> throw error("expected true or false, got " + quote(text));
        }
    }

    /** An error at this path; a decrypted value the problem would echo is replaced by a placeholder. */
    ConfigException error(String problem) {
        return error(path, secrets == null ? problem : secrets.scrub(problem));
    }

    static ConfigException error(String path, String problem) {
        return new ConfigException(oneLine(path + ": " + problem));
    }

    /** A scalar string after substitution; anything else is a type error worded with {@code expected}. */
    private String text(boolean echo, String expected) throws ConfigException {
        if (!node.isTextual()) {
            throw error("expected " + expected + ", got " + describe(node, echo));
        }
        if (env == null) {
            return node.textValue();
        }
        String raw = node.textValue();
        String substituted = env.substitute(raw, path);
        if (!substituted.equals(raw)) {
            secrets.substituted(raw, substituted);
        }
        return secrets.reveal(substituted, path);
    }

    private static String describe(JsonNode node, boolean echo) {
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (!echo) {
            return node.isTextual()
                    ? "a string"
                    : node.isBoolean() ? "a boolean" : node.isNumber() ? "a number" : "a value";
        }
        return node.isTextual() ? quote(node.textValue()) : node.asText();
    }

    /** Double-quoted, escaped and shortened, so an echoed value cannot break the one-line message. */
    static String quote(String value) {
        String shown = value.length() > MAX_ECHO ? value.substring(0, MAX_ECHO) + "..." : value;
        return "\"" + shown.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String oneLine(String message) {
        StringBuilder out = new StringBuilder(message.length());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}

package io.aigw.core.log;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Redacts inside JSON without breaking it: the string values (and only they) go through the
 * {@link Redactor}; field names, numbers (as written), booleans, nulls and the nesting are copied
 * token by token with Jackson's streaming parser and generator, so the result is always JSON with
 * the same structure. The output is compact: the input's whitespace is not kept.
 *
 * <p>Thread-safe; a parser and generator per call.
 */
public final class JsonRedaction {
    private final Redactor redactor;

    public JsonRedaction(Redactor redactor) {
        this.redactor = Objects.requireNonNull(redactor, "redactor");
    }

    public Redactor redactor() {
        return redactor;
    }

    /**
     * The JSON with its string values redacted, or null when the bytes are not exactly one JSON
     * value (invalid, cut short, bad UTF-8, or trailing content).
     */
    public String tryRedact(byte[] json) {
        return tryRedact(json, null);
    }

    /**
     * As {@link #tryRedact(byte[])}; {@code usage}, when not null, also receives the prompt,
     * completion and total tokens of a top-level {@code "usage"} object, read in the same pass; its
     * entries are left alone for figures the body does not hold. OpenAI chat names them
     * {@code prompt_tokens}, {@code completion_tokens}, {@code total_tokens}; Anthropic Messages and
     * OpenAI Responses {@code input_tokens} and {@code output_tokens} (Responses adds
     * {@code total_tokens}). An array of 5 also receives Anthropic's {@code
     * cache_creation_input_tokens} and {@code cache_read_input_tokens}, which its
     * {@code input_tokens} does not include (the caller adds them).
     */
    public String tryRedact(byte[] json, long[] usage) {
        return tryRedact(json, usage, null);
    }

    /**
     * As {@link #tryRedact(byte[], long[])}; {@code jsonbRefuses}, when not null, has its first entry
     * set when the result holds a value PostgreSQL's jsonb would refuse (see {@link JsonbLimits}),
     * found in the same pass.
     */
    public String tryRedact(byte[] json, long[] usage, boolean[] jsonbRefuses) {
        long[] found = usage == null ? null : usage.clone(); // figures count only from a valid body
        boolean[] refused = {false};
        try (JsonParser p = LogJson.FACTORY.createParser(json)) {
            // Most bodies hold nothing to redact: one read-only pass proves it, and the text is kept
            // as it came instead of being generated again (half the cost of a row's rendering).
            if (isCleanDocument(p, found, refused)) {
                if (jsonbRefuses != null) {
                    jsonbRefuses[0] = refused[0];
                }
                if (usage != null) {
                    System.arraycopy(found, 0, usage, 0, usage.length);
                }
                return new String(json, StandardCharsets.UTF_8);
            }
        } catch (IOException notJson) {
            return null;
        }
        String redacted;
        refused[0] = false; // the first pass stopped early: this one sees every value
        try (JsonParser p = LogJson.FACTORY.createParser(json)) {
            redacted = redactDocument(p, json.length, refused);
        } catch (IOException notJson) {
            return null;
        }
        if (redacted != null && usage != null) {
            readUsage(json, usage); // the first pass stopped at the first string to redact
        }
        if (redacted != null && jsonbRefuses != null) {
            jsonbRefuses[0] = refused[0];
        }
        return redacted;
    }

    /**
     * True when the parser holds exactly one JSON value none of whose strings a rule changes; false
     * when one does, or the document is empty (the full pass then decides). Throws when not JSON.
     */
    private boolean isCleanDocument(JsonParser p, long[] usage, boolean[] refused) throws IOException {
        if (p.nextToken() == null) {
            return false;
        }
        int depth = 0;
        boolean usageNext = false; // the value coming is the top-level "usage"
        boolean inUsage = false;
        int slot = -1; // the usage figure the value coming is, if any
        JsonToken t = p.currentToken();
        while (true) {
            if (t == null) {
                throw new IOException("JSON ended inside a value");
            }
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
                inUsage |= usageNext && t == JsonToken.START_OBJECT;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
                inUsage &= depth > 1;
            } else if (t == JsonToken.VALUE_STRING) {
                // Checked in the parser's own buffer: most values are clean and never become a String.
                char[] chars = p.getTextCharacters();
                int off = p.getTextOffset();
                int len = p.getTextLength();
                if (!redactor.leavesAlone(chars, off, len)) {
                    String text = p.getText();
                    if (redactor.redact(text) != text) {
                        return false;
                    }
                }
                refused[0] = refused[0] || JsonbLimits.refusesString(chars, off, len);
            } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                refused[0] = refused[0]
                        || JsonbLimits.refusesNumber(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            }
            if (t == JsonToken.FIELD_NAME) {
                refused[0] = refused[0] || JsonbLimits.refusesString(p.currentName());
                if (usage != null && depth == 1) {
                    usageNext = "usage".equals(p.currentName());
                } else if (usage != null && inUsage && depth == 2) {
                    slot = usageSlot(p.currentName(), usage.length);
                }
            } else if (slot >= 0 && t.isNumeric()) {
                usage[slot] = p.getValueAsLong(-1); // 12.0 from a lenient backend counts as 12
            }
            if (t != JsonToken.FIELD_NAME) {
                usageNext = false;
                slot = -1;
            }
            if (depth == 0) {
                break;
            }
            t = p.nextToken();
        }
        if (p.nextToken() != null) {
            throw new IOException("content after the JSON value");
        }
        return true;
    }

    /** Where a usage figure goes in an array of {@code slots}, -1 when nowhere. */
    private static int usageSlot(String name, int slots) {
        int slot = switch (name) {
            case "prompt_tokens", "input_tokens" -> 0;
            case "completion_tokens", "output_tokens" -> 1;
            case "total_tokens" -> 2;
            case "cache_creation_input_tokens" -> 3;
            case "cache_read_input_tokens" -> 4;
            default -> -1;
        };
        return slot < slots ? slot : -1;
    }

    /** The figures of a top-level {@code "usage"} object, by a pass that skips everything else. */
    private static void readUsage(byte[] json, long[] usage) {
        try (JsonParser p = LogJson.FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean isUsage = "usage".equals(p.currentName());
                if (p.nextToken() != JsonToken.START_OBJECT || !isUsage) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    int slot = usageSlot(p.currentName(), usage.length);
                    JsonToken v = p.nextToken();
                    if (slot >= 0 && v.isNumeric()) {
                        usage[slot] = p.getValueAsLong(-1);
                    } else {
                        p.skipChildren();
                    }
                }
            }
        } catch (IOException notJson) {
            // the figures read so far stand; the caller has found the body valid before this pass
        }
    }

    /** As {@link #tryRedact(byte[])}, for JSON already decoded. */
    public String tryRedact(String json) {
        try (JsonParser p = LogJson.FACTORY.createParser(json)) {
            return redactDocument(p, json.length(), null);
        } catch (IOException notJson) {
            return null;
        }
    }

    private String redactDocument(JsonParser p, int sizeHint, boolean[] refused) throws IOException {
        if (p.nextToken() == null) {
            return null; // empty or only whitespace
        }
        StringWriter out = new StringWriter(sizeHint + 16);
        try (JsonGenerator g = LogJson.generator(out)) {
            copyValue(p, g, refused);
        }
        // Jackson reads one root value and leaves the rest; "{} {}" or "{} x" is not one JSON document.
        return p.nextToken() == null ? out.toString() : null;
    }

    /**
     * Copies the value at the parser's current token (a scalar, or a whole object or array, which the
     * parser is then left at the end of) to the generator, redacting string values. Iterative, so
     * depth costs no stack.
     */
    void copyValue(JsonParser p, JsonGenerator g) throws IOException {
        copyValue(p, g, null);
    }

    /** As {@link #copyValue(JsonParser, JsonGenerator)}; {@code refused}, when not null, as in {@link #tryRedact(byte[], long[], boolean[])}. */
    private void copyValue(JsonParser p, JsonGenerator g, boolean[] refused) throws IOException {
        int depth = 0;
        JsonToken t = p.currentToken();
        while (true) {
            if (t == null) {
                throw new IOException("JSON ended inside a value");
            }
            switch (t) {
                case START_OBJECT -> {
                    g.writeStartObject();
                    depth++;
                }
                case START_ARRAY -> {
                    g.writeStartArray();
                    depth++;
                }
                case END_OBJECT -> {
                    g.writeEndObject();
                    depth--;
                }
                case END_ARRAY -> {
                    g.writeEndArray();
                    depth--;
                }
                case FIELD_NAME -> g.writeFieldName(checked(p.currentName(), refused));
                case VALUE_STRING -> g.writeString(checked(redactor.redact(p.getText()), refused));
                // The text as written: 1.10 stays 1.10, 1e400 is not turned into Infinity.
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                    String number = p.getText();
                    if (refused != null && !refused[0]) {
                        refused[0] = JsonbLimits.refusesNumber(number);
                    }
                    g.writeNumber(number);
                }
                default -> g.copyCurrentEvent(p); // true, false, null, an embedded tree value
            }
            if (depth == 0) {
                return;
            }
            t = p.nextToken();
        }
    }

    /** {@code text}, noting in {@code refused} (when not null) a string jsonb would refuse. */
    private static String checked(String text, boolean[] refused) {
        if (refused != null && !refused[0]) {
            refused[0] = JsonbLimits.refusesString(text);
        }
        return text;
    }
}

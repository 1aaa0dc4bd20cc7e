package io.aigw.adapters.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;

/**
 * Anthropic content blocks, built from the OpenAI message tree and written once to the output.
 * Kept as small values (not tree nodes) so conversion, which may throw a 400, finishes before any
 * output buffer is allocated, and so the key order inside each block is fixed by code.
 */
final class Blocks {
    private Blocks() {}

    interface Block {
        void write(JsonGenerator g) throws IOException;
    }

    record Text(String text) implements Block {
        @Override
        public void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("type", "text");
            g.writeStringField("text", text);
            g.writeEndObject();
        }
    }

    /** An {@code image} or {@code document} block with a base64 source (mediaType set) or a url source. */
    record Media(String blockType, String mediaType, String dataOrUrl) implements Block {
        @Override
        public void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("type", blockType);
            g.writeObjectFieldStart("source");
            if (mediaType != null) {
                g.writeStringField("type", "base64");
                g.writeStringField("media_type", mediaType);
                g.writeStringField("data", dataOrUrl);
            } else {
                g.writeStringField("type", "url");
                g.writeStringField("url", dataOrUrl);
            }
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    record ToolUse(String id, String name, JsonNode input) implements Block {
        @Override
        public void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("type", "tool_use");
            g.writeStringField("id", id);
            g.writeStringField("name", name);
            g.writeFieldName("input");
            g.writeTree(input);
            g.writeEndObject();
        }
    }

    /**
     * Content is a string, a list of text blocks, or absent (both null): Anthropic rejects empty text,
     * so an empty tool reply is sent without {@code content}, which the API allows.
     */
    record ToolResult(String toolUseId, String text, List<Text> parts) implements Block {
        @Override
        public void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("type", "tool_result");
            g.writeStringField("tool_use_id", toolUseId);
            if (text != null) {
                g.writeStringField("content", text);
            } else if (parts != null) {
                g.writeArrayFieldStart("content");
                for (Text t : parts) {
                    t.write(g);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
    }
}

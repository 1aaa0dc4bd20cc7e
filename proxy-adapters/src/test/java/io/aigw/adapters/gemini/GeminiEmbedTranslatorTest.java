package io.aigw.adapters.gemini;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiException;
import io.aigw.core.exchange.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class GeminiEmbedTranslatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @ParameterizedTest
    @EnumSource(Bufs.Kind.class)
    void requestOneEntryPerInput(Bufs.Kind kind) throws Exception {
        ByteBuf in = Bufs.of(kind, Fixtures.resource("embed/request_strings.openai.json"));
        try {
            GeminiEmbedTranslator.Request r = GeminiEmbedTranslator.request(in, "text-embedding-004", ALLOC);
            try {
                assertEquals(
                        JSON.readTree(Fixtures.resource("embed/request_strings.gemini.json")),
                        JSON.readTree(Bufs.utf8(r.body())));
                assertFalse(r.base64());
            } finally {
                r.body().release();
            }
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"input\":[1,2,3]}",
                "{\"input\":[]}",
                "{\"input\":\"x\",\"encoding_format\":\"hex\"}",
                "{\"input\":\"x\",\"dimensions\":\"3\"}"
            })
    void requestRefusals(String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, body);
        try {
            ApiException e = assertThrows(ApiException.class, () -> GeminiEmbedTranslator.request(in, "m", ALLOC));
            assertEquals(400, e.error().status());
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @EnumSource(Bufs.Kind.class)
    void responseFloats(Bufs.Kind kind) throws Exception {
        ByteBuf in = Bufs.of(kind, Fixtures.resource("embed/two_inputs.gemini.json"));
        try {
            GeminiEmbedTranslator.Translated t = GeminiEmbedTranslator.response(in, "text-embedding-004", false, ALLOC);
            try {
                assertEquals(
                        JSON.readTree(Fixtures.resource("embed/two_inputs.openai.json")),
                        JSON.readTree(Bufs.utf8(t.body())));
                assertEquals(Usage.NONE, t.usage(), "Gemini reported no tokens");
            } finally {
                t.body().release();
            }
            assertEquals(1, in.refCnt());
        } finally {
            in.release();
        }
    }

    @Test
    void responseBase64IsLittleEndianFloat32AndUsageIsReadWhenSent() throws Exception {
        ByteBuf in = Bufs.of(
                Bufs.Kind.POOLED_HEAP,
                "{\"embeddings\":[{\"values\":[0.5,-1.25,3]}],\"usageMetadata\":{\"promptTokenCount\":4}}");
        try {
            GeminiEmbedTranslator.Translated t = GeminiEmbedTranslator.response(in, "m", true, ALLOC);
            try {
                JsonNode out = JSON.readTree(Bufs.utf8(t.body()));
                byte[] bytes =
                        Base64.getDecoder().decode(out.at("/data/0/embedding").asText());
                ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                assertArrayEquals(
                        new float[] {0.5f, -1.25f, 3f}, new float[] {b.getFloat(), b.getFloat(), b.getFloat()});
                assertEquals(4, out.at("/usage/prompt_tokens").asInt());
                assertEquals(new Usage(4, 0, 4, 0), t.usage());
            } finally {
                t.body().release();
            }
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"embeddings\":[{\"vals\":[1]}]}", "{\"embeddings\":[{\"values\":[\"a\"]}]}", "x"})
    void anUnreadableAnswerIs502(String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.COMPOSITE, body);
        try {
            ApiException e =
                    assertThrows(ApiException.class, () -> GeminiEmbedTranslator.response(in, "m", false, ALLOC));
            assertEquals(502, e.error().status());
            assertTrue(e.error().message().contains("could not be read"));
        } finally {
            in.release();
        }
    }
}

package io.aigw.adapters.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class OllamaEmbedTranslatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @EnumSource(Bufs.Kind.class)
    void requestGolden(Bufs.Kind kind) throws Exception {
        ByteBuf in = Bufs.of(kind, Fixtures.resource("embed/request_strings.openai.json"));
        try {
            OllamaEmbedTranslator.Request r =
                    OllamaEmbedTranslator.request(in, "all-minilm", PooledByteBufAllocator.DEFAULT);
            try {
                assertEquals(
                        JSON.readTree(Fixtures.resource("embed/request_strings.ollama.json")),
                        JSON.readTree(Bufs.utf8(r.body())));
                assertTrue(r.base64());
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
                "{\"model\":\"e\",\"input\":[1,2,3]}",
                "{\"model\":\"e\",\"input\":[[1,2]]}",
                "{\"model\":\"e\",\"input\":[]}",
                "{\"model\":\"e\"}",
                "{\"model\":\"e\",\"input\":\"x\",\"encoding_format\":\"int8\"}",
                "{\"model\":\"e\",\"input\":\"x\",\"dimensions\":\"big\"}"
            })
    void inputsOllamaCannotTakeAre400(String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, body);
        try {
            ApiException e = assertThrows(
                    ApiException.class,
                    () -> OllamaEmbedTranslator.request(in, "e", PooledByteBufAllocator.DEFAULT)
                            .body()
                            .release());
            assertEquals(400, e.error().status());
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @EnumSource(Bufs.Kind.class)
    void floatResponseGolden(Bufs.Kind kind) throws Exception {
        ByteBuf in = Bufs.of(kind, Fixtures.resource("embed/two_inputs.ollama.json"));
        try {
            OllamaEmbedTranslator.Translated t =
                    OllamaEmbedTranslator.response(in, false, PooledByteBufAllocator.DEFAULT);
            try {
                String text = Bufs.utf8(t.body());
                assertEquals(JSON.readTree(Fixtures.resource("embed/two_inputs.openai.json")), JSON.readTree(text));
                assertTrue(text.contains("0.010071029,-0.0017594862"), "numbers copied as Ollama wrote them: " + text);
                assertEquals(8, t.usage().promptTokens());
            } finally {
                t.body().release();
            }
        } finally {
            in.release();
        }
    }

    @Test
    void base64IsLittleEndianFloat32() throws Exception {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_DIRECT, Fixtures.resource("embed/two_inputs.ollama.json"));
        try {
            OllamaEmbedTranslator.Translated t =
                    OllamaEmbedTranslator.response(in, true, PooledByteBufAllocator.DEFAULT);
            try {
                JsonNode data = JSON.readTree(Bufs.utf8(t.body())).get("data");
                assertEquals(2, data.size());
                float[][] expected = {{0.010071029f, -0.0017594862f, 0.05007221f}, {-0.5f, 1.0e-3f, 2f}};
                for (int i = 0; i < 2; i++) {
                    ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder()
                                    .decode(data.get(i).get("embedding").asText()))
                            .order(ByteOrder.LITTLE_ENDIAN);
                    assertEquals(expected[i].length * 4, b.remaining());
                    for (float f : expected[i]) {
                        assertEquals(f, b.getFloat());
                    }
                }
            } finally {
                t.body().release();
            }
        } finally {
            in.release();
        }
    }

    @Test
    void longVectorsGrowTheBase64Buffer() throws Exception {
        StringBuilder s = new StringBuilder("{\"embeddings\":[[");
        for (int i = 0; i < 1000; i++) {
            s.append(i == 0 ? "" : ",").append(i);
        }
        s.append("]],\"prompt_eval_count\":1}");
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, s.toString());
        try {
            OllamaEmbedTranslator.Translated t =
                    OllamaEmbedTranslator.response(in, true, PooledByteBufAllocator.DEFAULT);
            try {
                String b64 = JSON.readTree(Bufs.utf8(t.body()))
                        .get("data")
                        .get(0)
                        .get("embedding")
                        .asText();
                ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(4000, b.remaining());
                assertEquals(999f, b.getFloat(3996));
            } finally {
                t.body().release();
            }
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "{\"model\":\"m\"}",
                "{\"embeddings\":[[1,\"x\"]]}",
                "{\"embeddings\":[[1,2]",
                "[]",
                "{\"embeddings\":[[1]]} x"
            })
    void unreadableAnswersAre502(String body) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, body);
        try {
            ApiException e = assertThrows(
                    ApiException.class,
                    () -> OllamaEmbedTranslator.response(in, false, PooledByteBufAllocator.DEFAULT)
                            .body()
                            .release());
            assertEquals(502, e.error().status());
            assertFalse(e.error().message().contains("embeddings"));
        } finally {
            in.release();
        }
    }
}

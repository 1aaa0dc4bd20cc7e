package io.aigw.adapters.messages;

import static io.aigw.adapters.messages.Fixtures.ALLOC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.aigw.adapters.testing.Bufs;
import io.aigw.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessagesErrorTranslatorTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "rate_limit, 429",
        "model_not_found, 404",
        "azure_partial, 400",
        "not_json, 502",
        "overloaded, 503",
        "bad_request, 400"
    })
    void golden(String name, int status) {
        ByteBuf in = Bufs.of(Bufs.Kind.POOLED_HEAP, Fixtures.resource("error/" + name + ".openai.json"));
        ApiError e;
        try {
            e = MessagesErrorTranslator.fromChat(status, in, "openai-main");
        } finally {
            in.release();
        }
        assertEquals(status, e.status(), "the provider's status is kept");
        ByteBuf body = MessagesErrorTranslator.toBody(e, ALLOC);
        try {
            String actual = Bufs.utf8(body);
            Fixtures.assertJson(Fixtures.resource("error/" + name + ".anthropic.json"), actual);
            assertFalse(actual.contains("sk-secret"), "a non-JSON body is never echoed");
        } finally {
            body.release();
        }
    }
}

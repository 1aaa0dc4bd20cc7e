package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.openai.core.JsonValue;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;

/** Tool definitions and the assertion on {@link OpenAiToolCallAnswers}' two calls, shared by the SDK tests. */
final class SdkToolCalls {
    private SdkToolCalls() {}

    static ChatCompletionFunctionTool tool(String name) {
        return ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder()
                        .name(name)
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .build())
                        .build())
                .build();
    }

    /** The two calls of {@link OpenAiToolCallAnswers}, whether they came whole or assembled from a stream. */
    static void assertTwoToolCalls(ChatCompletion c) {
        var choice = c.choices().get(0);
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        var calls = choice.message().toolCalls().orElseThrow().stream()
                .map(tc -> tc.asFunction())
                .toList();
        assertEquals(2, calls.size());
        assertEquals("call_1", calls.get(0).id());
        assertEquals("get_weather", calls.get(0).function().name());
        assertEquals("{\"city\":\"Paris\"}", calls.get(0).function().arguments());
        assertEquals("call_2", calls.get(1).id());
        assertEquals("{}", calls.get(1).function().arguments());
    }
}

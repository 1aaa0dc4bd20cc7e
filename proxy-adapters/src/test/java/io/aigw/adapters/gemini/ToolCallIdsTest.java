package io.aigw.adapters.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ToolCallIdsTest {

    @Test
    void aSignatureSurvivesTheRoundTripThroughAnOpenAiId() {
        Random r = new Random(18);
        for (int len = 1; len < 300; len += 7) {
            byte[] sig = new byte[len];
            r.nextBytes(sig);
            String standard = Base64.getEncoder().encodeToString(sig);
            String id = ToolCallIds.withSignature(3, standard);
            assertTrue(id.matches("call_3_[A-Za-z0-9_-]+"), id);
            assertEquals(standard, ToolCallIds.signatureOf(id));
        }
    }

    @Test
    void otherIdsCarryNoSignature() {
        assertNull(ToolCallIds.signatureOf(GeminiJson.newToolCallId()));
        assertNull(ToolCallIds.signatureOf("toolu_01A"));
        assertNull(ToolCallIds.signatureOf("call_12"));
        assertNull(ToolCallIds.signatureOf("call__abc"));
        assertNull(ToolCallIds.signatureOf(null));
        assertNull(ToolCallIds.withSignature(0, "not base64!"));
    }
}

package io.aigw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.util.ResourceLeakDetector;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Main turns Netty's leak detector off for production starts, unless a level is given explicitly. */
class MainLeakDetectionTest {
    @Test
    void offWhenNoLevelIsGiven() {
        assertEquals(ResourceLeakDetector.Level.DISABLED, Main.leakDetectionLevel(Map.<String, String>of()::get));
    }

    @Test
    void keptWhenTheLevelIsGiven() {
        assertNull(Main.leakDetectionLevel(Map.of("io.netty.leakDetection.level", "paranoid")::get));
    }

    @Test
    void keptWhenTheLevelIsGivenUnderTheOldName() {
        assertNull(Main.leakDetectionLevel(Map.of("io.netty.leakDetectionLevel", "simple")::get));
    }

    @Test
    void keptWhenGivenAsDisabled() {
        // Explicit is explicit: an operator asking for "disabled" (or anything) gets Netty's own reading.
        assertNull(Main.leakDetectionLevel(Map.of("io.netty.leakDetection.level", "disabled")::get));
    }
}

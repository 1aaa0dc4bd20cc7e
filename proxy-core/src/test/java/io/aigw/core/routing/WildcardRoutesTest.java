package io.aigw.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WildcardRoutesTest {

    private final WildcardRoutes<String> routes;

    WildcardRoutesTest() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("openrouter/*", "OR");
        m.put("openrouter/anthropic/*", "OR-ANTHROPIC");
        m.put("openrouter/anthropic/claude-special", "SPECIAL");
        m.put("gpt-4o", "GPT");
        routes = WildcardRoutes.of(m);
    }

    @Test
    void exactNameMatchesWithoutModelId() {
        WildcardRoutes.Match<String> m = routes.match("gpt-4o").orElseThrow();
        assertEquals("GPT", m.route());
        assertEquals("gpt-4o", m.name());
        assertEquals(Optional.empty(), m.modelId());
        assertFalse(m.wildcard());
    }

    @Test
    void wildcardYieldsTheRestAsModelId() {
        WildcardRoutes.Match<String> m =
                routes.match("openrouter/meta-llama/llama-3-70b").orElseThrow();
        assertEquals("OR", m.route());
        assertEquals("openrouter/*", m.name());
        assertEquals(Optional.of("meta-llama/llama-3-70b"), m.modelId());
        assertTrue(m.wildcard());
    }

    @Test
    void longestPrefixWins() {
        WildcardRoutes.Match<String> m =
                routes.match("openrouter/anthropic/claude-3.5-sonnet").orElseThrow();
        assertEquals("OR-ANTHROPIC", m.route());
        assertEquals(Optional.of("claude-3.5-sonnet"), m.modelId());
    }

    @Test
    void exactBeatsWildcard() {
        WildcardRoutes.Match<String> m =
                routes.match("openrouter/anthropic/claude-special").orElseThrow();
        assertEquals("SPECIAL", m.route());
        assertFalse(m.wildcard());
    }

    @Test
    void noMatch() {
        assertTrue(routes.match("gpt-4").isEmpty());
        assertTrue(routes.match("openrouter/").isEmpty(), "an empty model id does not match");
        assertTrue(routes.match("openrouter").isEmpty());
        assertTrue(routes.match("xopenrouter/foo").isEmpty());
        assertTrue(routes.match("").isEmpty());
        assertTrue(routes.match(null).isEmpty());
    }

    @Test
    void wildcardDetection() {
        assertTrue(WildcardRoutes.isWildcard("a/*"));
        assertFalse(WildcardRoutes.isWildcard("/*"));
        assertFalse(WildcardRoutes.isWildcard("a*"));
        assertFalse(WildcardRoutes.isWildcard("gpt-4o"));
    }
}

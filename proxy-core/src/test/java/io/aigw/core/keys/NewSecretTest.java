package io.aigw.core.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.auth.KeyHash;
import org.junit.jupiter.api.Test;

class NewSecretTest {
    @Test
    void keysAreRandomWellFormedAndShownOnlyByPrefix() {
        NewSecret a = NewSecret.generate();
        NewSecret b = NewSecret.generate();
        assertNotEquals(a.key(), b.key());
        assertEquals(NewSecret.LENGTH, a.key().length());
        assertTrue(NewSecret.isWellFormed(a.key()));
        assertEquals(KeyHash.ofKey(a.key()), a.hash());
        assertEquals(a.key().substring(0, 12) + "\u2026", a.prefix());
        assertFalse(a.toString().contains(a.key()));
    }

    @Test
    void otherShapesAreNotDatabaseKeys() {
        String good = NewSecret.generate().key();
        assertFalse(NewSecret.isWellFormed(good + "a"));
        assertFalse(NewSecret.isWellFormed(good.substring(1)));
        assertFalse(NewSecret.isWellFormed("sk-aigx-" + good.substring(8)));
        assertFalse(NewSecret.isWellFormed(good.substring(0, 20) + "+" + good.substring(21)));
        assertFalse(NewSecret.isWellFormed("sk-test-client-key"));
    }

    @Test
    void globsMatchPrefixesAndExactNamesOnly() {
        KeySettings s = KeySettings.named("k").withModels(java.util.List.of("gpt-4o*", "claude-3"));
        assertTrue(s.allowsModel("gpt-4o"));
        assertTrue(s.allowsModel("gpt-4o-mini"));
        assertTrue(s.allowsModel("claude-3"));
        assertFalse(s.allowsModel("claude-3-opus"));
        assertFalse(s.allowsModel("gpt-4"));
        assertFalse(s.allowsModel(null));
        assertTrue(KeySettings.named("all").allowsModel("anything"));
    }
}

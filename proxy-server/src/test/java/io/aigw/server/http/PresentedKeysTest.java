package io.aigw.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.auth.KeyHash;
import org.junit.jupiter.api.Test;

class PresentedKeysTest {
    @Test
    void aKeyPresentedAgainIsHashedOnce() {
        PresentedKeys keys = new PresentedKeys();
        KeyHash first = keys.lookup("sk-one");
        assertEquals(KeyHash.ofKey("sk-one"), first);
        assertSame(first, keys.lookup(new String("sk-one".toCharArray())));
        assertEquals(KeyHash.ofKey("sk-two"), keys.lookup("sk-two"));
        assertEquals(KeyHash.ofKey("sk-on"), keys.lookup("sk-on"), "a prefix is another key");
    }

    @Test
    void holdsOnlyTheLastFewKeys() {
        PresentedKeys keys = new PresentedKeys();
        KeyHash first = keys.lookup("sk-0");
        for (int i = 1; i <= PresentedKeys.SIZE; i++) {
            assertEquals(KeyHash.ofKey("sk-" + i), keys.lookup("sk-" + i));
        }
        KeyHash again = keys.lookup("sk-0");
        assertEquals(first, again);
        assertNotSame(first, again, "the oldest entry was replaced, so it is hashed anew");
    }

    @Test
    void sameKeyComparesWholeStrings() {
        assertTrue(PresentedKeys.sameKey("abc", "abc"));
        assertFalse(PresentedKeys.sameKey("abc", "abd"));
        assertFalse(PresentedKeys.sameKey("abc", "ab"));
        assertFalse(PresentedKeys.sameKey("", "a"));
    }
}

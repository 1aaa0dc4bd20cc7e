package io.aigw.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {
    @Test
    void version7VariantTwoTimeFirst() {
        long ms = 1_795_000_000_123L;
        UUID id = TimeOrderedIds.next(ms);
        assertEquals(7, id.version());
        assertEquals(2, id.variant());
        assertEquals(ms, id.getMostSignificantBits() >>> 16);
    }

    @Test
    void laterMillisecondsSortLaterAndIdsDoNotRepeat() {
        Set<UUID> seen = new HashSet<>();
        UUID previous = TimeOrderedIds.next(1_000L);
        for (long ms = 1_001L; ms < 21_001L; ms++) {
            UUID id = TimeOrderedIds.next(ms);
            assertTrue(id.toString().compareTo(previous.toString()) > 0, "textual order follows time");
            assertTrue(seen.add(id));
            assertTrue(seen.add(TimeOrderedIds.next(ms)), "two in one millisecond differ");
            previous = id;
        }
    }
}

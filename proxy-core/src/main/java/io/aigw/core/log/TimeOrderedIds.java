package io.aigw.core.log;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Rows inserted in time order
 * land at the right edge of the primary-key index instead of at random pages, which is most of
 * what an insert costs the database; the ids still never repeat in practice (74 random bits per
 * millisecond). Not a secret, so a fast random source is enough.
 */
final class TimeOrderedIds {
    private TimeOrderedIds() {}

    static UUID next(long epochMillis) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        long msb = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (rnd.nextLong() & 0x0FFFL);
        long lsb = rnd.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}

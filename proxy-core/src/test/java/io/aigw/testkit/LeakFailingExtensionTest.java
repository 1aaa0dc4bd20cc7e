package io.aigw.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Proves the suite's leak guard can fail: a buffer dropped unreleased must be reported. */
class LeakFailingExtensionTest {

    @Test
    void aDroppedBufferIsReportedAsAFailure() {
        leakOne();
        ExtensionContext ctx = (ExtensionContext) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {ExtensionContext.class},
                (p, m, a) -> m.getName().equals("getDisplayName") ? "probe" : null);
        AssertionError error = assertThrows(AssertionError.class, () -> {
            for (int i = 0; i < 20; i++) {
                new LeakFailingExtension().afterAll(ctx);
            }
        });
        assertTrue(error.getMessage().contains("LEAK"), error.getMessage());
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42);
        // deliberately not released
    }
}

package io.aigw.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns a Netty leak report into a test failure.
 *
 * <p>Registered for every test class through JUnit's extension auto-detection (see
 * {@code META-INF/services} and {@code junit-platform.properties} in this test-jar). The recording
 * detector factory is installed in the static initialiser, which JUnit runs before any test class
 * touches a buffer allocator, so every {@link ByteBuf} in the JVM is tracked by it. After each test
 * class it forces collection and allocates once more, because Netty only reports a leak when a later
 * allocation polls the reference queue.
 */
public final class LeakFailingExtension implements AfterAllCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(20);
            pollWith(PooledByteBufAllocator.DEFAULT.directBuffer(16));
            pollWith(PooledByteBufAllocator.DEFAULT.heapBuffer(16));
            pollWith(UnpooledByteBufAllocator.DEFAULT.directBuffer(16));
            pollWith(UnpooledByteBufAllocator.DEFAULT.heapBuffer(16));
        }
        if (!LEAKS.isEmpty()) {
            String report = String.join("\n\n", LEAKS);
            LEAKS.clear();
            throw new AssertionError(
                    "Netty reported a ByteBuf leak (seen after " + context.getDisplayName() + "):\n" + report);
        }
    }

    private static void pollWith(ByteBuf buf) {
        buf.release();
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                Class<T> resource, int samplingInterval, long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<?> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add("LEAK: " + resourceType + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add("LEAK: " + resourceType + " (untraced)");
            super.reportUntracedLeak(resourceType);
        }
    }
}

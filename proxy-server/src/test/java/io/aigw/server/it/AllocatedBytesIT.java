package io.aigw.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.server.metrics.Scrape;
import io.aigw.server.testing.Reply;
import io.aigw.server.testing.TestUpstream;
import org.junit.jupiter.api.Test;

/**
 * {@code aigw_jvm_allocated_bytes_total} through the real server: the counter the bench divides by a
 * phase's requests moves with the requests and counts the bytes of threads that have since ended.
 */
class AllocatedBytesIT {
    static final String SERIES = "aigw_jvm_allocated_bytes_total";
    static final int ARRAY = 8 << 20;

    /** Where the arrays go, so that no compiler can drop their allocation. */
    static volatile byte[] sink;

    static double allocated(ProxyHarness proxy) throws Exception {
        Scrape s = MetricsIT.scrape(proxy);
        assertTrue(s.text().contains("# TYPE " + SERIES + " counter"), s.text());
        assertTrue(s.has(SERIES), s.text());
        return s.value(SERIES);
    }

    @Test
    void aScrapeRequestsAScrapeTheCounterMoved() throws Exception {
        try (TestUpstream upstream = TestUpstream.start();
                ProxyHarness proxy = ProxyHarness.start(upstream.baseUrl(), null, "m", "m")) {
            upstream.setDefault(req -> Reply.json(200, FailoverIT.OK));
            double before = allocated(proxy);
            assertTrue(before > 0, "the JVM has allocated before any request");
            for (int i = 0; i < 20; i++) {
                assertEquals(
                        200, proxy.post("/v1/chat/completions", FailoverIT.CHAT).statusCode());
            }
            double afterRequests = allocated(proxy);
            assertTrue(afterRequests > before, before + " then " + afterRequests);

            // A thread that allocates 8 MB and ends: its bytes stay in the count.
            Thread t = new Thread(() -> sink = new byte[ARRAY], "allocates-and-ends");
            t.start();
            t.join();
            double afterThread = allocated(proxy);
            assertTrue(afterThread - afterRequests >= ARRAY, afterRequests + " then " + afterThread);
        }
    }
}

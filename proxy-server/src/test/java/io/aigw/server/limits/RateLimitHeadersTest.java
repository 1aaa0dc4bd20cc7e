package io.aigw.server.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {
    @Test
    void resetsAreWrittenAsOpenAiWritesThem() {
        assertEquals("0s", RateLimitHeaders.duration(Duration.ZERO));
        assertEquals("6ms", RateLimitHeaders.duration(Duration.ofMillis(6)));
        assertEquals("999ms", RateLimitHeaders.duration(Duration.ofMillis(999)));
        assertEquals("1s", RateLimitHeaders.duration(Duration.ofSeconds(1)));
        assertEquals("1.5s", RateLimitHeaders.duration(Duration.ofMillis(1500)));
        assertEquals("17.28s", RateLimitHeaders.duration(Duration.ofMillis(17_280)));
        assertEquals("20.005s", RateLimitHeaders.duration(Duration.ofMillis(20_005)));
        assertEquals("6m0s", RateLimitHeaders.duration(Duration.ofMinutes(6)));
        assertEquals("1m0.5s", RateLimitHeaders.duration(Duration.ofMillis(60_500)));
        assertEquals("2h0m0s", RateLimitHeaders.duration(Duration.ofHours(2)));
        assertEquals(
                "23h59m59.999s", RateLimitHeaders.duration(Duration.ofDays(1).minusMillis(1)));
        assertEquals("0s", RateLimitHeaders.duration(Duration.ofMillis(-5)));
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUpAndMilliseconds() {
        HttpHeaders h = new DefaultHttpHeaders();
        RateLimitHeaders.addRetryAfter(h, Duration.ofMillis(1200));
        assertEquals("2", h.get("retry-after"));
        assertEquals("1200", h.get("retry-after-ms"));
        RateLimitHeaders.addRetryAfter(h, Duration.ZERO);
        assertEquals("1", h.get("retry-after"));
        assertEquals("1", h.get("retry-after-ms"));
    }
}

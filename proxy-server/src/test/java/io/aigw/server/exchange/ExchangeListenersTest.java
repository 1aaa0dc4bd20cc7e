package io.aigw.server.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aigw.server.http.Exchange;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExchangeListenersTest {
    /** Notes each event it hears, with its name. */
    private record Noting(String name, List<String> heard) implements ExchangeListener {
        @Override
        public void started(Exchange e) {
            heard.add(name + ":started");
        }

        @Override
        public void attemptStarted(Exchange e, Attempt a) {
            heard.add(name + ":attemptStarted " + a.number());
        }

        @Override
        public void attemptEnded(Exchange e, Attempt a) {
            heard.add(name + ":attemptEnded " + a.number());
        }

        @Override
        public void firstByteToClient(Exchange e) {
            heard.add(name + ":firstByteToClient");
        }

        @Override
        public void completed(Exchange e) {
            heard.add(name + ":completed");
        }
    }

    /** Throws from every event, as a buggy listener would. */
    private static final class Throwing implements ExchangeListener {
        @Override
        public void started(Exchange e) {
            throw new IllegalStateException("started");
        }

        @Override
        public void attemptStarted(Exchange e, Attempt a) {
            throw new IllegalStateException("attemptStarted");
        }

        @Override
        public void attemptEnded(Exchange e, Attempt a) {
            throw new IllegalStateException("attemptEnded");
        }

        @Override
        public void firstByteToClient(Exchange e) {
            throw new IllegalStateException("firstByteToClient");
        }

        @Override
        public void completed(Exchange e) {
            throw new IllegalStateException("completed");
        }
    }

    @Test
    void listenersHearEveryEventInOrderAndAThrowingOneIsCountedNotPassedOn() {
        List<String> heard = new ArrayList<>();
        ExchangeListeners listeners =
                new ExchangeListeners(List.of(new Noting("a", heard), new Throwing(), new Noting("b", heard)));
        Exchange e = new Exchange("req-1", System.nanoTime(), HttpMethod.POST, "/v1/chat/completions");
        Attempt a = new Attempt(1, "m@p", "p", "openai", "gpt", 0, "127.0.0.1", System.nanoTime());

        listeners.started(e);
        listeners.attemptStarted(e, a);
        listeners.attemptEnded(e, a);
        listeners.firstByteToClient(e);
        listeners.completed(e);

        assertEquals(
                List.of(
                        "a:started",
                        "b:started",
                        "a:attemptStarted 1",
                        "b:attemptStarted 1",
                        "a:attemptEnded 1",
                        "b:attemptEnded 1",
                        "a:firstByteToClient",
                        "b:firstByteToClient",
                        "a:completed",
                        "b:completed"),
                heard);
        assertEquals(5, listeners.failures(), "each throw counted once");
    }

    @Test
    void noListenersIsFine() {
        ExchangeListeners none = ExchangeListeners.none();
        Exchange e = new Exchange("req-2", System.nanoTime(), HttpMethod.GET, "/health");
        none.started(e);
        none.completed(e);
        assertEquals(0, none.failures());
    }
}

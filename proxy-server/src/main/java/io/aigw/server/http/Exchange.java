package io.aigw.server.http;

import io.aigw.core.auth.KeyHash;
import io.aigw.core.error.ApiError;
import io.aigw.core.log.ExchangeRecord;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.AttributeKey;

/**
 * One request/response exchange on a client connection: created by {@link ExchangeStartHandler}
 * when a complete request arrives, read and filled in by the handlers after it. Confined to the
 * connection's event loop, so no field needs synchronisation.
 */
public final class Exchange {
    public static final AttributeKey<Exchange> KEY = AttributeKey.valueOf("aigw.exchange");

    private final String requestId;
    private final long startNanos;
    private final HttpMethod method;
    private final String path;
    private KeyHash keyHash;
    private ClientListener listener;
    private ExchangeRecord record;

    /** What an in-flight upstream call needs to hear about the client connection. */
    public interface ClientListener {
        void clientWritabilityChanged();

        void clientClosed();

        /**
         * The server is stopping and its grace is over: let go of the exchange now (an upstream call
         * is cancelled). True if the listener ended the client's answer itself (a stream that already
         * sent its head gets {@code error} as its last event); false leaves answering to the caller.
         */
        default boolean serverStopping(ApiError error) {
            clientClosed();
            return false;
        }
    }

    Exchange(String requestId, long startNanos, HttpMethod method, String path) {
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.method = method;
        this.path = path;
    }

    public static Exchange of(Channel channel) {
        return channel.attr(KEY).get();
    }

    public String requestId() {
        return requestId;
    }

    public long startNanos() {
        return startNanos;
    }

    public HttpMethod method() {
        return method;
    }

    /** The decoded path without the query string. */
    public String path() {
        return path;
    }

    public KeyHash keyHash() {
        return keyHash;
    }

    void keyHash(KeyHash keyHash) {
        this.keyHash = keyHash;
    }

    /** The request log's record of this exchange, or null when the log is off. */
    public ExchangeRecord record() {
        return record;
    }

    void record(ExchangeRecord record) {
        this.record = record;
    }

    /** An error the client was told about in a way the response status does not show (mid-stream). */
    public void failed(ApiError error) {
        if (record != null && record.error == null) {
            record.error = error.code() + ": " + error.message();
        }
    }

    public ClientListener listener() {
        return listener;
    }

    public void listener(ClientListener listener) {
        this.listener = listener;
    }
}

package io.aigw.server.http;

import static io.aigw.server.http.HttpTesting.assertNoResponse;
import static io.aigw.server.http.HttpTesting.assertNothingPassedOn;
import static io.aigw.server.http.HttpTesting.assertOpenAiError;
import static io.aigw.server.http.HttpTesting.readRequest;
import static io.aigw.server.http.HttpTesting.readResponse;
import static io.aigw.server.http.HttpTesting.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.aigw.core.auth.ApiKeyStore;
import io.aigw.core.auth.KeyHash;
import io.aigw.core.keys.ClientKey;
import io.aigw.core.keys.KeyDirectory;
import io.aigw.core.keys.KeySettings;
import io.aigw.core.keys.KeyStore;
import io.aigw.core.keys.KeyStores;
import io.aigw.core.keys.NewSecret;
import io.aigw.core.keys.Spend;
import io.aigw.core.keys.SpendLedger;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database key not yet cached: the auth handler holds the request while the directory looks the
 * hash up on its own thread, and resumes on the channel's loop; every path releases the request.
 */
class DatabaseKeyAuthTest {
    private static final ApiKeyStore CONFIG_KEYS = new ApiKeyStore(List.of(KeyHash.ofKey("sk-config-key-0123456789")));

    @TempDir
    Path dir;

    private KeyStore sqlite;
    private final CountDownLatch proceed = new CountDownLatch(1);
    private volatile boolean fail;
    private KeyDirectory directory;
    private EmbeddedChannel ch;
    /** The last request sent, to check it was released. */
    private FullHttpRequest sent;

    /** The SQLite store, whose hash lookups wait for {@link #proceed} (and fail when asked to). */
    private final class HeldStore implements KeyStore {
        @Override
        public void migrate() throws SQLException {
            sqlite.migrate();
        }

        @Override
        public ClientKey create(KeySettings s, KeyHash hash, String prefix, Instant now) throws SQLException {
            return sqlite.create(s, hash, prefix, now);
        }

        @Override
        public ClientKey get(long id) throws SQLException {
            return sqlite.get(id);
        }

        @Override
        public List<ClientKey> byHashes(Collection<KeyHash> hashes) throws SQLException {
            try {
                proceed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (fail) {
                throw new SQLException("database down (test)");
            }
            return sqlite.byHashes(hashes);
        }

        @Override
        public List<ClientKey> byIds(Collection<Long> ids) throws SQLException {
            return sqlite.byIds(ids);
        }

        @Override
        public List<ClientKey> list(String name, long afterId, int limit) throws SQLException {
            return sqlite.list(name, afterId, limit);
        }

        @Override
        public ClientKey update(long id, KeySettings s, Instant now) throws SQLException {
            return sqlite.update(id, s, now);
        }

        @Override
        public ClientKey revoke(long id, Instant now) throws SQLException {
            return sqlite.revoke(id, now);
        }

        @Override
        public ClientKey rotate(long id, KeyHash h, String prefix, Instant until, Instant now) throws SQLException {
            return sqlite.rotate(id, h, prefix, until, now);
        }

        @Override
        public void addSpend(List<SpendDelta> deltas) throws SQLException {
            sqlite.addSpend(deltas);
        }

        @Override
        public Map<Long, Spend> spendSince(Collection<Long> ids, LocalDate from) throws SQLException {
            return sqlite.spendSince(ids, from);
        }

        @Override
        public void close() {
            sqlite.close();
        }
    }

    @BeforeEach
    void open() throws Exception {
        sqlite = KeyStores.sqlite(dir.resolve("keys.db"));
        sqlite.migrate();
        directory = new KeyDirectory(new HeldStore(), new SpendLedger(), KeyDirectory.Tuning.DEFAULT, Clock.systemUTC())
                .start();
        ch = new EmbeddedChannel(new ApiKeyAuthHandler(CONFIG_KEYS, null, null, false, directory));
    }

    @AfterEach
    void close() {
        proceed.countDown();
        ch.finishAndReleaseAll();
        directory.close();
        sqlite.close();
    }

    private Exchange send(String key) {
        FullHttpRequest request = request(
                HttpMethod.POST,
                "/v1/chat/completions",
                "{}",
                HttpHeaderNames.AUTHORIZATION.toString(),
                "Bearer " + key);
        Exchange ex = new Exchange(
                "req-db-auth", System.nanoTime(), request.method(), new QueryStringDecoder(request.uri()).path());
        ch.attr(Exchange.KEY).set(ex);
        sent = request;
        ch.writeInbound(request);
        return ex;
    }

    /** Lets the lookup answer, then runs what it handed to the channel's loop. */
    private void answer() throws InterruptedException {
        proceed.countDown();
        Thread.sleep(300); // the lookup thread completes and hands the rest to the loop
        ch.runPendingTasks();
    }

    @Test
    void aMissIsHeldAndPassedOnOnceFoundWithItsPrincipal() throws Exception {
        NewSecret s = NewSecret.generate();
        ClientKey key = sqlite.create(KeySettings.named("k"), s.hash(), s.prefix(), Instant.now());
        Exchange ex = send(s.key());
        assertNothingPassedOn(ch);
        assertNoResponse(ch);
        answer();
        FullHttpRequest passed = readRequest(ch);
        assertSame(sent, passed);
        assertEquals(1, passed.refCnt());
        passed.release();
        assertEquals(key.id(), ex.keyId());
        assertEquals(s.hash(), ex.keyHash());
        // Now cached: answered without waiting.
        Exchange again = send(s.key());
        readRequest(ch).release();
        assertEquals(key.id(), again.keyId());
    }

    @Test
    void aRequestHeldWhileItsConnectionClosesIsReleasedAndNotAnswered() throws Exception {
        NewSecret s = NewSecret.generate();
        sqlite.create(KeySettings.named("k"), s.hash(), s.prefix(), Instant.now());
        send(s.key());
        ch.close();
        answer();
        assertNothingPassedOn(ch);
        assertNoResponse(ch);
        assertEquals(0, sent.refCnt(), "the held request is released");
    }

    @Test
    void aStoreThatFailsGets503AndTheRequestIsReleased() throws Exception {
        fail = true;
        Exchange ex = send(NewSecret.generate().key());
        answer();
        assertNothingPassedOn(ch);
        assertOpenAiError(readResponse(ch), 503, "api_error", "key_store_unavailable");
        assertNull(ex.keyId());
        assertEquals(0, sent.refCnt());
    }

    @Test
    void anUnknownKeyGets401AndIsThenAnsweredFromTheCache() throws Exception {
        String unknown = NewSecret.generate().key();
        send(unknown);
        answer();
        assertOpenAiError(readResponse(ch), 401, "invalid_request_error", "invalid_api_key");
        send(unknown);
        assertOpenAiError(readResponse(ch), 401, "invalid_request_error", "invalid_api_key");
        assertSame(KeyDirectory.Found.UNKNOWN, directory.cached(KeyHash.ofKey(unknown)));
    }

    @Test
    void aKeyNotShapedLikeADatabaseKeyIsRefusedWithoutALookup() {
        for (String key : List.of(
                "sk-aigw-short",
                "sk-other-" + "a".repeat(42),
                NewSecret.generate().key() + "x")) {
            send(key);
            assertOpenAiError(readResponse(ch), 401, "invalid_request_error", "invalid_api_key");
            assertNull(directory.cached(KeyHash.ofKey(key)));
        }
        assertEquals(0, directory.missQueries());
    }
}

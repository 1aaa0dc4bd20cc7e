package io.aigw.bench.mock;

import io.aigw.server.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A fast mock LLM provider for load tests: OpenAI chat/completions/embeddings and Anthropic messages,
 * JSON or SSE, shaped per request by options carried in the {@code model} string
 * ({@code mock;chunks=20;delay=1000;latency=5;size=2000;status=500}). See {@link MockHandler}.
 * {@code GET /stats} answers how many requests each model string was sent (see {@link MockResponses#stats()}).
 *
 * <pre>java -cp 'bench/target/classes:bench/target/lib/*' io.aigw.bench.mock.MockProvider --port 9100 [--threads N]</pre>
 */
public final class MockProvider implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final MockResponses responses;
    private final String transportName;
    private volatile boolean closed;

    private MockProvider(EventLoopGroup group, Channel serverChannel, MockResponses responses, String transportName) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.responses = responses;
        this.transportName = transportName;
    }

    /** Starts on 127.0.0.1:{@code port} (0 = ephemeral) with one event loop thread. */
    public static MockProvider start(int port) {
        return start(port, 1);
    }

    public static MockProvider start(int port, int threads) {
        Transport transport = Transport.detect();
        EventLoopGroup group = transport.newGroup(Math.max(1, threads), "mock-provider");
        MockResponses responses = new MockResponses();
        HttpDecoderConfig decoderConfig = new HttpDecoderConfig().setValidateHeaders(false);
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 8192)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpRequestDecoder(decoderConfig), new MockHandler(responses));
                        }
                    });
            Channel ch = b.bind(new InetSocketAddress("127.0.0.1", port))
                    .syncUninterruptibly()
                    .channel();
            return new MockProvider(group, ch, responses, transport.name());
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            responses.close();
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public String transport() {
        return transportName;
    }

    /** Stops accepting, closes every connection and frees the canned buffers. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        responses.close();
    }

    public static void main(String[] args) {
        int port = 9100;
        int threads = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value(args, ++i));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i));
                case "-h", "--help" -> {
                    System.err.println("usage: MockProvider [--port 9100] [--threads 1]");
                    return;
                }
                default -> {
                    System.err.println(
                            "unknown argument: " + args[i] + "\nusage: MockProvider [--port 9100] [--threads 1]");
                    System.exit(2);
                }
            }
        }
        MockProvider mock = start(port, threads);
        Runtime.getRuntime().addShutdownHook(new Thread(mock::close, "mock-provider-shutdown"));
        System.out.println("mock provider listening on 127.0.0.1:" + mock.port());
        System.out.flush();
        System.err.println("mock provider: transport " + mock.transport() + ", " + threads + " thread(s)");
        mock.serverChannel.closeFuture().awaitUninterruptibly();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }
}

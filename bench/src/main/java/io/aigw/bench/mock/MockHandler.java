package io.aigw.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection of the mock provider. Requests are decoded by {@link io.netty.handler.codec.http.HttpRequestDecoder};
 * responses are canned wire bytes written without an encoder. Responses go out in request order
 * (pipelined requests wait in a small queue); latency and inter-chunk delays are scheduled on the
 * channel's event loop.
 */
final class MockHandler extends ChannelInboundHandlerAdapter {

    private static final int MAX_BODY = 8 << 20;

    private final MockResponses responses;
    private final Runnable tick = this::tick;
    private ChannelHandlerContext ctx;

    // Request being received.
    private int route;
    private boolean keepAlive = true;
    private ByteBuf body;
    private boolean tooLarge;
    private boolean malformed;

    // Response being written.
    private boolean busy;
    private ArrayDeque<Pending> queue;
    private MockResponses.Canned current;
    private boolean currentKeepAlive;
    private int next;
    private ScheduledFuture<?> timer;

    private record Pending(MockResponses.Canned canned, boolean keepAlive) {}

    MockHandler(MockResponses responses) {
        this.responses = responses;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest req) {
                startRequest(req);
            }
            if (msg instanceof HttpContent content) {
                if (content.decoderResult().isFailure()) {
                    malformed = true;
                }
                ByteBuf c = content.content();
                boolean last = msg instanceof LastHttpContent;
                if (needsBody() && !tooLarge && c.isReadable()) {
                    if (body == null && last) {
                        finishRequest(c);
                        return;
                    }
                    if (body == null) {
                        body = ctx.alloc().buffer(Math.max(1024, c.readableBytes() * 2));
                    }
                    if (body.readableBytes() + c.readableBytes() > MAX_BODY) {
                        tooLarge = true;
                    } else {
                        body.writeBytes(c);
                    }
                }
                if (last) {
                    finishRequest(body);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void startRequest(HttpRequest req) {
        releaseBody();
        tooLarge = false;
        malformed = req.decoderResult().isFailure();
        keepAlive = HttpUtil.isKeepAlive(req);
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        boolean post = req.method() == HttpMethod.POST || HttpMethod.POST.equals(req.method());
        route = switch (path) {
            case "/v1/chat/completions" -> post ? MockResponses.CHAT : MockResponses.BAD_METHOD;
            case "/v1/completions" -> post ? MockResponses.COMPLETIONS : MockResponses.BAD_METHOD;
            case "/v1/embeddings" -> post ? MockResponses.EMBEDDINGS : MockResponses.BAD_METHOD;
            case "/v1/messages" -> post ? MockResponses.MESSAGES : MockResponses.BAD_METHOD;
            case "/health" -> MockResponses.HEALTH;
            case "/stats" -> MockResponses.STATS;
            default -> MockResponses.NOT_FOUND;
        };
        if (HttpUtil.is100ContinueExpected(req) && !malformed) {
            ctx.writeAndFlush(responses.continue100.retainedDuplicate(), ctx.voidPromise());
        }
    }

    private boolean needsBody() {
        return route >= MockResponses.CHAT && route <= MockResponses.MESSAGES;
    }

    /** The body is complete ({@code buf} may be null for an empty body): pick the canned response and queue it. */
    private void finishRequest(ByteBuf buf) {
        MockResponses.Canned canned;
        boolean ka = keepAlive;
        if (malformed) {
            canned = responses.badRequest();
            ka = false;
        } else if (tooLarge) {
            canned = responses.tooLarge();
            ka = false;
        } else if (route == MockResponses.HEALTH) {
            canned = responses.health();
        } else if (route == MockResponses.STATS) {
            canned = responses.stats();
        } else if (route == MockResponses.NOT_FOUND) {
            canned = responses.notFound();
        } else if (route == MockResponses.BAD_METHOD) {
            canned = responses.badMethod();
        } else {
            RequestScan scan = buf == null ? new RequestScan() : RequestScan.scan(buf);
            canned = responses.get(route, scan.stream, scan.includeUsage, scan.model);
            canned.served.increment();
        }
        releaseBody();
        if (!busy) {
            begin(canned, ka);
        } else {
            if (queue == null) {
                queue = new ArrayDeque<>(4);
            }
            queue.add(new Pending(canned, ka));
        }
        if (!ka) {
            // Nothing after a closing request is answered; stop reading.
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void begin(MockResponses.Canned canned, boolean ka) {
        busy = true;
        current = canned;
        currentKeepAlive = ka;
        next = -1;
        if (canned.latencyMs > 0) {
            timer = ctx.executor().schedule(tick, canned.latencyMs, TimeUnit.MILLISECONDS);
        } else {
            tick();
        }
    }

    /** Writes the next step of the current response: head, then one chunk per call (or all when there is no delay). */
    private void tick() {
        timer = null;
        MockResponses.Canned c = current;
        if (c == null || !ctx.channel().isActive()) {
            return;
        }
        if (next < 0) {
            next = 0;
            if (!c.streaming()) {
                ctx.writeAndFlush(c.head.retainedDuplicate(), ctx.voidPromise());
                done();
                return;
            }
            ctx.write(c.head.retainedDuplicate(), ctx.voidPromise());
        }
        ByteBuf[] chunks = c.chunks;
        if (c.delayMs <= 0) {
            while (next < chunks.length) {
                ctx.writeAndFlush(chunks[next++].retainedDuplicate(), ctx.voidPromise());
            }
        } else if (next < chunks.length) {
            ctx.writeAndFlush(chunks[next++].retainedDuplicate(), ctx.voidPromise());
            if (next < chunks.length) {
                timer = ctx.executor().schedule(tick, c.delayMs, TimeUnit.MILLISECONDS);
                return;
            }
        }
        ctx.writeAndFlush(c.tail.retainedDuplicate(), ctx.voidPromise());
        done();
    }

    private void done() {
        busy = false;
        current = null;
        if (!currentKeepAlive) {
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        Pending p = queue == null ? null : queue.poll();
        if (p != null) {
            begin(p.canned(), p.keepAlive());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        current = null;
        if (queue != null) {
            queue.clear();
        }
        releaseBody();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseBody();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}

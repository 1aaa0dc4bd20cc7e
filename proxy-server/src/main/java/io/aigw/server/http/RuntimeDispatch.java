package io.aigw.server.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.function.Supplier;

/**
 * The auth and router places of the pipeline, handing each request to its exchange's runtime
 * snapshot (taken once, by {@link ExchangeStartHandler}): the handlers of a snapshot are sharable
 * and only use the context to pass the request on or answer, so they run under this one's.
 */
public final class RuntimeDispatch {
    private RuntimeDispatch() {}

    /**
     * Where the exchange's key is checked; a request without a snapshot of its own (none is built
     * so, but a check must fail closed) is checked by the newest one's, never passed on unchecked.
     */
    public static ChannelInboundHandlerAdapter auth(Supplier<? extends ExchangeRuntime> current) {
        return new Auth(current);
    }

    /** Where the exchange's endpoint is found; connection events go to the newest router. */
    public static ChannelInboundHandlerAdapter router(Supplier<? extends ExchangeRuntime> current) {
        return new Router(current);
    }

    /** The exchange's own snapshot, or the newest when it has none. */
    private static ExchangeRuntime runtimeOf(ChannelHandlerContext ctx, Supplier<? extends ExchangeRuntime> current) {
        Exchange exchange = Exchange.of(ctx.channel());
        ExchangeRuntime own = exchange == null ? null : exchange.runtime();
        return own != null ? own : current.get();
    }

    @Sharable
    private static final class Auth extends ChannelInboundHandlerAdapter {
        private final Supplier<? extends ExchangeRuntime> current;

        Auth(Supplier<? extends ExchangeRuntime> current) {
            this.current = current;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof FullHttpRequest)) {
                ctx.fireChannelRead(msg);
                return;
            }
            runtimeOf(ctx, current).auth().channelRead(ctx, msg);
        }
    }

    @Sharable
    private static final class Router extends ChannelInboundHandlerAdapter {
        private final Supplier<? extends ExchangeRuntime> current;

        Router(Supplier<? extends ExchangeRuntime> current) {
            this.current = current;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ExchangeRuntime runtime = msg instanceof FullHttpRequest ? runtimeOf(ctx, current) : current.get();
            runtime.router().channelRead(ctx, msg);
        }

        // Whichever router: these only tell the exchange's own upstream call.
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            current.get().router().channelWritabilityChanged(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            current.get().router().channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            current.get().router().exceptionCaught(ctx, cause);
        }
    }
}

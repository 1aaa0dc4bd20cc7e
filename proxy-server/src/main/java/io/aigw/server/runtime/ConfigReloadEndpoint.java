package io.aigw.server.runtime;

import io.aigw.core.error.ApiError;
import io.aigw.server.endpoint.Endpoint;
import io.aigw.server.http.Exchange;
import io.aigw.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code POST /admin/config/reload}: reloads the config file (off the loop, after any reload
 * already running) and answers what changed, or a 400 {@code config_invalid} naming the problem
 * while the running config stays.
 */
public final class ConfigReloadEndpoint implements Endpoint {
    public static final String PATH = "/admin/config/reload";

    static final ApiError UNAVAILABLE = new ApiError(
            409,
            ApiError.INVALID_REQUEST,
            "config_reload_unavailable",
            null,
            "This server was not started from a config file, so there is nothing to reload.");

    private final ConfigReloader reloader;

    public ConfigReloadEndpoint(ConfigReloader reloader) {
        this.reloader = reloader;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        request.release();
        if (!reloader.available()) {
            Responses.sendError(ctx, UNAVAILABLE);
            return;
        }
        reloader.reload("admin API").whenComplete((outcome, failure) -> {
            try {
                ctx.executor().execute(() -> answer(ctx, outcome, failure));
            } catch (RejectedExecutionException stopped) {
                // the loop is gone, and the connection with it
            }
        });
    }

    private static void answer(ChannelHandlerContext ctx, ReloadOutcome outcome, Throwable failure) {
        if (failure != null) {
            Responses.sendError(ctx, invalid(failure.toString()));
        } else if (outcome.ok()) {
            Responses.sendJson(ctx, 200, outcome.json());
        } else if (outcome.stopping()) {
            Responses.sendError(ctx, ApiError.unavailable("shutting_down", "The proxy is stopping."));
        } else {
            Responses.sendError(ctx, invalid(outcome.error()));
        }
    }

    static ApiError invalid(String message) {
        return new ApiError(
                400,
                ApiError.INVALID_REQUEST,
                "config_invalid",
                null,
                "The config was not reloaded (the running one stays): " + message);
    }
}

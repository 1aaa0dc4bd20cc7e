package io.aigw.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** A command that calls the admin API: the common options, the client, {@code --json} on refusals. */
abstract class AdminCommand implements Callable<Integer> {
    final CliContext ctx;

    @Mixin
    AdminOptions options;

    private AdminClient client;

    AdminCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public final Integer call() throws Exception {
        client = options.client(ctx);
        return run();
    }

    abstract int run() throws Exception;

    AdminClient.Answer call(String method, String path, JsonNode body) throws CliFailure, InterruptedException {
        try {
            return client.send(method, path, body);
        } catch (AdminClient.Refused r) {
            if (options.json && r.body != null && !r.body.isBlank()) {
                // Scripts reading --json get the server's error object too; the exit code says it failed.
                ctx.out().println(r.body.strip());
            }
            throw r.failure;
        }
    }

    /** With {@code --json} the answer as the server sent it; otherwise {@code human} prints it. */
    int print(AdminClient.Answer answer, Runnable human) {
        if (options.json) {
            ctx.out().println(answer.body().strip());
        } else {
            human.run();
        }
        return AigwCli.OK;
    }
}

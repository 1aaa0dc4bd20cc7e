package io.aigw.server.cli;

import java.net.URI;
import java.net.URISyntaxException;
import picocli.CommandLine.Option;

/** The options of every command that talks to a running aigw. */
final class AdminOptions {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";

    @Option(
            names = "--url",
            paramLabel = "URL",
            description = "The aigw to talk to (default: $AIGW_URL, else " + DEFAULT_URL + ").")
    String url;

    @Option(names = "--json", description = "Print the server's JSON answer as it is, instead of a table.")
    boolean json;

    /** The base URL, without a trailing slash; a malformed one is a usage error. */
    URI baseUrl(CliContext ctx) throws CliFailure {
        String given = url != null ? url : ctx.env().getOrDefault("AIGW_URL", "");
        if (given.isBlank()) {
            given = DEFAULT_URL;
        }
        given = given.trim();
        while (given.endsWith("/")) {
            given = given.substring(0, given.length() - 1);
        }
        try {
            URI uri = new URI(given);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new CliFailure(AigwCli.USAGE, "--url: expected http://HOST:PORT or https://HOST:PORT");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new CliFailure(AigwCli.USAGE, "--url: not a valid URL");
        }
    }

    /** A client for the admin API, with the admin key from {@code AIGW_ADMIN_KEY}. */
    AdminClient client(CliContext ctx) throws CliFailure {
        String key = ctx.env().get("AIGW_ADMIN_KEY");
        if (key == null || key.isBlank()) {
            // Deliberately no --admin-key option: an argument shows in `ps` and in shell history.
            throw new CliFailure(
                    AigwCli.USAGE,
                    "set AIGW_ADMIN_KEY to an admin key (auth.admin_keys); it is never taken as an argument");
        }
        return new AdminClient(baseUrl(ctx), key.trim());
    }
}

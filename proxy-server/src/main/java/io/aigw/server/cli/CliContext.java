package io.aigw.server.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * What a command reads and writes besides its arguments, passed in rather than taken from
 * {@code System} so tests run the commands in-process.
 *
 * @param env the environment ({@code AIGW_URL}, {@code AIGW_ADMIN_KEY}, {@code AIGW_MASTER_KEY}, ...)
 * @param interactive whether {@code in} is the terminal (then secrets are read without echo)
 */
record CliContext(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, boolean interactive) {}

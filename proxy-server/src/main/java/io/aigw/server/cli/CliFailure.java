package io.aigw.server.cli;

/**
 * A command that cannot finish: its one-line message goes to stderr and {@link #exitCode} is the
 * process's status (see {@link AigwCli} for the codes). Never carries a key.
 */
final class CliFailure extends Exception {
    final int exitCode;

    CliFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }
}

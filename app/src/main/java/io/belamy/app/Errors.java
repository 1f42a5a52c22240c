package io.belamy.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns exceptions from commands into one line on stderr and an exit code: 2 for invalid input (bad
 * option values, prompts that do not fit), 1 for everything else. Set {@code BELAMY_DEBUG=1} for
 * the stack trace.
 */
final class Errors implements IExecutionExceptionHandler {

    static final int FAILURE = 1;
    static final int INVALID_INPUT = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, ParseResult parseResult) {
        String command = cli.getCommandSpec().qualifiedName();
        cli.getErr().println(command + ": " + describe(e));
        if (System.getenv("BELAMY_DEBUG") != null) {
            e.printStackTrace(cli.getErr());
        }
        return e instanceof IllegalArgumentException ? INVALID_INPUT : FAILURE;
    }

    /** The message and its causes' messages, e.g. "x.json: not valid JSON: Unexpected end". */
    static String describe(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            e = u.getCause();
        }
        String message = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException n) {
            message = n.getFile() + (n.getReason() != null ? ": " + n.getReason() : ": not found");
        } else if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        if (e instanceof IOException || e instanceof IllegalArgumentException) {
            return message;
        }
        return e.getClass().getSimpleName() + ": " + message;
    }
}

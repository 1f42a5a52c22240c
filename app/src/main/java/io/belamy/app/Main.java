package io.belamy.app;

import picocli.CommandLine;

/** The {@code belamy} command line. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command and returns its exit code (0 ok, 1 failure, 2 invalid usage or input). */
    public static int run(String... args) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        // file systems for model stores given as s3://, gs:// ... URIs, as Flink loads them
        io.belamy.streaming.FileSystemModelStore.loadPlugins();
        return commandLine().execute(args);
    }

    /** The configured command line, for embedding (tests, other tools). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BelamyCommand());
        cli.setExecutionExceptionHandler(new Errors());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }
}

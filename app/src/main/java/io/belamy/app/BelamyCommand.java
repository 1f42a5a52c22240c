package io.belamy.app;

import picocli.CommandLine.Command;

@Command(
        name = "belamy",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {
            "Streaming text and music generation on Kafka, Flink and DJL.",
            "",
            "Models are Hugging Face directories (config.json + model.safetensors + tokenizer.json)."
        },
        subcommands = {
            DemoCommand.class,
            ServeCommand.class,
            PromptCommand.class,
            ListenCommand.class,
            IngestCommand.class,
            TrainCommand.class,
            MusicCommand.class,
            RenderCommand.class,
            ModelsCommand.class,
            ClusterCommand.class,
            GenerateCommand.class,
            FillMaskCommand.class,
            BenchCommand.class
        },
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Run 'belamy COMMAND --help' for a command's options."})
final class BelamyCommand implements Runnable {

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

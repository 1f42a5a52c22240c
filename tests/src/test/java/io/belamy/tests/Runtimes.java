package io.belamy.tests;

import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.core.topic.Topics;
import io.belamy.generate.GenerateJob;
import io.belamy.streaming.JobArgs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;

/** Starting the embedded runtime and belamy's jobs on it, for end-to-end tests. */
final class Runtimes {

    private Runtimes() {}

    static EmbeddedRuntime start(Path workDir) throws Exception {
        return EmbeddedRuntime.start(
                new EmbeddedRuntime.Options(workDir, 0, null, Topics.defaults(), 4));
    }

    /** Submits the generation job serving {@code modelDir}, waiting until it runs. */
    static JobClient serve(EmbeddedRuntime runtime, Path modelDir, Map<String, String> extra)
            throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("bootstrap.servers", runtime.kafka().bootstrapServers());
        args.put("topic.prefix", runtime.topics().prefix());
        args.put("model.dir", modelDir.toString());
        args.put("checkpoint.interval", "1s");
        args.putAll(extra);
        JobArgs jobArgs = JobArgs.of(args, GenerateJob.KEYS);
        return runtime.submit(
                "belamy generate",
                env -> GenerateJob.configure(env, jobArgs),
                Duration.ofMinutes(2));
    }
}

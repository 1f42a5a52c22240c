package io.belamy.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.belamy.generate.GenerateJob;
import io.belamy.streaming.ConfigKey;
import io.belamy.train.TrainMusicJob;
import io.belamy.train.TrainTextJob;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs here, so docker/ is checked statically: the files parse, and every image
 * tag, jar path, class, job option and Flink configuration key they name exists in the build.
 */
class DockerFilesTest {

    private static final Path DOCKER = Path.of("..", "docker");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, List<ConfigKey<?>>> JOB_KEYS =
            Map.of(
                    GenerateJob.class.getName(), GenerateJob.KEYS,
                    TrainTextJob.class.getName(), TrainTextJob.KEYS,
                    TrainMusicJob.class.getName(), TrainMusicJob.KEYS);

    private static String pomProperty(String name) throws Exception {
        Matcher m =
                Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</")
                        .matcher(Files.readString(Path.of("..", "pom.xml")));
        assertThat(m.find()).as("pom.xml defines %s", name).isTrue();
        return m.group(1);
    }

    private static String flinkMajorMinor() throws Exception {
        String[] v = pomProperty("flink.version").split("\\.");
        return v[0] + "." + v[1];
    }

    /** The image's job jar path, from the Dockerfile's COPY into usrlib. */
    private static String jobJarInImage() throws Exception {
        Matcher m =
                Pattern.compile("(?m)^COPY\\s+usrlib/\\S+\\s+(\\S+)$")
                        .matcher(Files.readString(DOCKER.resolve("Dockerfile")));
        assertThat(m.find()).as("Dockerfile copies the job jar into usrlib").isTrue();
        return m.group(1);
    }

    @Test
    void theDockerfileBuildsOnTheFlinkImageOfTheBuildsVersionWithDjlInLib() throws Exception {
        String text = Files.readString(DOCKER.resolve("Dockerfile"));
        assertThat(text)
                .containsPattern(
                        "(?m)^FROM flink:" + Pattern.quote(flinkMajorMinor()) + "-java17$");
        assertThat(text).contains("COPY lib/ /opt/flink/lib/");
        assertThat(jobJarInImage()).isEqualTo("/opt/flink/usrlib/belamy-jobs.jar");
        assertThat(text).contains("classloader.parent-first-patterns.additional: ai.djl.");
        assertThat(flinkKeys())
                .contains("classloader.parent-first-patterns.additional", "env.java.opts.all");
        String stage = Files.readString(DOCKER.resolve("stage.sh"));
        assertThat(stage)
                .contains(
                        "app/target/lib", "cluster job-jar -o docker/build/usrlib/belamy-jobs.jar");
        assertThat(Main.commandLine().getSubcommands().get("cluster").getSubcommands())
                .containsKey("job-jar");
    }

    @Test
    void theComposeFileRunsKafkaOfTheBuildsVersionAndTheGenerationJob() throws Exception {
        JsonNode compose = YAML.readTree(DOCKER.resolve("compose.yaml").toFile());
        JsonNode services = compose.get("services");
        assertThat(services.fieldNames())
                .toIterable()
                .contains("kafka", "topics", "jobmanager", "taskmanager", "generate");
        assertThat(services.get("kafka").get("image").asText())
                .isEqualTo("apache/kafka:" + pomProperty("kafka.version"));
        for (String s : List.of("jobmanager", "taskmanager")) {
            for (String line :
                    services.get(s)
                            .get("environment")
                            .get("FLINK_PROPERTIES")
                            .asText()
                            .split("\\n")) {
                if (!line.isBlank()) {
                    assertThat(flinkKeys())
                            .as(s)
                            .contains(line.substring(0, line.indexOf(':')).trim());
                }
            }
        }
        List<String> command = new ArrayList<>();
        services.get("generate").get("command").forEach(c -> command.add(c.asText()));
        String entry = command.get(command.indexOf("-c") + 1);
        String jar = command.get(command.indexOf("-c") + 2);
        assertThat(jar).isEqualTo(jobJarInImage());
        assertJob(entry, command.subList(command.indexOf("-c") + 3, command.size()));
        String topics = services.get("topics").get("command").get(0).asText();
        for (String name : io.belamy.core.topic.Topics.defaults().names()) {
            String suffix = name.substring("belamy.".length());
            assertThat(topics)
                    .as("topics creates %s", name)
                    .containsPattern("\\b" + Pattern.quote(suffix) + "\\b");
        }
    }

    @Test
    void everyKubernetesDeploymentNamesARealJobWithKnownOptionsAndFlinkKeys() throws Exception {
        JsonNode store = YAML.readTree(DOCKER.resolve("k8s").resolve("store.yaml").toFile());
        String claim = store.get("metadata").get("name").asText();
        Set<String> entries = new HashSet<>();
        for (String file : List.of("generate.yaml", "train-text.yaml", "train-music.yaml")) {
            JsonNode d = YAML.readTree(DOCKER.resolve("k8s").resolve(file).toFile());
            assertThat(d.get("kind").asText()).isEqualTo("FlinkDeployment");
            JsonNode spec = d.get("spec");
            assertThat(spec.get("flinkVersion").asText())
                    .isEqualTo("v" + flinkMajorMinor().replace('.', '_'));
            assertThat(spec.get("image").asText()).isEqualTo("belamy:0.1.0");
            spec.get("flinkConfiguration")
                    .fieldNames()
                    .forEachRemaining(k -> assertThat(flinkKeys()).as(file).contains(k));
            JsonNode job = spec.get("job");
            assertThat(job.get("jarURI").asText()).isEqualTo("local://" + jobJarInImage());
            assertThat(job.get("upgradeMode").asText()).isEqualTo("savepoint");
            List<String> args = new ArrayList<>();
            job.get("args").forEach(a -> args.add(a.asText()));
            assertJob(job.get("entryClass").asText(), args);
            entries.add(job.get("entryClass").asText());
            assertThat(
                            spec.get("podTemplate")
                                    .get("spec")
                                    .get("volumes")
                                    .get(0)
                                    .get("persistentVolumeClaim")
                                    .get("claimName")
                                    .asText())
                    .isEqualTo(claim);
        }
        assertThat(entries).containsExactlyInAnyOrderElementsOf(JOB_KEYS.keySet());
    }

    /** The class exists, has a main, and every --key is one of its job's options. */
    private static void assertJob(String entry, List<String> args) throws Exception {
        Class<?> c = Class.forName(entry);
        assertThat(Modifier.isStatic(c.getMethod("main", String[].class).getModifiers())).isTrue();
        Set<String> known = new HashSet<>();
        JOB_KEYS.get(entry).forEach(k -> known.add(k.name()));
        for (String a : args) {
            if (a.startsWith("--")) {
                assertThat(known).as("%s option", entry).contains(a.substring(2));
            }
        }
    }

    private static Set<String> keys;

    /** Every key (and fallback key) of Flink's main configuration option classes. */
    static synchronized Set<String> flinkKeys() {
        if (keys != null) {
            return keys;
        }
        keys = new HashSet<>();
        for (String cls :
                List.of(
                        "org.apache.flink.configuration.CoreOptions",
                        "org.apache.flink.configuration.TaskManagerOptions",
                        "org.apache.flink.configuration.JobManagerOptions",
                        "org.apache.flink.configuration.CheckpointingOptions",
                        "org.apache.flink.configuration.HighAvailabilityOptions",
                        "org.apache.flink.configuration.RestOptions",
                        "org.apache.flink.configuration.MetricOptions")) {
            try {
                for (Field f : Class.forName(cls).getFields()) {
                    if (Modifier.isStatic(f.getModifiers())
                            && ConfigOption.class.isAssignableFrom(f.getType())) {
                        ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                        keys.add(o.key());
                        for (FallbackKey k : o.fallbackKeys()) {
                            keys.add(k.getKey());
                        }
                    }
                }
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("Flink option class " + cls, e);
            }
        }
        return keys;
    }
}

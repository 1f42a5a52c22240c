package io.belamy.app.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.belamy.app.runtime.JavaOptions;
import io.belamy.app.runtime.Ports;
import io.belamy.core.topic.Topics;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A local cluster of separate processes on 127.0.0.1: a Kafka broker JVM ({@link BrokerMain}), a
 * Flink JobManager ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code
 * TaskManagerRunner}), all from belamy's Maven-resolved jars (no Flink distribution). DJL is on the
 * TaskManagers' classpath and loaded parent-first, so job jars carry only belamy's classes.
 * Everything lives under one directory: {@code conf/}, {@code log/}, the broker's data,
 * checkpoints, savepoints and {@code cluster.json} (the processes and addresses), which {@code
 * status} and {@code down} read.
 */
public final class LocalCluster {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATE = "cluster.json";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    /** What {@code up} started. */
    public record State(
            long brokerPid,
            long jobManagerPid,
            List<Long> taskManagerPids,
            String bootstrap,
            String rest,
            String topicPrefix) {

        /** Every process, TaskManagers first (the order {@code down} stops them in). */
        public List<Long> pids() {
            List<Long> all = new ArrayList<>(taskManagerPids);
            all.add(jobManagerPid);
            all.add(brokerPid);
            return all;
        }
    }

    private final Path dir;
    private final Path lib;

    /**
     * @param dir the cluster's directory
     * @param lib belamy's runtime jars (the launcher's {@code app/target/lib})
     */
    public LocalCluster(Path dir, Path lib) {
        this.dir = dir.toAbsolutePath().normalize();
        this.lib = lib.toAbsolutePath().normalize();
    }

    /** belamy's jar directory next to the running code ({@code app/target/lib}). */
    public static Path defaultLib() {
        try {
            Path here =
                    Path.of(
                            LocalCluster.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
            return here.getParent().resolve("lib"); // target/belamy-app.jar or target/classes
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The running cluster's state, if {@code up} left one whose processes still run. */
    public Optional<State> state() throws IOException {
        Path file = dir.resolve(STATE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), State.class));
    }

    /**
     * Starts the broker, the JobManager and {@code taskManagers} TaskManagers, and waits until all
     * TaskManagers have registered.
     *
     * @throws IllegalStateException when a cluster already runs in the directory
     */
    public State up(int taskManagers, int slots, Topics topics, PrintWriter log) throws Exception {
        Optional<State> existing = state();
        if (existing.isPresent() && existing.get().pids().stream().anyMatch(LocalCluster::alive)) {
            throw new IllegalStateException(
                    "a cluster already runs in " + dir + " (belamy cluster status | down)");
        }
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(
                    "belamy's jars are not at " + lib + ": build first (./belamy --version)");
        }
        Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("log"));
        int[] ports = Ports.free(4);
        int kafkaPort = ports[0];
        int rpcPort = ports[1];
        int restPort = ports[2];
        int blobPort = ports[3];
        writeConfig(rpcPort, restPort, blobPort, slots);
        writeLog4j();

        List<Long> started = new ArrayList<>();
        try {
            String all = classpath(true);
            String flink = classpath(false);
            log.printf("starting Kafka on 127.0.0.1:%d ...%n", kafkaPort);
            log.flush();
            Process broker =
                    start(
                            "kafka",
                            JavaOptions.javaCommand(
                                    all,
                                    BrokerMain.class.getName(),
                                    List.of(
                                            dir.resolve("kafka").toString(),
                                            Integer.toString(kafkaPort),
                                            topics.prefix())));
            started.add(broker.pid());
            List<String> jmFlags = resourceParams("GET_JM_RESOURCE_PARAMS", flink);
            log.printf("starting the Flink JobManager (REST 127.0.0.1:%d) ...%n", restPort);
            log.flush();
            Process jm =
                    start(
                            "jobmanager",
                            flinkCommand(
                                    flink,
                                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                                    jmFlags,
                                    "jobmanager"));
            started.add(jm.pid());
            List<Long> tms = new ArrayList<>();
            List<String> tmFlags = resourceParams("GET_TM_RESOURCE_PARAMS", flink);
            for (int i = 0; i < taskManagers; i++) {
                log.printf("starting Flink TaskManager %d ...%n", i + 1);
                log.flush();
                Process tm =
                        start(
                                "taskmanager-" + i,
                                flinkCommand(
                                        flink,
                                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                                        tmFlags,
                                        "taskmanager-" + i));
                started.add(tm.pid());
                tms.add(tm.pid());
            }
            State state =
                    new State(
                            broker.pid(),
                            jm.pid(),
                            tms,
                            "127.0.0.1:" + kafkaPort,
                            "http://127.0.0.1:" + restPort,
                            topics.prefix());
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(STATE).toFile(), state);
            awaitReady(state, taskManagers);
            return state;
        } catch (Exception e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                stop(started.get(i));
            }
            Files.deleteIfExists(dir.resolve(STATE));
            throw e;
        }
    }

    /**
     * Stops every process {@code up} started (TaskManagers, JobManager, broker), and only those.
     */
    public List<Long> down() throws IOException {
        Optional<State> state = state();
        if (state.isEmpty()) {
            return List.of();
        }
        List<Long> stopped = new ArrayList<>();
        for (long pid : state.get().pids()) {
            if (stop(pid)) {
                stopped.add(pid);
            }
        }
        Files.deleteIfExists(dir.resolve(STATE));
        return stopped;
    }

    /**
     * Stops a job with a savepoint (Flink's stop-with-savepoint: sources stop, the last state is
     * written, the job finishes).
     *
     * @return the savepoint's location, for {@link #submit(State, Path, String, List, String)}
     */
    public String stopWithSavepoint(State state, String jobId)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", dir.resolve("savepoints").toUri().toString());
        body.put("drain", false);
        JsonNode trigger = post(state, "/jobs/" + jobId + "/stop", body.toString());
        String request = trigger.path("request-id").asText();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            JsonNode status = rest(state, "/jobs/" + jobId + "/savepoints/" + request);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode op = status.path("operation");
                if (op.has("failure-cause")) {
                    throw new IOException(
                            "stop-with-savepoint of "
                                    + jobId
                                    + " failed: "
                                    + op.path("failure-cause").path("stack-trace").asText());
                }
                return op.path("location").asText();
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "stop-with-savepoint of " + jobId + " did not finish in 5 min");
            }
            Thread.sleep(500);
        }
    }

    /** Cancels a job (no savepoint). */
    public static void cancel(State state, String jobId) throws IOException, InterruptedException {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        state.rest()
                                                                + "/jobs/"
                                                                + jobId
                                                                + "?mode=cancel"))
                                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                                        .timeout(Duration.ofSeconds(30))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("cancel " + jobId + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private static JsonNode post(State state, String path, String json)
            throws IOException, InterruptedException {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(state.rest() + path))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(json))
                                        .timeout(Duration.ofSeconds(30))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("POST " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** GET on the cluster's REST API. */
    public static JsonNode rest(State state, String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(state.rest() + path))
                                        .timeout(Duration.ofSeconds(10))
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    // ------------------------------------------------------------------ internals

    private String marker() {
        return "-Dbelamy.cluster=" + dir;
    }

    private void awaitReady(State state, int taskManagers) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            for (long pid : state.pids()) {
                if (!alive(pid)) {
                    throw new IllegalStateException(
                            "process " + pid + " of the cluster exited; see " + dir.resolve("log"));
                }
            }
            try {
                JsonNode overview = rest(state, "/overview");
                if (overview.path("taskmanagers").asInt() >= taskManagers && brokerReady()) {
                    return;
                }
            } catch (IOException e) {
                // REST not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the cluster did not come up within "
                                + START_TIMEOUT
                                + "; see "
                                + dir.resolve("log"));
            }
            Thread.sleep(500);
        }
    }

    private boolean brokerReady() throws IOException {
        Path out = dir.resolve("log").resolve("kafka.out");
        return Files.isRegularFile(out) && Files.readString(out).contains("ready: bootstrap=");
    }

    private Process start(String name, List<String> command) throws IOException {
        Path out = dir.resolve("log").resolve(name + ".out");
        // a mark early on the command line (the JDK may truncate long ones), for stop()
        command = new ArrayList<>(command);
        command.add(1, marker());
        return new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
    }

    private List<String> flinkCommand(
            String classpath, String mainClass, List<String> resourceParams, String logName) {
        // resourceParams: JVM flags, then dynamic properties (-D k=v)
        List<String> jvm = new ArrayList<>(List.of(resourceParams.get(0).trim().split("\\s+")));
        jvm.add("-Dlog.file=" + dir.resolve("log").resolve(logName + ".log"));
        jvm.add(
                "-Dlog4j.configurationFile=file:"
                        + dir.resolve("conf").resolve("log4j.properties"));
        List<String> args = new ArrayList<>(List.of("--configDir", dir.resolve("conf").toString()));
        args.addAll(List.of(resourceParams.get(1).trim().split("\\s+")));
        List<String> cmd = JavaOptions.javaCommand(classpath, mainClass, args);
        cmd.addAll(1, jvm);
        return cmd;
    }

    /** Flink's own memory computation ({@code bin/config.sh} calls the same). */
    private List<String> resourceParams(String which, String classpath) throws Exception {
        List<String> cmd =
                JavaOptions.javaCommand(
                        classpath,
                        "org.apache.flink.runtime.util.bash.BashJavaUtils",
                        List.of(which, "--configDir", dir.resolve("conf").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("Flink's BashJavaUtils " + which + " failed: " + out);
        }
        List<String> results = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
                results.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()));
            }
        }
        if (results.size() < 2) {
            throw new IllegalStateException("Flink's BashJavaUtils " + which + " printed: " + out);
        }
        return results.subList(results.size() - 2, results.size());
    }

    /**
     * The runtime jars; without belamy's own for Flink processes (job jars bring those, and a class
     * in both would be loaded twice).
     */
    private String classpath(boolean withBelamy) throws IOException {
        List<String> jars = new ArrayList<>();
        if (withBelamy) {
            Path app = lib.getParent().resolve("belamy-app.jar");
            Path classes = lib.getParent().resolve("classes");
            jars.add(Files.isRegularFile(app) ? app.toString() : classes.toString());
        }
        try (Stream<Path> files = Files.list(lib)) {
            files.filter(f -> f.toString().endsWith(".jar"))
                    .filter(f -> withBelamy || !f.getFileName().toString().startsWith("belamy-"))
                    .sorted()
                    .forEach(f -> jars.add(f.toString()));
        }
        return jars.stream().collect(Collectors.joining(File.pathSeparator));
    }

    private void writeConfig(int rpcPort, int restPort, int blobPort, int slots)
            throws IOException {
        String opens = String.join(" ", JavaOptions.flinkOpens()) + " -Dai.djl.offline=true";
        String yaml =
                String.join(
                        "\n",
                        "# written by belamy cluster up",
                        "jobmanager.rpc.address: 127.0.0.1",
                        "jobmanager.rpc.port: " + rpcPort,
                        "jobmanager.bind-host: 127.0.0.1",
                        "jobmanager.memory.process.size: 1024m",
                        "taskmanager.bind-host: 127.0.0.1",
                        "taskmanager.host: 127.0.0.1",
                        "taskmanager.numberOfTaskSlots: " + slots,
                        "taskmanager.data.port: 0",
                        "taskmanager.memory.process.size: 2048m",
                        "rest.address: 127.0.0.1",
                        "rest.bind-address: 127.0.0.1",
                        "rest.port: " + restPort,
                        "blob.server.port: " + blobPort,
                        "metrics.internal.query-service.port: 0",
                        "classloader.parent-first-patterns.additional: ai.djl.",
                        "execution.checkpointing.dir: " + dir.resolve("checkpoints").toUri(),
                        "execution.checkpointing.savepoint-dir: "
                                + dir.resolve("savepoints").toUri(),
                        "env.java.opts.all: \"" + opens + "\"",
                        "");
        Files.writeString(dir.resolve("conf").resolve("config.yaml"), yaml);
    }

    private void writeLog4j() throws IOException {
        String props =
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = file",
                        "appender.file.type = File",
                        "appender.file.name = file",
                        "appender.file.fileName = ${sys:log.file}",
                        "appender.file.append = true",
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n",
                        "");
        Files.writeString(dir.resolve("conf").resolve("log4j.properties"), props);
    }

    /**
     * SIGTERM, then SIGKILL after 20 s; true when the process ran. A pid whose command line does
     * not name this cluster's directory is someone else's (a reused pid) and is left alone.
     */
    private boolean stop(long pid) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        String command = h.get().info().commandLine().orElse("");
        if (!command.contains(marker())) {
            return false;
        }
        h.get().destroy();
        try {
            h.get().onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            h.get().destroyForcibly();
            try {
                h.get().onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by the caller's status
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ jobs

    /** belamy's job classes, in one jar for Flink's {@code /jars/upload}. */
    public Path jobJar() throws IOException {
        Files.createDirectories(dir);
        return writeJobJar(lib, dir.resolve("belamy-jobs.jar"));
    }

    /**
     * Writes belamy's job classes (core, streaming, generate, train) from the module jars in {@code
     * lib} into one jar: what a Flink cluster with belamy's third-party jars in its {@code lib/}
     * needs to run the jobs.
     */
    public static Path writeJobJar(Path lib, Path jar) throws IOException {
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Map<String, String> services = new java.util.TreeMap<>();
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            for (String module : List.of("core", "streaming", "generate", "train")) {
                Path part;
                try (Stream<Path> files = Files.list(lib)) {
                    part =
                            files.filter(
                                            f ->
                                                    f.getFileName()
                                                            .toString()
                                                            .startsWith("belamy-" + module + "-"))
                                    .filter(f -> !f.toString().endsWith("-tests.jar"))
                                    .findFirst()
                                    .orElseThrow(
                                            () ->
                                                    new IOException(
                                                            "belamy-"
                                                                    + module
                                                                    + " jar not in "
                                                                    + lib));
                }
                try (var in = new java.util.jar.JarFile(part.toFile())) {
                    for (var e : java.util.Collections.list(in.entries())) {
                        String name = e.getName();
                        if (name.startsWith("META-INF/services/") && !e.isDirectory()) {
                            try (var data = in.getInputStream(e)) {
                                services.merge(
                                        name,
                                        new String(data.readAllBytes(), StandardCharsets.UTF_8),
                                        (a, b) -> a + "\n" + b);
                            }
                            continue;
                        }
                        if (e.isDirectory() || name.startsWith("META-INF/") || !seen.add(name)) {
                            continue;
                        }
                        out.putNextEntry(new java.util.jar.JarEntry(name));
                        try (var data = in.getInputStream(e)) {
                            data.transferTo(out);
                        }
                        out.closeEntry();
                    }
                }
            }
            // service registrations (the model store's file systems), merged across modules
            for (var service : services.entrySet()) {
                out.putNextEntry(new java.util.jar.JarEntry(service.getKey()));
                out.write(service.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /**
     * Uploads the job jar and runs {@code entryClass} with {@code args}.
     *
     * @return the job id
     * @throws IOException with Flink's message when the job cannot start (bad options, say)
     */
    public static String submit(State state, Path jar, String entryClass, List<String> args)
            throws IOException, InterruptedException {
        return submit(state, jar, entryClass, args, null);
    }

    /**
     * As {@link #submit(State, Path, String, List)}, restoring the job's state from {@code
     * savepoint} when not null.
     */
    public static String submit(
            State state, Path jar, String entryClass, List<String> args, String savepoint)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String boundary = "belamy-" + System.nanoTime();
        byte[] head =
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = Files.readAllBytes(jar);
        byte[] all = new byte[head.length + body.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        System.arraycopy(tail, 0, all, head.length + body.length, tail.length);
        HttpResponse<String> up =
                http.send(
                        HttpRequest.newBuilder(URI.create(state.rest() + "/jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(all))
                                .timeout(Duration.ofMinutes(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (up.statusCode() / 100 != 2) {
            throw new IOException("jar upload failed: HTTP " + up.statusCode() + " " + up.body());
        }
        String file = JSON.readTree(up.body()).path("filename").asText();
        String jarId = Path.of(file).getFileName().toString();
        ObjectNode run = JSON.createObjectNode();
        run.put("entryClass", entryClass);
        var list = run.putArray("programArgsList");
        args.forEach(list::add);
        if (savepoint != null) {
            run.put("savepointPath", savepoint);
        }
        HttpResponse<String> started =
                http.send(
                        HttpRequest.newBuilder(URI.create(state.rest() + "/jars/" + jarId + "/run"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(run.toString()))
                                .timeout(Duration.ofMinutes(3))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (started.statusCode() / 100 != 2) {
            throw new IOException(
                    "the job did not start: HTTP " + started.statusCode() + " " + started.body());
        }
        return JSON.readTree(started.body()).path("jobid").asText();
    }
}

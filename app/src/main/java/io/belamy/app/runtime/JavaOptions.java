package io.belamy.app.runtime;

import java.util.ArrayList;
import java.util.List;

/** JVM options belamy's processes need (the {@code ./belamy} launcher passes the same). */
public final class JavaOptions {

    private JavaOptions() {}

    /** Flink on Java 17: opens for the JDK types that Kryo serializes. */
    public static List<String> flinkOpens() {
        List<String> opts = new ArrayList<>();
        opts.add("--add-exports=java.base/sun.net.util=ALL-UNNAMED");
        opts.add("--add-exports=java.desktop/com.sun.media.sound=ALL-UNNAMED"); // WAV rendering
        opts.add("--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED");
        opts.add("--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED");
        for (String p :
                List.of(
                        "java.lang",
                        "java.net",
                        "java.io",
                        "java.nio",
                        "sun.nio.ch",
                        "java.lang.reflect",
                        "java.text",
                        "java.time",
                        "java.util",
                        "java.util.concurrent",
                        "java.util.concurrent.atomic",
                        "java.util.concurrent.locks")) {
            opts.add("--add-opens=java.base/" + p + "=ALL-UNNAMED");
        }
        return opts;
    }

    /** The command line that starts a JVM running {@code mainClass} on {@code classpath}. */
    public static List<String> javaCommand(String classpath, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(flinkOpens());
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }
}

package io.belamy.app.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on 127.0.0.1. */
public final class Ports {

    private Ports() {}

    /** A port that was free a moment ago. */
    public static int free() {
        return free(1)[0];
    }

    /**
     * {@code count} different ports that were free a moment ago. They are held open together while
     * chosen: asked one after another, the system may hand out the same port twice (it did: the
     * embedded broker's client and controller listeners once got one port).
     */
    public static int[] free(int count) {
        ServerSocket[] held = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                held[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held[i].setReuseAddress(true);
                ports[i] = held[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no " + count + " free ports on 127.0.0.1", e);
        } finally {
            for (ServerSocket s : held) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException e) {
                        // the port is ours to use either way
                    }
                }
            }
        }
    }
}

package io.belamy.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void portsChosenTogetherAreDifferentAndFree() throws Exception {
        for (int round = 0; round < 50; round++) {
            int[] ports = Ports.free(4);
            assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(4);
            for (int port : ports) {
                try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    assertThat(s.getLocalPort()).isEqualTo(port);
                }
            }
        }
    }
}

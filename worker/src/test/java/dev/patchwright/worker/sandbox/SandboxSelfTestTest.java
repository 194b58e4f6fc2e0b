package dev.patchwright.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SandboxSelfTestTest {

    private static final String NET_HEADER = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compr multicast|bytes    packets errs drop fifo colls carrier compressed
            """;
    private static final String LO = "    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n";

    @Test
    void acceptsNoCapabilitiesAndOnlyLoopback() {
        assertThatCode(() -> SandboxSelfTest.verify("CapEff:\t0000000000000000\nSeccomp:\t2\n" + NET_HEADER + LO))
                .doesNotThrowAnyException();
    }

    @Test
    void refusesCapabilities() {
        assertThatThrownBy(() -> SandboxSelfTest.verify("CapEff:\t000001fffeffffff\nSeccomp:\t2\n" + NET_HEADER + LO))
                .isInstanceOf(SandboxUnavailableException.class)
                .hasMessageContaining("keep capabilities (CapEff 000001fffeffffff)");
    }

    @Test
    void refusesAHostNetwork() {
        String eth = "  eth0: 123456     789    0    0    0     0          0         0   654321     987    0    0    0     0       0          0\n";

        assertThatThrownBy(() -> SandboxSelfTest.verify("CapEff:\t0000000000000000\nSeccomp:\t2\n" + NET_HEADER + LO + eth))
                .isInstanceOf(SandboxUnavailableException.class)
                .hasMessageContaining("network interfaces [eth0]");
    }

    @Test
    void refusesASandboxWithoutASystemCallFilter() {
        assertThatThrownBy(() -> SandboxSelfTest.verify("CapEff:\t0000000000000000\nSeccomp:\t0\n" + NET_HEADER + LO))
                .isInstanceOf(SandboxUnavailableException.class)
                .hasMessageContaining("without a system-call filter (Seccomp: 0");
    }
}

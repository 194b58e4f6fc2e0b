package dev.patchwright.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

/**
 * The filter's verdicts, by running its program the way the kernel does (classic BPF over
 * {@code struct seccomp_data}), for calls from both architectures; {@code BubblewrapSandboxIT}
 * shows the kernel takes it and enforces it.
 */
class SeccompFilterTest {

    private static final int ALLOW = 0x7fff0000;
    private static final int KILL_PROCESS = 0x80000000;
    private static final int AUDIT_ARCH_I386 = 0x40000003;

    private static int errno(int errno) {
        return 0x00050000 | errno;
    }

    @Test
    void x86_64() {
        SeccompFilter.Arch x86 = SeccompFilter.Arch.X86_64;
        assertThat(verdict(x86, x86.audit, 0, 0)).as("read").isEqualTo(ALLOW);
        assertThat(verdict(x86, x86.audit, 59, 0)).as("execve").isEqualTo(ALLOW);
        assertThat(verdict(x86, x86.audit, 425, 0)).as("io_uring_setup").isEqualTo(errno(38));
        assertThat(verdict(x86, x86.audit, 250, 0)).as("keyctl").isEqualTo(errno(38));
        assertThat(verdict(x86, x86.audit, 101, 0)).as("ptrace").isEqualTo(errno(1));
        assertThat(verdict(x86, x86.audit, 165, 0)).as("mount").isEqualTo(errno(1));
        assertThat(verdict(x86, x86.audit, 41, 2)).as("socket(AF_INET)").isEqualTo(ALLOW);
        assertThat(verdict(x86, x86.audit, 41, 1)).as("socket(AF_UNIX)").isEqualTo(ALLOW);
        assertThat(verdict(x86, x86.audit, 41, 16)).as("socket(AF_NETLINK)").isEqualTo(errno(97));
        assertThat(verdict(x86, x86.audit, 41, 40)).as("socket(AF_VSOCK)").isEqualTo(errno(97));
        assertThat(verdict(x86, x86.audit, 56, 0x003d0f00)).as("clone for a thread").isEqualTo(ALLOW);
        assertThat(verdict(x86, x86.audit, 56, 0x10000000 | 17)).as("clone(CLONE_NEWUSER)").isEqualTo(errno(1));
        assertThat(verdict(x86, x86.audit, 0x40000000 | 425, 0)).as("x32 io_uring_setup").isEqualTo(KILL_PROCESS);
        assertThat(verdict(x86, AUDIT_ARCH_I386, 26, 0)).as("i386 ptrace via int 0x80").isEqualTo(KILL_PROCESS);
    }

    @Test
    void aarch64() {
        SeccompFilter.Arch arm = SeccompFilter.Arch.AARCH64;
        assertThat(verdict(arm, arm.audit, 63, 0)).as("read").isEqualTo(ALLOW);
        assertThat(verdict(arm, arm.audit, 41, 16)).as("pivot_root, not socket").isEqualTo(errno(1));
        assertThat(verdict(arm, arm.audit, 198, 16)).as("socket(AF_NETLINK)").isEqualTo(errno(97));
        assertThat(verdict(arm, arm.audit, 198, 2)).as("socket(AF_INET)").isEqualTo(ALLOW);
        assertThat(verdict(arm, arm.audit, 219, 0)).as("keyctl").isEqualTo(errno(38));
        assertThat(verdict(arm, arm.audit, 117, 0)).as("ptrace").isEqualTo(errno(1));
        assertThat(verdict(arm, arm.audit, 220, 0x40000000)).as("clone(CLONE_NEWNET)").isEqualTo(errno(1));
        assertThat(verdict(arm, SeccompFilter.Arch.X86_64.audit, 63, 0)).as("a foreign arch").isEqualTo(KILL_PROCESS);
    }

    @Test
    void everyDeniedCallIsDeniedOnBothArchitectures() {
        assertThat(SeccompFilter.deniedCalls()).contains("io_uring_setup", "io_uring_enter", "io_uring_register",
                "keyctl", "add_key", "request_key", "ptrace", "kexec_load", "bpf", "perf_event_open", "userfaultfd",
                "mount", "unshare", "setns");
        // 31 calls by number plus socket and clone by argument: well within a jump's 255 instructions.
        assertThat(SeccompFilter.program(SeccompFilter.Arch.X86_64)).hasSize(8 * (6 + 2 * 31 + 7 + 5));
    }

    /** Runs the program over one seccomp_data {nr, arch, ip 0, args[0] = arg0}; returns its SECCOMP_RET_*. */
    private static int verdict(SeccompFilter.Arch filterArch, int arch, int nr, long arg0) {
        ByteBuffer program = ByteBuffer.wrap(SeccompFilter.program(filterArch)).order(ByteOrder.nativeOrder());
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putLong(16, arg0);
        int accumulator = 0;
        for (int pc = 0; pc < program.limit() / 8; pc++) {
            int code = program.getShort(pc * 8) & 0xffff;
            int jt = program.get(pc * 8 + 2) & 0xff;
            int jf = program.get(pc * 8 + 3) & 0xff;
            int k = program.getInt(pc * 8 + 4);
            switch (code) {
                case 0x20 -> accumulator = data.getInt(k);
                case 0x15 -> pc += accumulator == k ? jt : jf;
                case 0x45 -> pc += (accumulator & k) != 0 ? jt : jf;
                case 0x06 -> {
                    return k;
                }
                default -> throw new AssertionError("unexpected opcode " + Integer.toHexString(code) + " at " + pc);
            }
        }
        throw new AssertionError("the program ran off its end");
    }
}

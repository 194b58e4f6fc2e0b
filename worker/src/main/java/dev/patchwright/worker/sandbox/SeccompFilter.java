package dev.patchwright.worker.sandbox;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The system-call filter of every sandboxed command: a classic-BPF program for
 * {@code seccomp(SECCOMP_SET_MODE_FILTER)}, which bwrap reads from a file descriptor
 * ({@code --seccomp FD}) and installs just before it runs the command. It is a deny list of what
 * test suites never need and attackers like: io_uring, the kernel keyring, netlink and vsock
 * sockets, ptrace and reading other processes' memory, BPF, perf events, userfaultfd, kexec and
 * modules, every way to mount, and new namespaces. Everything else is allowed.
 *
 * <p>The program first checks the architecture the call was made with: a call from any other
 * (a 32-bit {@code int 0x80} on x86_64, whose numbers differ) or an x32 call kills the process,
 * since the numbers below would not mean the same calls.
 */
final class SeccompFilter {

    private static final int EPERM = 1;
    private static final int ENOSYS = 38;
    private static final int EAFNOSUPPORT = 97;

    private static final int AF_NETLINK = 16;
    private static final int AF_VSOCK = 40;
    /** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET (not NEWTIME: clone's low byte is a signal). */
    private static final int CLONE_NEW_NAMESPACES = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000
            | 0x10000000 | 0x20000000 | 0x40000000;
    private static final int X32_SYSCALL_BIT = 0x40000000;

    // seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]. Little-endian: args[0]'s low word at 16.
    private static final int OFFSET_NR = 0;
    private static final int OFFSET_ARCH = 4;
    private static final int OFFSET_ARG0_LOW = 16;

    private static final int RET_KILL_PROCESS = 0x80000000;
    private static final int RET_ERRNO = 0x00050000;
    private static final int RET_ALLOW = 0x7fff0000;

    // Classic BPF opcodes (linux/filter.h).
    private static final short LD_W_ABS = 0x20;
    private static final short JMP_JEQ_K = 0x15;
    private static final short JMP_JSET_K = 0x45;
    private static final short RET_K = 0x06;

    /** An architecture the filter knows the system-call numbers of. */
    enum Arch {
        X86_64(0xC000003E),
        AARCH64(0xC00000B7);

        /** AUDIT_ARCH_* of linux/audit.h: what {@code seccomp_data.arch} holds for a call. */
        final int audit;

        Arch(int audit) {
            this.audit = audit;
        }

        /** The architecture of this JVM, or null when the filter does not know it. */
        static Arch host() {
            return switch (System.getProperty("os.arch")) {
                case "amd64", "x86_64" -> X86_64;
                case "aarch64", "arm64" -> AARCH64;
                default -> null;
            };
        }
    }

    /** A denied call: its number on x86_64 and on aarch64, and the errno it fails with. */
    private record Denied(String name, int x86, int arm, int errno) {
        int number(Arch arch) {
            return arch == Arch.X86_64 ? x86 : arm;
        }
    }

    /** Numbers from asm/unistd_64.h (x86_64) and asm-generic/unistd.h (aarch64). */
    private static final List<Denied> DENIED = List.of(
            // ENOSYS, as on a kernel without them, so that libraries fall back to what they did before.
            new Denied("io_uring_setup", 425, 425, ENOSYS),
            new Denied("io_uring_enter", 426, 426, ENOSYS),
            new Denied("io_uring_register", 427, 427, ENOSYS),
            new Denied("keyctl", 250, 219, ENOSYS),
            new Denied("add_key", 248, 217, ENOSYS),
            new Denied("request_key", 249, 218, ENOSYS),
            // clone3 passes its flags in memory, out of a filter's sight: glibc falls back to clone on ENOSYS.
            new Denied("clone3", 435, 435, ENOSYS),
            new Denied("ptrace", 101, 117, EPERM),
            new Denied("process_vm_readv", 310, 270, EPERM),
            new Denied("process_vm_writev", 311, 271, EPERM),
            new Denied("bpf", 321, 280, EPERM),
            new Denied("perf_event_open", 298, 241, EPERM),
            new Denied("userfaultfd", 323, 282, EPERM),
            new Denied("kexec_load", 246, 104, EPERM),
            new Denied("kexec_file_load", 320, 294, EPERM),
            new Denied("init_module", 175, 105, EPERM),
            new Denied("finit_module", 313, 273, EPERM),
            new Denied("delete_module", 176, 106, EPERM),
            new Denied("open_by_handle_at", 304, 265, EPERM),
            new Denied("mount", 165, 40, EPERM),
            new Denied("umount2", 166, 39, EPERM),
            new Denied("pivot_root", 155, 41, EPERM),
            new Denied("open_tree", 428, 428, EPERM),
            new Denied("move_mount", 429, 429, EPERM),
            new Denied("fsopen", 430, 430, EPERM),
            new Denied("fsconfig", 431, 431, EPERM),
            new Denied("fsmount", 432, 432, EPERM),
            new Denied("fspick", 433, 433, EPERM),
            new Denied("mount_setattr", 442, 442, EPERM),
            new Denied("unshare", 272, 97, EPERM),
            new Denied("setns", 308, 268, EPERM));

    private static final int SOCKET_X86 = 41;
    private static final int SOCKET_ARM = 198;
    private static final int CLONE_X86 = 56;
    private static final int CLONE_ARM = 220;

    private SeccompFilter() {
    }

    /** The names of the calls denied whatever their arguments. */
    static List<String> deniedCalls() {
        return DENIED.stream().map(Denied::name).toList();
    }

    /**
     * The filter for {@code arch}, as the bytes of its {@code struct sock_filter} array in the
     * machine's byte order: what bwrap's {@code --seccomp} reads.
     */
    static byte[] program(Arch arch) {
        List<int[]> code = new ArrayList<>();
        code.add(stmt(LD_W_ABS, OFFSET_ARCH));
        code.add(jump(JMP_JEQ_K, arch.audit, 1, 0));
        code.add(stmt(RET_K, RET_KILL_PROCESS));
        code.add(stmt(LD_W_ABS, OFFSET_NR));
        if (arch == Arch.X86_64) {
            code.add(jump(JMP_JSET_K, X32_SYSCALL_BIT, 0, 1));
            code.add(stmt(RET_K, RET_KILL_PROCESS));
        }
        for (Denied call : DENIED) {
            code.add(jump(JMP_JEQ_K, call.number(arch), 0, 1));
            code.add(stmt(RET_K, RET_ERRNO | call.errno()));
        }
        // socket(domain, ...): netlink and vsock fail as if this kernel had no such family.
        code.add(jump(JMP_JEQ_K, arch == Arch.X86_64 ? SOCKET_X86 : SOCKET_ARM, 0, 6));
        code.add(stmt(LD_W_ABS, OFFSET_ARG0_LOW));
        code.add(jump(JMP_JEQ_K, AF_NETLINK, 0, 1));
        code.add(stmt(RET_K, RET_ERRNO | EAFNOSUPPORT));
        code.add(jump(JMP_JEQ_K, AF_VSOCK, 0, 1));
        code.add(stmt(RET_K, RET_ERRNO | EAFNOSUPPORT));
        code.add(stmt(RET_K, RET_ALLOW));
        // clone(flags, ...): threads and processes yes, new namespaces no.
        code.add(jump(JMP_JEQ_K, arch == Arch.X86_64 ? CLONE_X86 : CLONE_ARM, 0, 3));
        code.add(stmt(LD_W_ABS, OFFSET_ARG0_LOW));
        code.add(jump(JMP_JSET_K, CLONE_NEW_NAMESPACES, 0, 1));
        code.add(stmt(RET_K, RET_ERRNO | EPERM));
        code.add(stmt(RET_K, RET_ALLOW));
        return encode(code);
    }

    private static int[] stmt(short code, int k) {
        return new int[] {code, 0, 0, k};
    }

    private static int[] jump(short code, int k, int jumpIfTrue, int jumpIfFalse) {
        return new int[] {code, jumpIfTrue, jumpIfFalse, k};
    }

    /** struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }, eight bytes each. */
    private static byte[] encode(List<int[]> code) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(code.size() * 8);
        ByteBuffer instruction = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        for (int[] i : code) {
            instruction.clear();
            instruction.putShort((short) i[0]).put((byte) i[1]).put((byte) i[2]).putInt(i[3]);
            out.write(instruction.array(), 0, 8);
        }
        return out.toByteArray();
    }
}

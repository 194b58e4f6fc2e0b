package dev.patchwright.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command line that starts one sandbox: a shell that joins the run's cgroups and hands its
 * standard input (the system-call filter, written by the worker) to bwrap as fd {@value #SECCOMP_FD},
 * an optional address-space limit, the drop to the sandbox user when the worker is root, then bwrap.
 */
final class BwrapCommand {

    /** Printed by the joining shell when it cannot enter the cgroup, so the caller can tell. */
    static final String JOIN_FAILED = "patchwright-sandbox: cannot join cgroup";

    /** Host directories programs need, bound read-only; nothing else of the host is visible. */
    static final List<Path> SYSTEM_DIRS = List.of(Path.of("/usr"), Path.of("/bin"), Path.of("/sbin"),
            Path.of("/lib"), Path.of("/lib32"), Path.of("/lib64"), Path.of("/etc"), Path.of("/opt"));

    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** The descriptor bwrap reads the seccomp program from; the wrapper's standard input moved there. */
    static final int SECCOMP_FD = 9;

    // Writes its own pid (kept by exec) to each cgroup.procs given, then becomes the rest, with the
    // filter the worker wrote to its standard input on fd 9 and /dev/null as the command's input.
    private static final String JOIN_SCRIPT = "n=$1; shift; while [ \"$n\" -gt 0 ]; do "
            + "echo $$ > \"$1\" || { echo '" + JOIN_FAILED + "' \"$1\"; exit 125; }; n=$((n-1)); shift; done; "
            + "exec \"$@\" " + SECCOMP_FD + "<&0 0</dev/null";

    private BwrapCommand() {
    }

    /**
     * @param bwrap             the bwrap executable
     * @param setpriv           the setpriv executable, or null to call bwrap as this user
     * @param prlimit           the prlimit executable, or null for no address-space limit
     * @param cgroupProcs       cgroup.procs files to join before anything else runs
     * @param maxProcesses      with prlimit and setpriv: RLIMIT_NPROC of the sandbox user
     * @param workdir           real path of the directory bound at /workspace
     * @param cacheDir          real path of the directory bound at /cache, or null
     */
    static List<String> build(SandboxSpec spec, Path bwrap, Path setpriv, Path prlimit, List<Path> cgroupProcs,
                              int maxProcesses, Path workdir, Path cacheDir) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", JOIN_SCRIPT, "sh",
                Integer.toString(cgroupProcs.size())));
        cgroupProcs.forEach(p -> cmd.add(p.toString()));
        if (prlimit != null) {
            cmd.add(prlimit.toString());
            cmd.add("--as=" + spec.memoryLimitBytes());
            if (setpriv != null && maxProcesses > 0) {
                cmd.add("--nproc=" + maxProcesses);
            }
        }
        if (setpriv != null) {
            cmd.addAll(List.of(setpriv.toString(), "--reuid=" + SandboxUser.ID, "--regid=" + SandboxUser.ID,
                    "--clear-groups", "--"));
        }
        cmd.add(bwrap.toString());
        cmd.add("--unshare-all");
        if (spec.network()) {
            cmd.add("--share-net");
        }
        cmd.addAll(List.of("--unshare-user", "--disable-userns", "--cap-drop", "ALL", "--unshare-pid",
                "--die-with-parent", "--new-session", "--clearenv", "--seccomp", Integer.toString(SECCOMP_FD)));
        for (Path dir : SYSTEM_DIRS) {
            if (Files.isSymbolicLink(dir)) {
                cmd.addAll(List.of("--symlink", Files.readSymbolicLink(dir).toString(), dir.toString()));
            } else if (Files.isDirectory(dir)) {
                cmd.addAll(List.of("--ro-bind", dir.toString(), dir.toString()));
            }
        }
        // Java's user.home follows the passwd entry, not $HOME: both must name the cache.
        int uid = setpriv != null ? SandboxUser.ID : SandboxPasswd.currentUid();
        cmd.addAll(List.of("--ro-bind", SandboxPasswd.file(uid, cacheDir != null ? "/cache" : "/tmp").toString(),
                "/etc/passwd"));
        cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
        cmd.addAll(List.of("--bind", workdir.toString(), "/workspace"));
        if (cacheDir != null) {
            cmd.addAll(List.of(spec.cacheReadOnly() ? "--ro-bind" : "--bind", cacheDir.toString(), "/cache"));
        }
        cmd.addAll(List.of("--chdir", "/workspace"));
        setenv(cmd, "PATH", PATH);
        setenv(cmd, "HOME", cacheDir != null ? "/cache" : "/tmp");
        setenv(cmd, "LANG", "C.UTF-8");
        setenv(cmd, "TERM", "dumb");
        setenv(cmd, "CI", "true");
        for (Map.Entry<String, String> e : spec.env().entrySet()) {
            setenv(cmd, e.getKey(), e.getValue());
        }
        cmd.addAll(List.of("--", "/bin/sh", "-c", spec.command()));
        return cmd;
    }

    private static void setenv(List<String> cmd, String name, String value) {
        cmd.add("--setenv");
        cmd.add(name);
        cmd.add(value);
    }
}

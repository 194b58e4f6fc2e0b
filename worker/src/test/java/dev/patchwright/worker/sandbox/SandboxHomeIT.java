package dev.patchwright.worker.sandbox;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What setup puts under the home directory is there for the tests, for every tool: Java takes {@code user.home}
 * from the passwd entry, not from {@code $HOME}, so a JVM build (Maven's {@code ~/.m2}) lost its cache before.
 */
class SandboxHomeIT {

    private static BubblewrapSandbox sandbox;

    @BeforeAll
    static void sandbox() throws Exception {
        sandbox = BubblewrapSandbox.create();
    }

    @Test
    void javaAndTheShellAgreeThatHomeIsTheCache(@TempDir Path tmp) throws Exception {
        Path work = reachable(tmp, "work");
        Path cache = reachable(tmp, "cache");
        Files.writeString(work.resolve("Home.java"), """
                import java.nio.file.*;
                class Home {
                    public static void main(String[] args) throws Exception {
                        Path jar = Path.of(System.getProperty("user.home"), ".m2", "repository", "a.jar");
                        if (args.length > 0) {
                            Files.createDirectories(jar.getParent());
                            Files.writeString(jar, "artifact");
                        }
                        System.out.println(System.getProperty("user.home") + " " + Files.readString(jar));
                    }
                }
                """);
        Files.setPosixFilePermissions(work.resolve("Home.java"), PosixFilePermissions.fromString("rw-r--r--"));

        SandboxResult setup = sandbox.run(SandboxSpec.builder("java -Xmx64m Home.java fill && echo $HOME", work)
                .cacheDir(cache).build());
        SandboxResult test = sandbox.run(SandboxSpec.builder("java -Xmx64m Home.java", work)
                .readOnlyCacheDir(cache).build());
        SandboxResult noCache = sandbox.run(SandboxSpec.builder(
                "python3 -c 'import os, pwd; print(pwd.getpwuid(os.getuid()).pw_dir, os.environ[\"HOME\"])'", work).build());

        assertThat(setup.output()).as(setup.describe()).isEqualTo("/cache artifact\n/cache\n");
        assertThat(test.output()).as("the tests find what setup left").isEqualTo("/cache artifact\n");
        assertThat(cache.resolve(".m2/repository/a.jar")).hasContent("artifact");
        assertThat(noCache.output()).isEqualTo("/tmp /tmp\n");
    }

    private static Path reachable(Path tmp, String name) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Path dir = Files.createDirectory(tmp.resolve(name));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }
}

package dev.patchwright.bot.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image's files, laid out by the Dockerfile's own COPY lines from the built application (no
 * engine needed): its entrypoint runs the launcher, which finds the application where the image puts
 * it and does not try to build; secret files become the variables the application reads.
 */
class ImageLayoutIT {

    private static final Path ROOT = DeployFiles.root();
    private static final Pattern COPY = Pattern.compile("(?m)^COPY (--from=build )?(\\S+) (/opt/patchwright/\\S+)$");

    @TempDir
    Path image;

    @Test
    void theEntrypointRunsTheLauncherAsTheImageLaysItOut() throws Exception {
        Path opt = layOut();

        DeployFiles.Run version = DeployFiles.run(image, Map.of("PATCHWRIGHT_LAUNCHER", opt.resolve("patchwright").toString()),
                List.of(opt.resolve("entrypoint.sh").toString(), "--version"));

        assertThat(version.exitCode()).as(version.output()).isZero();
        assertThat(version.output()).contains("patchwright 0.1.0").doesNotContain("building");

        DeployFiles.Run help = DeployFiles.run(image, Map.of("PATCHWRIGHT_LAUNCHER", opt.resolve("patchwright").toString()),
                List.of(opt.resolve("entrypoint.sh").toString(), "model-server", "--help"));
        assertThat(help.exitCode()).as(help.output()).isZero();
        assertThat(help.output()).contains("--model-path");
    }

    @Test
    void secretFilesBecomeVariablesAndTheirPathsGo() throws Exception {
        Path secret = image.resolve("db-password");
        Files.writeString(secret, "s3cret\n");
        Path pem = image.resolve("key.pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        DeployFiles.Run run = DeployFiles.run(image, Map.of("PATCHWRIGHT_LAUNCHER", "/usr/bin/env",
                        "PATCHWRIGHT_DB_PASSWORD_FILE", secret.toString(), "QUARKUS_GITHUB_APP_PRIVATE_KEY_FILE", pem.toString()),
                List.of(ROOT.resolve("docker/entrypoint.sh").toString()));

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("PATCHWRIGHT_DB_PASSWORD=s3cret\n",
                        "QUARKUS_GITHUB_APP_PRIVATE_KEY=-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .doesNotContain("PATCHWRIGHT_DB_PASSWORD_FILE=", "QUARKUS_GITHUB_APP_PRIVATE_KEY_FILE=");
    }

    @Test
    void anUnreadableSecretFileStopsTheContainer() throws Exception {
        DeployFiles.Run run = DeployFiles.run(image, Map.of("PATCHWRIGHT_LAUNCHER", "/usr/bin/env",
                        "QUARKUS_GITHUB_APP_WEBHOOK_SECRET_FILE", image.resolve("missing").toString()),
                List.of(ROOT.resolve("docker/entrypoint.sh").toString()));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.output()).contains("QUARKUS_GITHUB_APP_WEBHOOK_SECRET_FILE names " + image.resolve("missing"));
    }

    /** Copies what the Dockerfile copies into /opt/patchwright, from the checkout and its build. */
    private Path layOut() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        // What the build stage copies into /src from the checkout (COPY a b ./ or COPY dir dir).
        String buildStage = dockerfile.substring(0, dockerfile.indexOf("\nFROM ", dockerfile.indexOf("FROM ") + 1));
        List<String> inBuildStage = new java.util.ArrayList<>();
        Matcher stageCopy = Pattern.compile("(?m)^COPY (.+) \\S+$").matcher(buildStage);
        while (stageCopy.find()) {
            inBuildStage.addAll(List.of(stageCopy.group(1).split(" ")));
        }
        Matcher copy = COPY.matcher(dockerfile);
        int copied = 0;
        while (copy.find()) {
            String path = copy.group(2);
            if (copy.group(1) != null) {
                // From the build stage's /src: only what it copied in, or built from that.
                assertThat(path).startsWith("/src/");
                path = path.substring("/src/".length());
                String top = path.split("/")[0];
                assertThat(inBuildStage).as("the build stage has " + path).contains(top);
            }
            Path source = ROOT.resolve(path);
            Path target = image.resolve(copy.group(3).substring(1));
            assertThat(source).as("the Dockerfile copies " + path).exists();
            Files.createDirectories(target.getParent());
            // cp -a keeps the modes, as COPY does.
            DeployFiles.Run cp = DeployFiles.run(ROOT, Map.of(), List.of("cp", "-a", source.toString(), target.toString()));
            assertThat(cp.exitCode()).as(cp.output()).isZero();
            copied++;
        }
        assertThat(copied).as("COPY lines into /opt/patchwright").isEqualTo(3);
        Path opt = image.resolve("opt/patchwright");
        assertThat(Files.getPosixFilePermissions(opt.resolve("entrypoint.sh")))
                .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        return opt;
    }
}

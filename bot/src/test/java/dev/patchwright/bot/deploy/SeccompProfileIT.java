package dev.patchwright.bot.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker/seccomp-profile.py, on a sample in the format of Docker's default profile: the rules as they
 * apply to a container without capabilities on one architecture, plus one rule that allows the five
 * syscalls bwrap needs, and nothing else widened.
 */
class SeccompProfileIT {

    private static final Path ROOT = DeployFiles.root();
    private static final Path SAMPLE = ROOT.resolve("bot/src/test/resources/deploy/seccomp-docker-format-sample.json");

    @TempDir
    Path dir;

    @Test
    void addsWhatBwrapNeedsToTheDefaultWithoutCapabilities() throws Exception {
        JsonNode profile = generate("amd64");

        assertThat(profile.path("defaultAction").asText()).isEqualTo("SCMP_ACT_ERRNO");
        assertThat(profile.path("architectures").toString())
                .isEqualTo("[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]");
        List<String> rules = new ArrayList<>();
        profile.path("syscalls").forEach(rule -> rules.add(rule.path("names") + " " + rule.path("action").asText()
                + (rule.has("errnoRet") ? " " + rule.path("errnoRet") : "") + (rule.has("args") ? " with args" : "")
                + (rule.has("includes") || rule.has("excludes") ? " conditional" : "")));
        assertThat(rules).containsExactly(
                "[\"read\",\"write\"] SCMP_ACT_ALLOW",
                // clone3 still answers ENOSYS, so glibc falls back to clone, which the filter can see.
                "[\"clone3\"] SCMP_ACT_ERRNO 38",
                "[\"arch_prctl\"] SCMP_ACT_ALLOW",
                "[\"ptrace\"] SCMP_ACT_ALLOW",
                // setns and bpf, which the sample allows only with CAP_SYS_ADMIN, stay refused.
                "[\"clone\",\"unshare\",\"mount\",\"umount2\",\"pivot_root\"] SCMP_ACT_ALLOW");
    }

    @Test
    void keepsOnlyTheRulesOfTheChosenArchitecture() throws Exception {
        JsonNode profile = generate("arm64");

        assertThat(profile.path("architectures").toString()).isEqualTo("[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\"]");
        assertThat(profile.path("syscalls").toString()).doesNotContain("arch_prctl");
    }

    @Test
    void refusesAProfileThatIsNotAnAllowList() throws Exception {
        Path permissive = dir.resolve("allow.json");
        java.nio.file.Files.writeString(permissive, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": []}");

        DeployFiles.Run run = DeployFiles.run(ROOT, Map.of(), List.of("python3", "docker/seccomp-profile.py",
                "--from", permissive.toString(), "--arch", "amd64", "--out", dir.resolve("out.json").toString()));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("not Docker's default profile");
        assertThat(dir.resolve("out.json")).doesNotExist();
    }

    private JsonNode generate(String arch) throws Exception {
        Path out = dir.resolve("profile-" + arch + ".json");
        DeployFiles.Run run = DeployFiles.run(ROOT, Map.of(), List.of("python3", "docker/seccomp-profile.py",
                "--from", SAMPLE.toString(), "--arch", arch, "--out", out.toString()));
        assertThat(run.exitCode()).as(run.output()).isZero();
        return new ObjectMapper().readTree(out.toFile());
    }
}

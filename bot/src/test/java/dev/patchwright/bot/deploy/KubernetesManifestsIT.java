package dev.patchwright.bot.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every manifest under {@code k8s/} validates offline and strictly (.ci/manifests/validate.mjs: the
 * Kubernetes and KEDA schemas of npm kubernetes-models, unknown fields refused through the same
 * package's types, references between documents checked), and a manifest with an unknown field, a
 * wrong type or a dangling reference is refused, naming the field.
 */
class KubernetesManifestsIT {

    private static final Path ROOT = DeployFiles.root();
    private static final Path VALIDATOR = ROOT.resolve(".ci/manifests/validate.mjs");

    @TempDir
    Path copy;

    @BeforeAll
    static void installValidator() throws Exception {
        Path installed = ROOT.resolve(".ci/manifests/node_modules/.package-lock.json");
        if (!Files.isRegularFile(installed)) {
            DeployFiles.Run npm = DeployFiles.run(ROOT, Map.of(), List.of("npm", "ci", "--prefix", ".ci/manifests",
                    "--no-audit", "--no-fund", "--silent"));
            assertThat(npm.exitCode()).as("npm ci --prefix .ci/manifests:\n" + npm.output()).isZero();
        }
    }

    @Test
    void everyManifestIsValid() throws Exception {
        List<String> files = manifests(ROOT.resolve("k8s")).stream().map(f -> ROOT.relativize(f).toString()).toList();
        assertThat(files).contains("k8s/webhook.yaml", "k8s/worker.yaml", "k8s/model-server.yaml", "k8s/keda.yaml",
                "k8s/config.yaml", "k8s/secrets/templates.yaml");

        DeployFiles.Run run = validate(ROOT, files);

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains(
                "ok Deployment/patchwright-webhook (k8s/webhook.yaml)",
                "ok PodDisruptionBudget/patchwright-webhook (k8s/webhook.yaml)",
                "ok Service/patchwright-webhook (k8s/webhook.yaml)",
                "ok Deployment/patchwright-worker (k8s/worker.yaml)",
                "ok NetworkPolicy/patchwright-worker-egress (k8s/worker.yaml)",
                "ok Deployment/patchwright-model-server (k8s/model-server.yaml)",
                "ok Service/patchwright-model-server (k8s/model-server.yaml)",
                "ok TriggerAuthentication/patchwright-keda-db (k8s/keda.yaml)",
                "ok ScaledObject/patchwright-worker (k8s/keda.yaml)",
                "ok Secret/patchwright-github (k8s/secrets/templates.yaml)",
                "14 passed, 0 failed");
    }

    @Test
    void refusesAnUnknownFieldAtAnyDepth() throws Exception {
        DeployFiles.Run run = validateEdited("worker.yaml", "          readinessProbe:", "          readinesProbe:");

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("FAILED", "(Deployment/patchwright-worker): "
                + "spec.template.spec.containers[0].readinesProbe: Object literal may only specify known properties");
    }

    @Test
    void refusesAnUnknownFieldInKedasScaledObject() throws Exception {
        DeployFiles.Run run = validateEdited("keda.yaml", "        activationTargetQueryValue: \"0\"\n",
                "        activationTargetQueryValue: \"0\"\n      metricTyp: Value\n");

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("(ScaledObject/patchwright-worker): spec.triggers[0].metricTyp: Object literal"
                + " may only specify known properties");
    }

    @Test
    void refusesAValueOfTheWrongType() throws Exception {
        DeployFiles.Run run = validateEdited("webhook.yaml", "  replicas: 2", "  replicas: two");

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("(Deployment/patchwright-webhook): data/spec/replicas must be integer");
    }

    @Test
    void refusesASecretKeyThatNoSecretHolds() throws Exception {
        DeployFiles.Run run = validateEdited("worker.yaml", "{name: patchwright-model, key: api-key}",
                "{name: patchwright-model, key: apikey}");

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("(Deployment/patchwright-worker): PATCHWRIGHT_MODEL_API_KEY: Secret"
                + " patchwright-model has no key apikey");
    }

    private DeployFiles.Run validateEdited(String file, String from, String to) throws Exception {
        List<String> files = new ArrayList<>();
        for (Path manifest : manifests(ROOT.resolve("k8s"))) {
            String text = Files.readString(manifest);
            if (manifest.getFileName().toString().equals(file)) {
                assertThat(text).contains(from);
                text = text.replace(from, to);
            }
            Path target = copy.resolve(ROOT.resolve("k8s").relativize(manifest).toString().replace('/', '-'));
            Files.writeString(target, text);
            files.add(target.toString());
        }
        return validate(copy, files);
    }

    private static DeployFiles.Run validate(Path dir, List<String> files) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", VALIDATOR.toString()));
        command.addAll(files);
        return DeployFiles.run(dir, Map.of(), command);
    }

    private static List<Path> manifests(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}

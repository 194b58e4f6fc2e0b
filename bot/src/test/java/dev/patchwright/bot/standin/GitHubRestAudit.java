package dev.patchwright.bot.standin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Checks REST traffic against GitHub's published OpenAPI description (npm {@code @octokit/openapi},
 * {@code generated/api.github.com.json}): each request must name a documented operation, use only its
 * documented query parameters, and send a body whose top-level properties its request schema declares,
 * with the required ones present and every value of the declared type. Responses can be checked too.
 */
public final class GitHubRestAudit {

    /** System property naming the description file. */
    public static final String DESCRIPTION_PROPERTY = "patchwright.github.openapi";
    /** Where the description lies, relative to the repository root, when the property is unset. */
    public static final String DEFAULT_DESCRIPTION = ".ci/node/node_modules/@octokit/openapi/generated/api.github.com.json";
    /** How to install the description at {@link #DEFAULT_DESCRIPTION}. */
    public static final String INSTALL_COMMAND = "npm install --prefix .ci/node @octokit/openapi@23.0.2";

    private record Template(String path, String[] segments) {}

    private record Operation(String template, JsonNode pathItem, JsonNode operation) {}

    private final JsonNode description;
    private final OpenApiSchemas schemas;
    private final List<Template> templates = new ArrayList<>();

    private GitHubRestAudit(JsonNode description) {
        this.description = description;
        this.schemas = new OpenApiSchemas(description);
        for (Iterator<String> paths = description.path("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            templates.add(new Template(path, path.substring(1).split("/", -1)));
        }
    }

    /**
     * Loads the description named by {@value #DESCRIPTION_PROPERTY}, else {@value #DEFAULT_DESCRIPTION}
     * under the repository root (the nearest folder above the working directory holding {@code mvnw}).
     *
     * @throws IllegalStateException when the file is missing, saying how to install it
     * @throws IOException when it cannot be read or parsed
     */
    public static GitHubRestAudit load() throws IOException {
        Path file = descriptionPath();
        if (!Files.isRegularFile(file) && System.getProperty(DESCRIPTION_PROPERTY) == null) {
            fetch(file);
        }
        return load(file);
    }

    /** The npm package holding the description, and its published sha512 integrity. */
    private static final String TARBALL = "https://registry.npmjs.org/@octokit/openapi/-/openapi-23.0.2.tgz";
    private static final String TARBALL_SHA512 =
            "pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg==";
    private static final String ENTRY = "package/generated/api.github.com.json";

    /**
     * Puts the description at {@code target} as {@value #INSTALL_COMMAND} would, straight from the npm
     * registry (so a plain {@code ./mvnw verify} needs no npm): the package's tarball, checked against
     * its published sha512, and the one file taken out of it. A failure leaves nothing behind, and
     * {@link #load(Path)} then says how to install it by hand.
     */
    private static synchronized void fetch(Path target) {
        if (Files.isRegularFile(target)) {
            return;
        }
        try {
            HttpResponse<byte[]> response = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(20)).build()
                    .send(HttpRequest.newBuilder(URI.create(TARBALL)).timeout(Duration.ofMinutes(2)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException(TARBALL + " answered " + response.statusCode());
            }
            byte[] tarball = response.body();
            String digest = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(tarball));
            if (!digest.equals(TARBALL_SHA512)) {
                throw new IOException(TARBALL + " is not the published package (sha512 " + digest + ")");
            }
            byte[] json = untar(new GZIPInputStream(new ByteArrayInputStream(tarball)), ENTRY);
            Files.createDirectories(target.getParent());
            Path partial = Files.createTempFile(target.getParent(), "api.github.com", ".partial");
            Files.write(partial, json);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | NoSuchAlgorithmException e) {
            System.err.println("could not fetch GitHub's REST description from " + TARBALL + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The bytes of entry {@code name} of a tar stream (ustar headers, 512-byte blocks). */
    private static byte[] untar(InputStream tar, String name) throws IOException {
        byte[] header = new byte[512];
        while (tar.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
            String entry = field(header, 0, 100);
            String prefix = field(header, 345, 155);
            String path = prefix.isEmpty() ? entry : prefix + "/" + entry;
            long size = Long.parseLong(field(header, 124, 12).trim(), 8);
            if (path.equals(name)) {
                return tar.readNBytes(Math.toIntExact(size));
            }
            tar.skipNBytes((size + 511) / 512 * 512);
        }
        throw new IOException("the package holds no " + name);
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
    }

    /** Loads a description file; see {@link #load()} for the failures. */
    public static GitHubRestAudit load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("GitHub's REST description is missing at " + file.toAbsolutePath()
                    + ". Install it from the repository root with: " + INSTALL_COMMAND
                    + " (or point -D" + DESCRIPTION_PROPERTY + " at an api.github.com.json)");
        }
        return new GitHubRestAudit(GitHubBodies.JSON.readTree(file.toFile()));
    }

    /** The description file this run uses: the system property, else the default under the repository root. */
    public static Path descriptionPath() {
        String configured = System.getProperty(DESCRIPTION_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no folder holding mvnw above " + Paths.get("").toAbsolutePath()
                    + "; set -D" + DESCRIPTION_PROPERTY);
        }
        return dir.resolve(DEFAULT_DESCRIPTION);
    }

    /** Checks every request in a JSONL journal; returns the violations, empty when all are documented. */
    public List<String> check(Path journal) throws IOException {
        return check(RequestJournal.read(journal));
    }

    /** Checks requests; returns the violations, empty when all are documented. */
    public List<String> check(List<RecordedRequest> requests) {
        List<String> violations = new ArrayList<>();
        for (RecordedRequest request : requests) {
            violations.addAll(checkRequest(request));
        }
        return violations;
    }

    /** The ways one request departs from the description. */
    public List<String> checkRequest(RecordedRequest request) {
        String name = request.method() + " " + request.path();
        Operation op = find(request.method(), request.path());
        if (op == null) {
            return List.of(name + ": no operation in GitHub's description has this method and path");
        }
        List<String> out = new ArrayList<>();
        String where = name + " (" + op.operation().path("operationId").asText() + ")";
        Set<String> queryNames = new HashSet<>();
        for (JsonNode list : List.of(op.pathItem().path("parameters"), op.operation().path("parameters"))) {
            for (JsonNode parameter : list) {
                JsonNode resolved = schemas.resolve(parameter);
                if ("query".equals(resolved.path("in").asText())) {
                    queryNames.add(resolved.path("name").asText());
                }
            }
        }
        for (String parameter : request.queryParameters().keySet()) {
            if (!queryNames.contains(parameter)) {
                out.add(where + ": query parameter '" + parameter + "' is not documented");
            }
        }
        JsonNode requestBody = schemas.resolve(op.operation().path("requestBody"));
        JsonNode body = request.body();
        if (requestBody.isMissingNode()) {
            if (body != null && !(body.isObject() && body.isEmpty())) {
                out.add(where + ": sends a body, but the operation takes none");
            }
            return out;
        }
        if (body == null) {
            if (requestBody.path("required").asBoolean(false)) {
                out.add(where + ": the operation requires a body and none was sent");
            }
            return out;
        }
        JsonNode schema = mediaSchema(requestBody.path("content"));
        if (schema != null) {
            schemas.check(body, schema, where + ": body", true, out);
        }
        return out;
    }

    /**
     * The ways a recorded response departs from the description: an undocumented 2xx status, or a body
     * that lacks required properties or has values of the wrong type. Error bodies of undocumented
     * statuses are not checked.
     */
    public List<String> checkResponse(RecordedRequest request) {
        Operation op = find(request.method(), request.path());
        String name = request.method() + " " + request.path() + " -> " + request.status();
        if (op == null) {
            return List.of(name + ": no operation in GitHub's description has this method and path");
        }
        JsonNode responses = op.operation().path("responses");
        JsonNode response = responses.path(Integer.toString(request.status()));
        if (response.isMissingNode()) {
            response = responses.path("default");
        }
        if (response.isMissingNode()) {
            return request.status() / 100 == 2 ? List.of(name + ": status is not documented") : List.of();
        }
        JsonNode schema = mediaSchema(schemas.resolve(response).path("content"));
        if (schema == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        schemas.check(request.response(), schema, name + ": response", false, out);
        return out;
    }

    /** The schema for JSON, else for the first media type listed; null when there is no content. */
    private static JsonNode mediaSchema(JsonNode content) {
        if (content.isMissingNode() || content.isEmpty()) {
            return null;
        }
        JsonNode json = content.get("application/json");
        JsonNode media = json != null ? json : content.elements().next();
        return media.get("schema");
    }

    /**
     * The operation for a request path. A template segment {@code {name}} matches one segment; the
     * contents API's trailing {@code {path}} may span several, which OpenAPI 3.0 cannot express.
     * Among matches, the one with the most literal segments wins, as OpenAPI prescribes.
     */
    private Operation find(String method, String rawPath) {
        String[] got = rawPath.substring(1).split("/", -1);
        for (int i = 0; i < got.length; i++) {
            got[i] = URLDecoder.decode(got[i].replace("+", "%2B"), StandardCharsets.UTF_8);
        }
        Template best = null;
        int bestLiterals = -1;
        for (Template template : templates) {
            int literals = literalsIfMatches(template.segments(), got);
            if (literals > bestLiterals
                    && description.path("paths").path(template.path()).has(method.toLowerCase(Locale.ROOT))) {
                best = template;
                bestLiterals = literals;
            }
        }
        if (best == null) {
            return null;
        }
        JsonNode pathItem = description.path("paths").path(best.path());
        return new Operation(best.path(), pathItem, pathItem.path(method.toLowerCase(Locale.ROOT)));
    }

    private static int literalsIfMatches(String[] want, String[] got) {
        int literals = 0;
        for (int i = 0; i < want.length; i++) {
            if (i >= got.length) {
                return -1;
            }
            boolean parameter = want[i].startsWith("{") && want[i].endsWith("}");
            if (parameter && i == want.length - 1 && want[i].equals("{path}")) {
                return String.join("/", Arrays.copyOfRange(got, i, got.length)).isEmpty() ? -1 : literals;
            }
            if (parameter ? got[i].isEmpty() : !want[i].equals(got[i])) {
                return -1;
            }
            literals += parameter ? 0 : 1;
        }
        return want.length == got.length ? literals : -1;
    }
}

package dev.patchwright.bot.e2e;

import dev.patchwright.bot.standin.GitHubStandIn;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.patchwright.bot.e2e.EndToEndResources.WEBHOOK_SECRET;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The built bot's HTTP edges, over real sockets: bodies PostgreSQL would refuse, connections that
 * stall, where health and metrics are served, and the GitHub App extension's own route.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = WebhookEdgeResources.class, restrictToAnnotatedClass = true)
class WebhookEdgesIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aSignedBodyWithANulCharacterIsStoredNotLost() throws Exception {
        String delivery = UUID.randomUUID().toString();
        byte[] body = "{\"zen\": \"Keep it \\u0000 logically awesome\", \"hook_id\": 7, \"\\u0000key\": [\"a\\u0000\", \"\\ud800\"]}"
                .getBytes(StandardCharsets.UTF_8);

        Response response = EndToEndIT.deliver("ping", delivery, body);

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(202);
        List<Map<String, Object>> rows = EndToEndIT.query("select payload->>'zen' as zen, payload->>'\uFFFDkey' as k,"
                + " payload->>'hook_id' as hook from webhook_deliveries where delivery_id = ?", delivery);
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.get("zen")).isEqualTo("Keep it \uFFFD logically awesome");
            assertThat(row.get("k")).isEqualTo("[\"a\uFFFD\", \"\uFFFD\"]");
            assertThat(row.get("hook")).isEqualTo("7");
        });
    }

    @Test
    void theExtensionsOwnRouteNoLongerAnswersSignedPosts() throws Exception {
        byte[] body = "{\"zen\": \"hello\", \"hook_id\": 1}".getBytes(StandardCharsets.UTF_8);
        String delivery = UUID.randomUUID().toString();

        Response response = given().header("X-GitHub-Event", "ping").header("X-GitHub-Delivery", delivery)
                .header("X-Hub-Signature-256", GitHubStandIn.signature(WEBHOOK_SECRET, body))
                .contentType("application/json").body(body).post("/extension-webhook-unused");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(EndToEndIT.query("select 1 from webhook_deliveries where delivery_id = ?", delivery)).isEmpty();
    }

    @Test
    void aConnectionThatStallsInItsHeadersIsClosed() throws Exception {
        try (Socket silent = new Socket("127.0.0.1", RestAssured.port);
             Socket halfSent = new Socket("127.0.0.1", RestAssured.port)) {
            halfSent.getOutputStream().write("POST /webhook HTTP/1.1\r\nHost: bot\r\nX-GitHub-Event: pi"
                    .getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();

            assertThat(readUntilClosed(silent)).isEqualTo(-1);
            assertThat(readUntilClosed(halfSent)).isEqualTo(-1);

            long seconds = (System.nanoTime() - start) / 1_000_000_000;
            assertThat(seconds).as("closed after the idle timeout of %d s", WebhookEdgeResources.IDLE_TIMEOUT_SECONDS)
                    .isBetween((long) WebhookEdgeResources.IDLE_TIMEOUT_SECONDS - 1, 10L);
        }
    }

    /** What the server sent last before it closed: -1 when it closed without a byte, within 15 s. */
    private static int readUntilClosed(Socket socket) throws IOException {
        socket.setSoTimeout(15_000);
        InputStream in = socket.getInputStream();
        int last = -1;
        for (int b = in.read(); b >= 0; b = in.read()) {
            last = b;
        }
        return last;
    }

    @Test
    void healthAndMetricsAreServedOnTheLoopbackManagementPortOnly() throws Exception {
        int management = EndToEndResources.managementPort;
        assertThat(get("http://127.0.0.1:" + management + "/q/health").body()).contains("\"status\": \"UP\"");
        assertThat(get("http://127.0.0.1:" + management + "/q/metrics").body()).contains("jvm_memory_used_bytes");

        assertThat(get("http://127.0.0.1:" + RestAssured.port + "/q/health").statusCode()).isEqualTo(404);
        assertThat(get("http://127.0.0.1:" + RestAssured.port + "/q/metrics").statusCode()).isEqualTo(404);

        Optional<InetAddress> external = externalAddress();
        if (external.isPresent()) {
            assertThatThrownBy(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(external.get(), management), 3_000);
                }
            }).as("the management port on %s", external.get()).isInstanceOf(IOException.class);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An IPv4 address of this machine other than loopback, where a server bound to every interface listens. */
    private static Optional<InetAddress> externalAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        return Optional.of(address);
                    }
                }
            }
        }
        return Optional.empty();
    }
}

package dev.patchwright.bot.cli;

import dev.patchwright.inference.engine.Device;
import dev.patchwright.inference.engine.cuda.CudaProbe;
import dev.patchwright.inference.local.LocalModel;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.server.ModelServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code patchwright model-server}: a model folder on the built-in engine, served over the OpenAI chat API. */
@Command(name = "model-server", mixinStandardHelpOptions = true,
        description = {"Serves a model folder (config.json, safetensors weights, tokenizer.json) on Patchwright's own "
                + "engine (a CUDA GPU, or the CPU) as an OpenAI-compatible API: GET /v1/models and POST /v1/chat/completions, whole or "
                + "streamed. Point workers at it with PATCHWRIGHT_MODEL_URL=http://HOST:PORT/v1 and "
                + "PATCHWRIGHT_MODEL_NAME=the served name. Runs until stopped (Ctrl-C).",
                "Also GET /health and Prometheus GET /metrics, without the API key.",
                "Exit 2 for bad options, --device cuda without a usable GPU, or a model folder that cannot be loaded, 3 "
                        + "when the port cannot be bound."})
final class ModelServerCommand implements Callable<Integer> {

    @Option(names = "--model-path", required = true, paramLabel = "DIR", description = "the model folder")
    Path modelPath;

    @Option(names = "--port", defaultValue = "8000", description = "port to listen on (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "address to listen on; 0.0.0.0 for every interface (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--served-model-name", paramLabel = "NAME",
            description = "the model name clients send (default: the folder's name)")
    String servedName;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "cuda|cpu|auto",
            description = "where the engine runs: auto uses a CUDA device when there is one, else the CPU, and says "
                    + "which; cuda refuses to start without one (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--allow-unauthenticated",
            description = "serve on an address other than loopback without PATCHWRIGHT_MODEL_SERVER_API_KEY")
    boolean allowUnauthenticated;

    /** The key clients must send; from the environment, so it never shows in a process list. */
    String apiKey = System.getenv("PATCHWRIGHT_MODEL_SERVER_API_KEY");

    @Override
    public Integer call() throws InterruptedException {
        PrintStream err = System.err;
        if (port < 0 || port > 65535) {
            err.println("error: --port must be in 0..65535, was " + port);
            return 2;
        }
        String key = apiKey == null || apiKey.isBlank() ? null : apiKey;
        if (key == null && !allowUnauthenticated && !loopback(host)) {
            err.println("error: --host " + host + " would let anyone who can reach it use this machine's compute: set "
                    + "PATCHWRIGHT_MODEL_SERVER_API_KEY (workers send it as PATCHWRIGHT_MODEL_API_KEY), or pass "
                    + "--allow-unauthenticated");
            return 2;
        }
        Device.Choice choice;
        try {
            choice = Device.parse(device).choose(CudaProbe::probe);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("error: " + (e instanceof IllegalArgumentException ? "--device: " : "") + e.getMessage());
            return 2;
        }
        err.println(choice.reason());
        LocalModel model = open(choice.device(), err);
        if (model == null) {
            return 2;
        }
        String name = servedName == null || servedName.isBlank() ? model.name() : servedName;
        ModelServer server;
        try {
            server = new ModelServer(model, name, new InetSocketAddress(host, port), key);
        } catch (IOException | IllegalArgumentException e) {
            err.println("error: cannot listen on " + host + ":" + port + ": " + e.getMessage());
            model.close();
            return 3;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            model.close();
            stopped.countDown();
        }, "model-server-stop"));
        err.println("serving " + name + " (" + model + ") at " + server.baseUrl()
                + (key == null ? " without an API key" : ", API key required") + "; Ctrl-C stops");
        System.out.println(server.baseUrl());
        System.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * The model on the device chosen; when the GPU engine cannot start under {@code --device auto},
     * on the CPU, saying why. {@code null} after printing the error.
     */
    private LocalModel open(Device chosen, PrintStream err) {
        try {
            return LocalModel.open(modelPath, chosen);
        } catch (InferenceException e) {
            if (chosen != Device.CUDA || Device.parse(device) != Device.AUTO) {
                err.println("error: " + (chosen == Device.CUDA ? "--device cuda: " : "--model-path: ") + e.getMessage());
                return null;
            }
            err.println("--device auto: " + e.getMessage() + "; using the CPU engine");
            return open(Device.CPU, err);
        }
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}

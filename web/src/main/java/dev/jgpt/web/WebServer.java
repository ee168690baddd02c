package dev.jgpt.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jgpt.transformer.Checkpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code jgpt serve}: the runs dashboard and the playground in a browser.
 *
 * <p>The server is the JDK's own {@code jdk.httpserver} (com.sun.net.httpserver): no dependency
 * to ship or keep up to date, enough for a local tool with a handful of clients, and server-sent
 * events work over its chunked responses (each request gets a virtual thread, so an open event
 * stream costs a parked thread, not a platform one).
 *
 * <p>It binds 127.0.0.1 unless told otherwise, serves only its own assets (from the jar) and
 * what it reads from run folders under the runs root, and never writes to a run folder.
 */
public final class WebServer implements AutoCloseable {

  /**
   * @param runsRoot the folder whose subfolders are runs
   * @param host the address to bind (127.0.0.1: this machine only)
   * @param port 0 for any free port
   * @param maxNewTokens the most tokens one generation may ask for
   * @param maxPromptChars the longest prompt or scored text
   * @param maxConcurrent generations and scorings at once, over all models (one per model always)
   * @param maxLoaded models kept in memory
   * @param backend the compute backend for generation ("cpu", "auto", ...)
   * @param device the backend's device
   * @param threads CPU threads (0 = automatic for each model's size)
   */
  public record Options(Path runsRoot, String host, int port, int maxNewTokens, int maxPromptChars, int maxConcurrent,
      int maxLoaded, String backend, int device, int threads) {
    public static Options defaults(Path runsRoot) {
      return new Options(runsRoot, "127.0.0.1", 8700, 1000, 20_000, 2, 4, "cpu", 0, 0);
    }

    public Options withPort(int p) {
      return new Options(runsRoot, host, p, maxNewTokens, maxPromptChars, maxConcurrent, maxLoaded, backend, device, threads);
    }

    public Options withHost(String h) {
      return new Options(runsRoot, h, port, maxNewTokens, maxPromptChars, maxConcurrent, maxLoaded, backend, device, threads);
    }

    public Options withMaxNewTokens(int n) {
      return new Options(runsRoot, host, port, n, maxPromptChars, maxConcurrent, maxLoaded, backend, device, threads);
    }

    public Options withBackend(String b, int onDevice, int withThreads) {
      return new Options(runsRoot, host, port, maxNewTokens, maxPromptChars, maxConcurrent, maxLoaded, b, onDevice, withThreads);
    }
  }

  private final Options options;
  private final HttpServer server;
  private final ExecutorService executor;
  private final RunsFolder runs;
  private final ModelPool models;
  private volatile boolean stopping;

  private WebServer(Options options) throws IOException {
    this.options = options;
    this.runs = new RunsFolder(options.runsRoot());
    this.models = new ModelPool(options.maxConcurrent(), options.maxLoaded(), options.backend(), options.device(), options.threads());
    this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 64);
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext("/", routes());
  }

  /** Starts serving; {@link #port()} tells the port when {@code options.port()} was 0. */
  public static WebServer start(Options options) throws IOException {
    WebServer s = new WebServer(options);
    s.server.start();
    return s;
  }

  /**
   * Every URL the server answers. A new view of a run is one more line here, whose endpoint runs
   * the model through {@link ModelPool#use} like {@link Playground} and {@link InsideView} do.
   */
  private Router routes() {
    Playground playground = new Playground(runs, models, options, () -> stopping);
    InsideView inside = new InsideView(runs, models, options);
    return new Router()
        .add("GET", "/", (ex, p) -> WebAssets.serve(ex, "index.html"))
        .add("GET", "/assets/{file}", (ex, p) -> WebAssets.serve(ex, p.get("file")))
        .add("GET", "/api/runs", (ex, p) -> Http.sendJson(ex, 200, listRuns()))
        .add("GET", "/api/runs/{name}", (ex, p) -> Http.sendJson(ex, 200, runs.summary(p.get("name"))))
        .add("GET", "/api/runs/{name}/metrics", this::metrics)
        .add("GET", "/api/runs/{name}/metrics/stream",
            (ex, p) -> new MetricsStream(runs.resolve(p.get("name")).resolve(Checkpoint.METRICS)).run(ex, () -> stopping))
        .add("GET", "/api/runs/{name}/generate", playground::generate)
        .add("POST", "/api/runs/{name}/score", playground::score)
        .add("POST", "/api/runs/{name}/inspect", inside::inspect);
  }

  private Map<String, Object> listRuns() throws IOException {
    List<Object> list = new ArrayList<>();
    for (String name : runs.names()) {
      try {
        list.add(runs.summary(name));
      } catch (ApiError gone) {
        // removed between the listing and the read
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("root", runs.root().toString());
    out.put("runs", list);
    out.put("max_tokens", options.maxNewTokens());
    return out;
  }

  private void metrics(HttpExchange ex, Map<String, String> p) throws IOException {
    Path f = runs.resolve(p.get("name")).resolve(Checkpoint.METRICS);
    String text = Files.exists(f) ? Files.readString(f, java.nio.charset.StandardCharsets.UTF_8) : "";
    int end = text.lastIndexOf('\n') + 1; // complete lines only
    Http.sendJson(ex, 200, Map.of("lines", RunsFolder.parseLines(text.substring(0, end))));
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** http://host:port/ as a browser on this machine would open it. */
  public String url() {
    String h = options.host();
    if (h.equals("0.0.0.0") || h.equals("::")) h = "127.0.0.1";
    if (h.contains(":")) h = "[" + h + "]";
    return "http://" + h + ":" + port() + "/";
  }

  /** How many models are loaded (for tests and the memory numbers). */
  int loadedModels() {
    return models.loadedCount();
  }

  ModelPool models() {
    return models;
  }

  @Override
  public void close() {
    stopping = true;
    server.stop(0);
    executor.shutdownNow();
    models.close();
  }
}

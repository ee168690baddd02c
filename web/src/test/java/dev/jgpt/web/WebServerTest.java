package dev.jgpt.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.common.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WebServerTest {
  static WebServer server;
  static Path root;

  @BeforeAll
  static void start() throws Exception {
    root = TestRuns.root();
    server = WebServer.start(WebServer.Options.defaults(root).withPort(0).withMaxNewTokens(100));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void listsEveryRunWithItsConfiguration() throws Exception {
    var a = TestHttp.get(server, "/api/runs");
    assertEquals(200, a.status());
    List<Object> list = (List<Object>) a.json().get("runs");
    Map<String, Object> tiny = list.stream().map(o -> (Map<String, Object>) o)
        .filter(r -> r.get("name").equals("tiny")).findFirst().orElseThrow();
    assertEquals(200L, tiny.get("step"));
    assertEquals(true, tiny.get("has_model"));
    assertEquals(32L, ((Map<String, Object>) tiny.get("config")).get("n_embd"));
    assertTrue(list.stream().anyMatch(o -> ((Map<String, Object>) o).get("name").equals("broken")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRunsEvaluationSamplesAreInItsJson() throws Exception {
    Path samples = root.resolve("tiny").resolve(dev.jgpt.transformer.Checkpoint.SAMPLES);
    Files.writeString(samples, "{\"step\":100,\"text\":\"to be or\"}\n{\"step\":200,\"text\":\"not to be\"}\n");
    try {
      var a = TestHttp.get(server, "/api/runs/tiny");
      List<Map<String, Object>> got = (List<Map<String, Object>>) a.json().get("samples");
      assertEquals(List.of(100L, 200L), got.stream().map(m -> m.get("step")).toList());
      assertEquals("not to be", got.get(1).get("text"));
    } finally {
      Files.delete(samples);
    }
  }

  @Test
  void oneRunAndAnUnknownOne() throws Exception {
    var a = TestHttp.get(server, "/api/runs/tiny");
    assertEquals(200, a.status());
    assertEquals("tiny", a.json().get("name"));
    assertNotNull(a.json().get("config"));
    var missing = TestHttp.get(server, "/api/runs/nope");
    assertEquals(404, missing.status());
    assertTrue(((String) missing.json().get("error")).contains("no run named nope"));
  }

  @Test
  void aBrokenRunIsAnErrorMessageNotAStackTrace() throws Exception {
    var a = TestHttp.get(server, "/api/runs/broken");
    assertEquals(200, a.status());
    assertNotNull(a.json().get("error"));
    assertEquals(false, a.json().get("has_model"));
    var gen = TestHttp.get(server, "/api/runs/broken/generate?prompt=hi");
    assertEquals(422, gen.status(), gen.body());
    assertTrue(((String) gen.json().get("error")).startsWith("run broken cannot be loaded"));
    for (var answer : List.of(a, gen)) {
      assertFalse(answer.body().contains("Exception"), answer.body());
      assertFalse(answer.body().contains("\tat "), answer.body());
      assertFalse(answer.body().contains(".java:"), answer.body());
    }
  }

  @Test
  void pathTraversalIsRefused() throws Exception {
    Path outside = root.getParent().resolve("jgpt-web-secret-" + ProcessHandle.current().pid());
    Files.createDirectories(outside);
    Files.writeString(outside.resolve("metrics.jsonl"), "{\"step\":1,\"secret\":\"do-not-serve\"}\n");
    Files.writeString(outside.resolve("config.json"), "{\"secret\":\"do-not-serve\"}");
    String out = outside.getFileName().toString();
    try {
      for (String path : List.of(
          "/assets/../../../../etc/passwd",
          "/assets/..%2f..%2f..%2fetc%2fpasswd",
          "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
          "/assets/%2E%2E%2F%2E%2E%2Fpom.xml",
          "/assets/..%5c..%5cpom.xml",
          "/assets/index.html%00.js",
          "/api/runs/../" + out + "/metrics",
          "/api/runs/..%2f" + out + "/metrics",
          "/api/runs/..%2F" + out + "/metrics/stream",
          "/api/runs/%2e%2e%2f" + out,
          "/api/runs/%2e%2e/" + out + "/metrics",
          "/api/runs/..%5c" + out + "/metrics",
          "/api/runs/%252e%252e%252f" + out + "/metrics",
          "/api/runs/.%2e/" + out,
          "/api/runs/tiny/..%2f..%2f" + out + "/metrics",
          "/api/runs/%c0%ae%c0%ae%c0%af" + out + "/metrics",
          "/../../etc/passwd")) {
        var a = TestHttp.raw(server, path);
        assertTrue(a.status() == 400 || a.status() == 404, path + " -> " + a.status() + " " + a.body());
        assertFalse(a.body().contains("do-not-serve"), path);
        assertFalse(a.body().contains("root:"), path);
        assertNotNull(Json.parseObject(a.body()).get("error"), path);
      }
      // a symbolic link inside the runs folder that leads outside it is refused too
      Path link = root.resolve("escape");
      try {
        Files.createSymbolicLink(link, outside);
        var a = TestHttp.get(server, "/api/runs/escape/metrics");
        assertEquals(400, a.status(), a.body());
        assertFalse(a.body().contains("do-not-serve"));
      } catch (UnsupportedOperationException | java.nio.file.FileSystemException noLinks) {
        // no symbolic links on this file system
      } finally {
        Files.deleteIfExists(link);
      }
    } finally {
      try (Stream<Path> s = Files.list(outside)) {
        for (Path p : s.toList()) Files.delete(p);
      }
      Files.delete(outside);
    }
  }

  @Test
  void assetsComeFromTheJarChartLibraryIncluded() throws Exception {
    var page = TestHttp.get(server, "/");
    assertEquals(200, page.status());
    assertTrue(page.body().contains("uPlot.iife.min.js"));
    var chart = TestHttp.get(server, "/assets/uPlot.iife.min.js");
    assertEquals(200, chart.status());
    assertTrue(chart.body().contains("uPlot"));
    assertEquals(200, TestHttp.get(server, "/assets/app.js").status());
    assertEquals(404, TestHttp.get(server, "/assets/other.js").status());
  }

  @Test
  @SuppressWarnings("unchecked")
  void metricsAsJson() throws Exception {
    var a = TestHttp.get(server, "/api/runs/tiny/metrics");
    assertEquals(200, a.status());
    List<Object> lines = (List<Object>) a.json().get("lines");
    assertTrue(lines.size() >= 10);
    assertEquals(10L, ((Map<String, Object>) lines.get(0)).get("step"));
  }

  @Test
  void theMetricsStreamSendsTheLinesThereThenOneAppendedAfterConnecting() throws Exception {
    Path run = root.resolve("live");
    Files.createDirectories(run);
    Path metrics = run.resolve("metrics.jsonl");
    Files.writeString(metrics, TestRuns.metricsLine(1) + TestRuns.metricsLine(2));
    LinkedBlockingQueue<String> data = new LinkedBlockingQueue<>();
    var request = HttpRequest.newBuilder(URI.create(server.url() + "api/runs/live/metrics/stream")).build();
    var pending = TestHttp.CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
    var response = pending.get(10, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    Thread reader = Thread.ofVirtual().start(() -> {
      try (Stream<String> lines = response.body()) {
        lines.filter(l -> l.startsWith("data: ")).forEach(l -> data.add(l.substring(6)));
      } catch (RuntimeException closed) {
        // the test is over
      }
    });
    try {
      assertTrue(data.poll(10, TimeUnit.SECONDS).contains("poll_ms")); // hello
      String first = data.poll(10, TimeUnit.SECONDS);
      assertTrue(first.contains("\"step\":1") && first.contains("\"step\":2"), first);
      // the trainer appends a line in two writes: only the complete line is sent
      long t0 = System.nanoTime();
      String line = TestRuns.metricsLine(3);
      Files.writeString(metrics, line.substring(0, 20), StandardOpenOption.APPEND);
      Thread.sleep(2 * MetricsStream.POLL_MILLIS);
      Files.writeString(metrics, line.substring(20), StandardOpenOption.APPEND);
      String next = data.poll(2, TimeUnit.SECONDS);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertNotNull(next, "no event within 2 s of appending a line");
      assertTrue(next.contains("\"step\":3") && !next.contains("\"step\":2"), next);
      System.out.println("metrics stream: appended line arrived " + ms + " ms after the first byte was written"
          + " (" + (ms - 2 * MetricsStream.POLL_MILLIS) + " ms after the line was complete)");
    } finally {
      reader.interrupt();
      pending.cancel(true);
      Files.deleteIfExists(metrics);
      Files.deleteIfExists(run);
    }
  }

  @Test
  void generationStreamsTokensWithProbabilitiesAndAlternatives() throws Exception {
    String prompt = URLEncoder.encode("to be or", StandardCharsets.UTF_8);
    long t0 = System.nanoTime();
    var a = TestHttp.get(server, "/api/runs/tiny/generate?temperature=0&max_tokens=20&alternatives=5&prompt=" + prompt);
    assertEquals(200, a.status(), a.body());
    List<String> events = a.body().lines().filter(l -> l.startsWith("event: ")).toList();
    assertEquals("event: start", events.get(0));
    assertEquals(20, events.stream().filter(e -> e.equals("event: token")).count());
    assertEquals("event: done", events.get(events.size() - 1));
    String firstToken = a.body().lines().filter(l -> l.startsWith("data: {\"i\":0")).findFirst().orElseThrow();
    Map<String, Object> t = Json.parseObject(firstToken.substring(6));
    assertEquals(5, ((List<?>) t.get("top")).size());
    assertTrue(((Number) t.get("p")).doubleValue() > 0.5, firstToken); // the tiny model knows what follows
    String done = a.body().lines().filter(l -> l.startsWith("data: {\"reason\"")).findFirst().orElseThrow();
    assertTrue(((String) Json.parseObject(done.substring(6)).get("text")).startsWith(" not to be"), done);
    System.out.println("generate: 20 tokens in " + (System.nanoTime() - t0) / 1_000_000 + " ms (model load included)");
  }

  @Test
  void generationIsBoundedInLengthAndConcurrency() throws Exception {
    var tooLong = TestHttp.get(server, "/api/runs/tiny/generate?max_tokens=100000&prompt=to");
    assertEquals(400, tooLong.status());
    assertTrue(((String) tooLong.json().get("error")).contains("max_tokens must be between 1 and 100"));
    String hugePrompt = "x".repeat(30_000);
    assertEquals(400, TestHttp.get(server, "/api/runs/tiny/generate?prompt=" + hugePrompt).status());
    assertEquals(400, TestHttp.get(server, "/api/runs/tiny/generate?temperature=-1&prompt=to").status());
    // while a generation holds the model, a second request is turned away at once
    assertTrue(server.models().holdForTest("tiny"));
    try {
      var busy = TestHttp.get(server, "/api/runs/tiny/generate?prompt=to");
      assertEquals(429, busy.status());
      assertTrue(((String) busy.json().get("error")).contains("busy"));
      assertEquals(429, TestHttp.post(server, "/api/runs/tiny/score", "{\"text\": \"to be\"}").status());
    } finally {
      server.models().release("tiny");
    }
    assertEquals(200, TestHttp.get(server, "/api/runs/tiny/generate?max_tokens=2&prompt=to").status());
  }

  @Test
  @SuppressWarnings("unchecked")
  void tokensComeWithTheirTextShownAsTheReplShowsIt() throws Exception {
    var a = TestHttp.post(server, "/api/runs/tiny/score", "{\"text\": \"a\\n\u20acb\", \"alternatives\": 2}");
    assertEquals(200, a.status(), a.body());
    List<Object> tokens = (List<Object>) a.json().get("tokens");
    // byte-level: the euro sign is three tokens, each a piece of a character shown as its byte
    assertEquals(List.of("a", "\\n", "\\xe2", "\\x82", "\\xac", "b"),
        tokens.stream().map(t -> ((Map<String, Object>) t).get("shown")).toList());
    Map<String, Object> candidate = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) tokens.get(1))
        .get("top")).get(0);
    assertEquals(dev.jgpt.tokenizer.TokenText.render(((String) candidate.get("text")).getBytes(StandardCharsets.UTF_8)),
        candidate.get("shown"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void scoringColoursATextBySurprisal() throws Exception {
    var a = TestHttp.post(server, "/api/runs/tiny/score", "{\"text\": \"to be or not to be\", \"alternatives\": 3}");
    assertEquals(200, a.status(), a.body());
    List<Object> tokens = (List<Object>) a.json().get("tokens");
    assertEquals(18, tokens.size()); // byte-level
    Map<String, Object> last = (Map<String, Object>) tokens.get(tokens.size() - 1);
    assertTrue(((Number) last.get("surprisal_bits")).doubleValue() < 1, last.toString());
    assertEquals(3, ((List<?>) last.get("top")).size());
    assertTrue(((Number) a.json().get("bits_per_byte")).doubleValue() > 0);
    assertEquals(400, TestHttp.post(server, "/api/runs/tiny/score", "{\"text\": \"\"}").status());
    assertEquals(400, TestHttp.post(server, "/api/runs/tiny/score", "not json").status());
  }

  @Test
  @SuppressWarnings("unchecked")
  void inspectShowsCausalAttentionRowsAndALensWhoseLastLayerIsTheGreedyToken() throws Exception {
    String text = "to be or not to b";
    var a = TestHttp.post(server, "/api/runs/tiny/inspect", "{\"text\": \"" + text + "\", \"top\": 3}");
    assertEquals(200, a.status(), a.body());
    Map<String, Object> json = a.json();
    Map<String, Object> model = (Map<String, Object>) json.get("model");
    assertEquals(2L, model.get("n_layer"));
    assertEquals(2L, model.get("n_head"));
    assertEquals(16L, model.get("head_size"));
    List<Object> tokens = (List<Object>) json.get("tokens");
    int n = tokens.size();
    assertEquals(text.length(), n); // byte-level
    List<Object> attention = (List<Object>) json.get("attention");
    assertEquals(2, attention.size());
    for (Object layer : attention) {
      List<Object> heads = (List<Object>) layer;
      assertEquals(2, heads.size());
      for (Object head : heads) {
        List<Object> rows = (List<Object>) head;
        assertEquals(n, rows.size());
        for (int q = 0; q < n; q++) {
          List<Object> row = (List<Object>) rows.get(q);
          assertEquals(n, row.size());
          double sum = 0;
          for (int k = 0; k < n; k++) {
            double w = ((Number) row.get(k)).doubleValue();
            if (k > q) assertEquals(0.0, w, "query " + q + " cannot see key " + k);
            else assertTrue(w >= 0);
            sum += w;
          }
          assertEquals(1.0, sum, 1e-3, "row " + q);
        }
      }
    }
    Map<String, Object> lens = (Map<String, Object>) json.get("lens");
    List<Object> depths = (List<Object>) lens.get("depths");
    assertEquals(3, depths.size()); // embeddings, block 1, block 2
    Map<String, Object> last = (Map<String, Object>) depths.get(2);
    Map<String, Object> lensTop = (Map<String, Object>) ((List<Object>) last.get("top")).get(0);
    assertEquals(3, ((List<Object>) last.get("top")).size());
    assertEquals(1L, last.get("rank_of_predicted"));
    // the model's greedy next token, from the generate endpoint
    var g = TestHttp.get(server, "/api/runs/tiny/generate?temperature=0&max_tokens=1&prompt="
        + URLEncoder.encode(text, StandardCharsets.UTF_8));
    String first = g.body().lines().filter(l -> l.startsWith("data: {\"i\":0")).findFirst().orElseThrow();
    Object greedy = Json.parseObject(first.substring(6)).get("id");
    assertEquals(greedy, lensTop.get("id"));
    assertEquals(greedy, ((Map<String, Object>) lens.get("predicted")).get("id"));
    assertEquals("e", lensTop.get("text")); // "to b" -> "e"

    // the same by token ids, with one head's map asked for
    StringBuilder ids = new StringBuilder();
    for (Object t : tokens) ids.append(ids.isEmpty() ? "" : ",").append(((Map<String, Object>) t).get("id"));
    var b = TestHttp.post(server, "/api/runs/tiny/inspect", "{\"tokens\": [" + ids + "], \"layer\": 1, \"head\": 0}");
    assertEquals(200, b.status(), b.body());
    Map<String, Object> headMap = (Map<String, Object>) b.json().get("head_map");
    assertEquals(((List<Object>) attention.get(1)).get(0), headMap.get("rows"));
  }

  @Test
  void inspectIsBoundedAndUnknownRunsAre404() throws Exception {
    var tooLong = TestHttp.post(server, "/api/runs/tiny/inspect", "{\"text\": \"" + "x".repeat(33) + "\"}");
    assertEquals(400, tooLong.status(), tooLong.body());
    assertTrue(((String) tooLong.json().get("error")).contains("block size of 32"), tooLong.body());
    assertEquals(200, TestHttp.post(server, "/api/runs/tiny/inspect", "{\"text\": \"" + "x".repeat(32) + "\"}").status());
    assertEquals(404, TestHttp.post(server, "/api/runs/nope/inspect", "{\"text\": \"hi\"}").status());
    assertEquals(400, TestHttp.post(server, "/api/runs/tiny/inspect", "{\"text\": \"\"}").status());
    assertEquals(400, TestHttp.post(server, "/api/runs/tiny/inspect", "{\"tokens\": [1, 99999]}").status());
    assertEquals(400, TestHttp.post(server, "/api/runs/tiny/inspect", "{}").status());
    assertTrue(server.models().holdForTest("tiny"));
    try {
      assertEquals(429, TestHttp.post(server, "/api/runs/tiny/inspect", "{\"text\": \"hi\"}").status());
    } finally {
      server.models().release("tiny");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void generationContinuesFromGivenTokenIdsAsAPickedAlternativeDoes() throws Exception {
    var a = TestHttp.get(server, "/api/runs/tiny/generate?temperature=0&max_tokens=5&prompt=to");
    String start = a.body().lines().filter(l -> l.startsWith("data: {\"run\"")).findFirst().orElseThrow();
    assertEquals(List.of(116L, 111L), Json.parseObject(start.substring(6)).get("context_ids"));
    // "to" then a picked " b": the greedy continuation of those ids is the one of the text "to b"
    // (compared with the model's own continuation, not a pinned string: any change in training
    // arithmetic changes what the tiny model writes)
    var b = TestHttp.get(server, "/api/runs/tiny/generate?temperature=0&max_tokens=5&context=116,111,32,98");
    assertEquals(200, b.status(), b.body());
    var c = TestHttp.get(server, "/api/runs/tiny/generate?temperature=0&max_tokens=5&prompt=to%20b");
    assertEquals(200, c.status(), c.body());
    String picked = finalText(b.body()), typed = finalText(c.body());
    assertFalse(picked.isEmpty(), b.body());
    assertEquals(typed, picked);
    assertEquals(400, TestHttp.get(server, "/api/runs/tiny/generate?context=1,x").status());
    assertEquals(400, TestHttp.get(server, "/api/runs/tiny/generate?context=1,70000").status());
  }

  /** The generated text of a finished generation stream (its "reason" event). */
  private static String finalText(String body) {
    String done = body.lines().filter(l -> l.startsWith("data: {\"reason\"")).findFirst().orElseThrow();
    return (String) Json.parseObject(done.substring(6)).get("text");
  }

  @Test
  void unknownPagesAndMethodsAreJsonErrors() throws Exception {
    var a = TestHttp.get(server, "/nothing/here");
    assertEquals(404, a.status());
    assertNotNull(a.json().get("error"));
    assertEquals(405, TestHttp.post(server, "/api/runs", "{}").status());
  }
}

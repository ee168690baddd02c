package dev.jgpt.web;

import dev.jgpt.transformer.TinyRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A runs folder for the tests, made once per test JVM: {@code tiny} (a real checkpoint trained
 * by {@link TinyRun}, with a hand-written metrics.jsonl) and {@code broken} (files that do not
 * parse).
 */
final class TestRuns {
  private static Path root;

  private TestRuns() {}

  static synchronized Path root() throws IOException {
    if (root == null) {
      Path r = Files.createTempDirectory("jgpt-web-runs");
      Path tiny = r.resolve("tiny");
      Files.createDirectories(tiny);
      TinyRun.create(tiny);
      StringBuilder sb = new StringBuilder();
      for (int step = 10; step <= 100; step += 10) sb.append(metricsLine(step));
      Files.writeString(tiny.resolve("metrics.jsonl"), sb.toString());
      Path broken = r.resolve("broken");
      Files.createDirectories(broken);
      Files.writeString(broken.resolve("config.json"), "{ this is not json");
      Files.writeString(broken.resolve("state.json"), "{\"format\": \"nope\"}");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(r)));
      root = r;
    }
    return root;
  }

  /** One metrics.jsonl line as the trainer writes it (a val loss every 50 steps). */
  static String metricsLine(long step) {
    double loss = 3.0 * Math.exp(-step / 60.0) + 0.2;
    String val = step % 50 == 0 ? String.format(Locale.ROOT, "%.4f", loss + 0.1) : "null";
    String bpb = step % 50 == 0 ? String.format(Locale.ROOT, "%.4f", (loss + 0.1) / Math.log(2)) : "null";
    return String.format(Locale.ROOT, "{\"step\":%d,\"train_loss\":%.4f,\"val_loss\":%s,\"val_bpb\":%s,\"lr\":%.6f,"
        + "\"tokens_per_s\":%d,\"ms_per_step\":12.5,\"grad_norm\":%.3f,\"elapsed_s\":%.2f}%n",
        step, loss, val, bpb, 3e-3 * Math.min(1, step / 20.0), 20000 + step, 1.0 / (1 + step / 50.0), step * 0.0125);
  }

  private static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }
}

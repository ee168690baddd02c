package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.CounterRng;
import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A run folder with a tiny byte-level model trained in a second or two on a repetitive text, so
 * end-to-end tests have a real checkpoint whose greedy continuation is predictable. The cli and
 * web tests use it too, through this module's test jar.
 */
public final class TinyRun {
  /** What the model learns: after 200 steps (loss about 0.1), greedy decoding continues it. */
  public static final String TEXT = "to be or not to be, that is the question. ";

  private static Path shared;

  private TinyRun() {}

  /** One run per test JVM, trained on first use, deleted when the JVM exits. */
  public static synchronized Path shared() throws IOException {
    if (shared == null) {
      Path dir = java.nio.file.Files.createTempDirectory("jgpt-tiny-run");
      create(dir);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
      shared = dir;
    }
    return shared;
  }

  private static void deleteTree(Path dir) {
    try (var files = java.nio.file.Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }

  /** Trains and saves the model into {@code dir}; returns the final training loss. */
  public static float create(Path dir) throws IOException {
    Tokenizer tok = Tokenizer.bytesOnly();
    TrainConfig config = Presets.get("tiny").with(TrainConfigKey.BLOCK_SIZE, 32).with(TrainConfigKey.N_EMBD, 32)
        .with(TrainConfigKey.N_HEAD, 2).with(TrainConfigKey.N_LAYER, 2);
    GptConfig cfg = RunDirectory.modelConfig(config, tok.vocabSize());
    int B = 8, T = cfg.blockSize(), steps = 200;
    int[] data = tok.encode(TEXT.repeat(20));
    float loss = Float.NaN;
    try (Backend be = Backends.open("cpu", 1); Gpt gpt = new Gpt(cfg, be, B, T)) {
      gpt.initWeights(1);
      int[] x = new int[B * T], y = new int[B * T];
      for (int step = 1; step <= steps; step++) {
        long key = CounterRng.key(7, step, 0);
        for (int b = 0; b < B; b++) {
          int start = CounterRng.nextInt(key, b, data.length - T - 1);
          System.arraycopy(data, start, x, b * T, T);
          System.arraycopy(data, start + 1, y, b * T, T);
        }
        gpt.zeroGrads();
        loss = gpt.forwardBackward(x, y, 1f / (B * T), step);
        gpt.optimizerStep(3e-3f, step, 0.9f, 0.99f, 1e-8f, 0f, 1f);
      }
      RunDirectory.writeConfig(dir, config);
      RunDirectory.writeTokenizer(dir, tok);
      CheckpointState state = new CheckpointState(steps, (long) steps * B * T, loss, Double.POSITIVE_INFINITY, -1, 0,
          0, 7, steps, 1.0, tok.hash(), config, Map.of());
      Checkpoint.save(dir, gpt, state, false);
    }
    return loss;
  }
}

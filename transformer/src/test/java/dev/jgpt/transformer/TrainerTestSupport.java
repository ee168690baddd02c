package dev.jgpt.transformer;

import dev.jgpt.corpus.BatchLoader;
import dev.jgpt.corpus.EvalBatches;
import dev.jgpt.corpus.TokenArray;
import dev.jgpt.corpus.TokenData;
import dev.jgpt.corpus.TokenLengths;
import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BackendProvider;
import dev.jgpt.kernels.Backends;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A tiny model on a tiny text, for tests of the training loop and checkpoints. */
final class TrainerTestSupport {
  private TrainerTestSupport() {}

  static final String TEXT = """
      First Citizen: Before we proceed any further, hear me speak.
      All: Speak, speak.
      First Citizen: You are all resolved rather to die than to famish?
      All: Resolved. resolved.
      First Citizen: First, you know Caius Marcius is chief enemy to the people.
      """.repeat(4);

  /** The tiny preset with short evaluations; every test changes what it needs. */
  static TrainConfig tinyConfig() {
    return Presets.get("tiny").with(TrainConfigKey.EVAL_INTERVAL, 4).with(TrainConfigKey.EVAL_ITERS, 2)
        .with(TrainConfigKey.MAX_ITERS, 8).with(TrainConfigKey.SAMPLE_TOKENS, 0).validate();
  }

  /** The CPU backend when it is there (fast), else the reference one, on one thread. */
  static Backend backend() {
    for (BackendProvider p : Backends.providers()) {
      if (p.name().equals("cpu") && p.unavailableReason() == null) return p.create(0, 1);
    }
    return Backends.open("reference", 1);
  }

  static TokenData bytes(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[b.length];
    for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xff;
    return new TokenArray(ids, TokenLengths.bytesOnly(-1));
  }

  /** Everything a Trainer needs; losses of every step are recorded. */
  static final class Setup {
    final TrainConfig config;
    final Backend backend;
    final Gpt model;
    final BatchLoader loader;
    final EvalBatches val;
    final List<Double> losses = new ArrayList<>();
    final List<TrainerEvents.Eval> evals = new ArrayList<>();

    Setup(TrainConfig config, TokenData train, TokenData valData) {
      this(config, train, valData, backend());
    }

    Setup(TrainConfig config, TokenData train, TokenData valData, Backend backend) {
      this.config = config;
      this.backend = backend;
      this.model = new Gpt(RunDirectory.modelConfig(config, 257), backend, config.batchSize(), config.blockSize());
      this.loader = new BatchLoader(train, config.batchSize(), config.blockSize(), config.seed());
      this.val = new EvalBatches(valData, config.batchSize(), config.blockSize(), config.evalIters());
    }

    Setup(TrainConfig config) {
      this(config, backend());
    }

    Setup(TrainConfig config, Backend backend) {
      this(config, bytes(TEXT.substring(0, TEXT.length() * 9 / 10)), bytes(TEXT.substring(TEXT.length() * 9 / 10)), backend);
    }

    Trainer trainer(Path runDir, TrainerListener extra) {
      TrainerListener record = new TrainerListener() {
        @Override
        public void stepped(TrainerEvents.Step s) {
          losses.add(s.loss());
          if (extra != null) extra.stepped(s);
        }

        @Override
        public void evaluated(TrainerEvents.Eval e) {
          evals.add(e);
        }
      };
      return new Trainer(config, model, loader, val, runDir, "test-tokenizer-hash", null, record);
    }
  }
}

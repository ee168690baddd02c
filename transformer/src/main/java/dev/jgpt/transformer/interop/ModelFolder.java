package dev.jgpt.transformer.interop;

import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.CheckpointState;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.TrainConfigKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one place a model folder given with {@code --run} is opened: a jgpt run folder, or a
 * Hugging Face GPT-2 folder as downloaded (config.json with model_type, model.safetensors,
 * vocab.json + merges.txt). Either way the caller gets a {@link RunDirectory.Run}, its weights in
 * one host array (to train, export or resume from); to generate, {@link LoadedModel#open} streams
 * the weights straight into a backend instead.
 */
public final class ModelFolder {
  private ModelFolder() {}

  /** Whether {@code dir} is a folder {@link #load} can open (a run or a Hugging Face model). */
  public static boolean isModelFolder(Path dir) {
    return HfGpt2.isHfFolder(dir) || java.nio.file.Files.isRegularFile(dir.resolve("state.json"));
  }

  /**
   * The model shape from config files alone, so memory can be checked before gigabytes of
   * weights are read: a Hugging Face folder's config.json. Null for a jgpt run, whose
   * vocabulary size comes from its tokenizer ({@link RunDirectory#readHeader} reads its shape
   * without its weights).
   */
  public static GptConfig configBeforeLoading(Path path) throws IOException {
    return HfGpt2.isHfFolder(path) ? HfGpt2.readConfig(path) : null;
  }

  public static RunDirectory.Run load(Path path) throws IOException {
    if (HfGpt2.isHfFolder(path)) return asRun(HfGpt2.load(path));
    return RunDirectory.load(path);
  }

  /**
   * A Hugging Face model seen as a run at step 0: its shape as a training configuration (GPT-2
   * has biases; dropout off), no training state.
   */
  static RunDirectory.Run asRun(HfGpt2.Model m) {
    CheckpointState state = stepZero(m);
    return new RunDirectory.Run(m.dir(), state.config(), m.config(), m.tokenizer(), state, m.params());
  }

  /**
   * The training state of a Hugging Face model seen as a run at step 0: nothing trained or
   * validated yet, its shape as the configuration ({@link #trainConfig}), its tokenizer's hash.
   */
  public static CheckpointState stepZero(HfGpt2.Model m) {
    return stepZero(m.config(), m.tokenizer());
  }

  /** As {@link #stepZero(HfGpt2.Model)}, from the shape and the tokenizer (for weights streamed in, not held). */
  public static CheckpointState stepZero(GptConfig cfg, Tokenizer tokenizer) {
    TrainConfig config = trainConfig(cfg);
    return new CheckpointState(0, 0, Double.NaN, Double.POSITIVE_INFINITY, -1, 0, 0, config.seed(), 0, 0,
        tokenizer.hash(), config, Map.of());
  }

  /** The training configuration that describes this model's shape (the rest are jgpt's defaults). */
  public static TrainConfig trainConfig(HfGpt2.Model m) {
    return trainConfig(m.config());
  }

  private static TrainConfig trainConfig(GptConfig cfg) {
    return TrainConfig.defaults()
        .with(TrainConfigKey.CORPUS, "")
        .with(TrainConfigKey.VOCAB_SIZE, cfg.vocabSize())
        .with(TrainConfigKey.BLOCK_SIZE, cfg.blockSize())
        .with(TrainConfigKey.N_LAYER, cfg.nLayer())
        .with(TrainConfigKey.N_HEAD, cfg.nHead())
        .with(TrainConfigKey.N_EMBD, cfg.nEmbd())
        .with(TrainConfigKey.BIAS, true)
        .with(TrainConfigKey.DROPOUT, 0.0)
        .validate();
  }
}

package dev.jgpt.transformer;

import java.util.List;
import java.util.Locale;

/**
 * Every setting of a training run, declared once: name, type, default, help and the range it
 * must lie in. Named after nanoGPT's {@code train.py} variables; the JSON name ({@code n_layer})
 * is used in config files and {@code config.json}, the flag is its kebab-case twin
 * ({@code --n-layer}). {@link TrainConfig#defaults()}, the {@code jgpt train} flags, the
 * {@code --config} keys, config.json and the help text are all derived from this table. Shape
 * keys fix the tensors of a checkpoint and cannot change on {@code --resume}.
 *
 * <p>Where the run computes (backend, device, threads) is not a training setting: it is chosen
 * per command and never saved with the run.
 */
public enum TrainConfigKey {
  CORPUS(Type.STRING, false, "SOURCE", "jdk", Range.ANY,
      "A text file, folder, .zip, or a named corpus: jdk (default), shakespeare."),
  INCLUDE(Type.STRINGS, false, "GLOB", List.of(), Range.ANY, TrainConfigKey.INCLUDE_HELP),
  EXCLUDE(Type.STRINGS, false, "GLOB", List.of(), Range.ANY, TrainConfigKey.EXCLUDE_HELP),
  TOKENIZER(Type.STRING, false, "FILE", "", Range.ANY,
      "tokenizer.json to use (default: train one on the corpus; bytes only for --vocab-size 256)."),
  VOCAB_SIZE(Type.INT, true, "N", 256, new Range(256, 1 << 20, "must be between 256 (bytes only) and 1048576"),
      "Vocabulary size; 256 = pure byte-level model."),
  BLOCK_SIZE(Type.INT, true, "N", 64, Range.POSITIVE, "Context length in tokens."),
  N_LAYER(Type.INT, true, "N", 4, Range.POSITIVE, "Transformer blocks."),
  N_HEAD(Type.INT, true, "N", 4, Range.POSITIVE, "Attention heads."),
  N_EMBD(Type.INT, true, "N", 128, Range.POSITIVE, "Embedding width (divisible by --n-head)."),
  BIAS(Type.BOOL, true, "BOOL", false, Range.ANY, "Biases in linear and layer norm layers."),
  DROPOUT(Type.FLOAT, false, "P", 0.0, Range.PROBABILITY, "Dropout probability."),
  BATCH_SIZE(Type.INT, false, "N", 12, Range.POSITIVE, "Sequences per micro-batch."),
  GRAD_ACCUM(Type.INT, false, "N", 1, Range.POSITIVE, "Micro-batches per optimizer step."),
  MAX_ITERS(Type.INT, false, "N", 2000, Range.POSITIVE, "Optimizer steps in total."),
  LEARNING_RATE(Type.FLOAT, false, "LR", 1e-3, Range.ANY, "Peak learning rate."),
  MIN_LR(Type.FLOAT, false, "LR", 1e-4, Range.ANY, "Learning rate at the end of the decay."),
  WARMUP_ITERS(Type.INT, false, "N", 100, Range.NON_NEGATIVE, "Steps of linear warmup."),
  LR_DECAY_ITERS(Type.INT, false, "N", 0, Range.NON_NEGATIVE,
      "Step where the decay reaches --min-lr (0 = --max-iters; saved, so --resume keeps it)."),
  LR_SCHEDULE(Type.STRING, false, "KIND", "cosine", Range.ANY, "cosine, linear or constant."),
  WEIGHT_DECAY(Type.FLOAT, false, "W", 0.1, new Range(0, Double.POSITIVE_INFINITY, "must be >= 0"),
      "AdamW weight decay (2-D weights)."),
  BETA1(Type.FLOAT, false, "B", 0.9, Range.PROBABILITY, "AdamW beta1."),
  BETA2(Type.FLOAT, false, "B", 0.95, Range.PROBABILITY, "AdamW beta2."),
  GRAD_CLIP(Type.FLOAT, false, "NORM", 1.0, new Range(0, Double.POSITIVE_INFINITY, "must be >= 0 (0 = no clipping)"),
      "Clip the global gradient norm (0 = off)."),
  EVAL_INTERVAL(Type.INT, false, "N", 250, Range.POSITIVE, "Steps between evaluations and checkpoints."),
  EVAL_ITERS(Type.INT, false, "N", 20, Range.POSITIVE, "Validation batches per evaluation."),
  LOG_INTERVAL(Type.INT, false, "N", 10, Range.POSITIVE, "Steps between log lines and metrics records."),
  PATIENCE(Type.INT, false, "N", 0, Range.NON_NEGATIVE, "Stop after N evaluations without improvement (0 = off)."),
  KEEP_LAST(Type.INT, false, "N", 1, Range.POSITIVE,
      "Distinct checkpoints kept: the newest in the run folder, the N-1 before it in checkpoints/; the best is kept in best/."),
  SAMPLE_TOKENS(Type.INT, false, "N", 100, Range.NON_NEGATIVE, "Length of the sample printed at each evaluation (0 = none)."),
  SEED(Type.INT, false, "N", 1337, Range.ANY, "Seed for initialization, data order and dropout."),
  INIT_FROM(Type.STRING, false, "DIR", "", Range.ANY,
      "Fine-tune: start from the weights and tokenizer of a run or Hugging Face GPT-2 folder (fresh optimizer; "
          + "--block-size may shorten its context).");

  // The glob help as constants, so that 'jgpt tokenizer train', which has the same two flags, can
  // name them in its option annotations: written once for both commands.
  public static final String INCLUDE_HELP = "Read only the files of a corpus folder or .zip whose path matches GLOB "
      + "(repeatable), e.g. '*.md' or 'src/**'; for jdk it replaces the default subset.";
  public static final String EXCLUDE_HELP =
      "Leave out the files of a corpus folder or .zip whose path matches GLOB (repeatable); beats --include.";

  /** How a value is written in JSON and parsed from a flag. */
  public enum Type { INT, FLOAT, BOOL, STRING, STRINGS }

  /**
   * The values a number may take, [min, max) for a probability and [min, max] otherwise, with the
   * message a value outside gets after the flag's name.
   */
  public record Range(double min, double max, String rule) {
    static final Range ANY = new Range(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, "");
    static final Range POSITIVE = new Range(1, Integer.MAX_VALUE, "must be >= 1");
    static final Range NON_NEGATIVE = new Range(0, Integer.MAX_VALUE, "must be >= 0");
    static final Range PROBABILITY = new Range(0, Math.nextDown(1.0), "must be in [0, 1)");

    boolean contains(double v) {
      return v >= min && v <= max;
    }
  }

  private final Type type;
  private final boolean shape;
  private final String paramLabel;
  private final Object defaultValue;
  private final Range range;
  private final String help;

  TrainConfigKey(Type type, boolean shape, String paramLabel, Object defaultValue, Range range, String help) {
    this.type = type;
    this.shape = shape;
    this.paramLabel = paramLabel;
    this.defaultValue = defaultValue;
    this.range = range;
    this.help = help;
  }

  /** The config-file name, e.g. {@code n_layer}. */
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The command-line flag, e.g. {@code --n-layer}. */
  public String flag() {
    return "--" + json().replace('_', '-');
  }

  public Type type() {
    return type;
  }

  /** True for the keys that fix tensor shapes (and so cannot change when resuming). */
  public boolean shape() {
    return shape;
  }

  /** The placeholder of the flag's value in the help, e.g. {@code N}. */
  public String paramLabel() {
    return paramLabel;
  }

  /** The value before any preset, config file or flag (nanoGPT's train.py where it suits a small CPU run). */
  public Object defaultValue() {
    return defaultValue;
  }

  /** The flag's help text. */
  public String help() {
    return help;
  }

  /** Null when {@code value} (of this key's type) is allowed, else what is wrong with it, e.g. "must be >= 1, got 0". */
  String rangeProblem(Object value) {
    if (!(value instanceof Number n) || range.contains(n.doubleValue())) return null;
    // an integer bound reads "got 0"; the float rules never said what they got (the "(was ...)" does)
    return type == Type.INT && range.rule().startsWith("must be >=") ? range.rule() + ", got " + value : range.rule();
  }

  /** Finds a key by its JSON name or flag spelling ({@code n_layer}, {@code n-layer}); null if none. */
  public static TrainConfigKey find(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT).replace('-', '_');
    if (n.startsWith("__")) n = n.substring(2);
    for (TrainConfigKey k : values()) if (k.json().equals(n)) return k;
    return null;
  }

  /** "corpus, tokenizer, vocab_size, ..." for error messages. */
  public static String validNames() {
    StringBuilder sb = new StringBuilder();
    for (TrainConfigKey k : values()) sb.append(sb.isEmpty() ? "" : ", ").append(k.json());
    return sb.toString();
  }
}

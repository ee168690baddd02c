package dev.jgpt.transformer;

import java.util.Locale;

/**
 * Every setting of a training run, named after nanoGPT's {@code train.py} variables. The JSON
 * name ({@code n_layer}) is used in config files and {@code config.json}; the flag is its
 * kebab-case twin ({@code --n-layer}). Shape keys fix the tensors of a checkpoint and cannot
 * change on {@code --resume}.
 */
public enum TrainConfigKey {
  CORPUS("corpus", Type.STRING, false, "text to train on: a file, folder, .zip or a named corpus (jdk, shakespeare)"),
  INCLUDE("include", Type.STRINGS, false, "globs of the files to read from a corpus folder or archive; empty = all"),
  EXCLUDE("exclude", Type.STRINGS, false, "globs of the files to leave out of a corpus folder or archive"),
  TOKENIZER("tokenizer", Type.STRING, false, "tokenizer.json to use; empty = train one on the corpus (bytes only when vocab_size is 256)"),
  VOCAB_SIZE("vocab_size", Type.INT, true, "vocabulary size; 256 = pure byte-level model"),
  BLOCK_SIZE("block_size", Type.INT, true, "context length in tokens"),
  N_LAYER("n_layer", Type.INT, true, "transformer blocks"),
  N_HEAD("n_head", Type.INT, true, "attention heads per block"),
  N_EMBD("n_embd", Type.INT, true, "embedding width"),
  BIAS("bias", Type.BOOL, true, "biases in linear and layer norm layers"),
  DROPOUT("dropout", Type.FLOAT, false, "dropout probability while training"),
  BATCH_SIZE("batch_size", Type.INT, false, "sequences per micro-batch"),
  GRAD_ACCUM("grad_accum", Type.INT, false, "micro-batches accumulated per optimizer step"),
  MAX_ITERS("max_iters", Type.INT, false, "optimizer steps in total"),
  LEARNING_RATE("learning_rate", Type.FLOAT, false, "peak learning rate"),
  MIN_LR("min_lr", Type.FLOAT, false, "learning rate at the end of the decay"),
  WARMUP_ITERS("warmup_iters", Type.INT, false, "steps of linear warmup"),
  LR_DECAY_ITERS("lr_decay_iters", Type.INT, false, "step at which the decay reaches min_lr; 0 = max_iters"),
  LR_SCHEDULE("lr_schedule", Type.STRING, false, "decay after warmup: cosine, linear or constant"),
  WEIGHT_DECAY("weight_decay", Type.FLOAT, false, "AdamW weight decay (2-D weights only)"),
  BETA1("beta1", Type.FLOAT, false, "AdamW beta1"),
  BETA2("beta2", Type.FLOAT, false, "AdamW beta2"),
  GRAD_CLIP("grad_clip", Type.FLOAT, false, "clip the global gradient norm at this value; 0 = off"),
  EVAL_INTERVAL("eval_interval", Type.INT, false, "steps between validation evaluations and checkpoints"),
  EVAL_ITERS("eval_iters", Type.INT, false, "validation batches per evaluation"),
  LOG_INTERVAL("log_interval", Type.INT, false, "steps between log lines and metrics.jsonl records"),
  PATIENCE("patience", Type.INT, false, "stop after this many evaluations without improvement; 0 = off"),
  KEEP_LAST("keep_last", Type.INT, false, "checkpoints kept (the newest in the run folder, older ones in checkpoints/)"),
  SAMPLE_TOKENS("sample_tokens", Type.INT, false, "tokens generated as a sample at each evaluation; 0 = none"),
  SEED("seed", Type.INT, false, "seed for initialization, data order and dropout"),
  THREADS("threads", Type.INT, false, "CPU threads; 0 = all cores"),
  BACKEND("backend", Type.STRING, false, "compute backend: auto, cpu, reference, tornado"),
  INIT_FROM("init_from", Type.STRING, false,
      "start from the weights and tokenizer of a run or Hugging Face GPT-2 folder (fine-tuning); empty = random init");

  /** How a value is written in JSON and parsed from a flag. */
  public enum Type { INT, FLOAT, BOOL, STRING, STRINGS }

  private final String json;
  private final Type type;
  private final boolean shape;
  private final String description;

  TrainConfigKey(String json, Type type, boolean shape, String description) {
    this.json = json;
    this.type = type;
    this.shape = shape;
    this.description = description;
  }

  /** The config-file name, e.g. {@code n_layer}. */
  public String json() {
    return json;
  }

  /** The command-line flag, e.g. {@code --n-layer}. */
  public String flag() {
    return "--" + json.replace('_', '-');
  }

  public Type type() {
    return type;
  }

  /** True for the keys that fix tensor shapes (and so cannot change when resuming). */
  public boolean shape() {
    return shape;
  }

  public String description() {
    return description;
  }

  /** Finds a key by its JSON name or flag spelling ({@code n_layer}, {@code n-layer}); null if none. */
  public static TrainConfigKey find(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT).replace('-', '_');
    if (n.startsWith("__")) n = n.substring(2);
    for (TrainConfigKey k : values()) if (k.json.equals(n)) return k;
    return null;
  }

  /** "corpus, tokenizer, vocab_size, ..." for error messages. */
  public static String validNames() {
    StringBuilder sb = new StringBuilder();
    for (TrainConfigKey k : values()) sb.append(sb.isEmpty() ? "" : ", ").append(k.json);
    return sb.toString();
  }
}

package dev.jgpt.transformer.interop;

import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.common.Json;
import dev.jgpt.common.JsonFiles;
import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.ParameterLayout;
import dev.jgpt.transformer.Safetensors;
import dev.jgpt.transformer.TensorSpec;
import dev.jgpt.transformer.WeightSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face GPT-2 folder as users download it ({@code openai-community/gpt2}, -medium,
 * -large, -xl, {@code distilbert/distilgpt2}): {@code config.json} (model_type gpt2),
 * {@code model.safetensors} and the tokenizer as {@code vocab.json} + {@code merges.txt} or as
 * {@code tokenizer.json}.
 *
 * <p>GPT-2 is the model jgpt trains (pre-LN blocks, tanh GELU, layer-norm eps 1e-5, biases, head
 * tied to wte), so loading is renaming and one transpose: Hugging Face stores the linear layers
 * as Conv1D, weight (in, out) applied as {@code x @ W}, where jgpt (like nanoGPT's nn.Linear)
 * keeps (out, in). Tensor names may carry the {@code transformer.} prefix or not; the causal-mask
 * buffers ({@code attn.bias}, {@code attn.masked_bias}) and a tied {@code lm_head.weight} are
 * skipped. F32, F16 and BF16 tensors are widened to float32 on load.
 */
public final class HfGpt2 {
  private HfGpt2() {}

  /** What a folder holds once loaded: the model shape, its tokenizer and flat parameters. */
  public record Model(Path dir, GptConfig config, Tokenizer tokenizer, float[] params) {}

  /** The Conv1D layers, stored transposed relative to jgpt's (out, in). */
  private static final Set<String> CONV1D = Set.of("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight",
      "mlp.c_proj.weight");

  /** Whether {@code dir} looks like a Hugging Face model folder: a config.json naming a model_type. */
  public static boolean isHfFolder(Path dir) {
    Path config = dir.resolve("config.json");
    if (!Files.isDirectory(dir) || !Files.isRegularFile(config)) return false;
    try {
      return Json.parseObject(Files.readString(config)).containsKey("model_type");
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  /** Reads config.json into a model shape, checking every setting jgpt's GPT-2 must match. */
  public static GptConfig readConfig(Path dir) throws IOException {
    Path file = dir.resolve("config.json");
    if (!Files.isRegularFile(file)) throw new NoSuchFileException(file + " (not a Hugging Face model folder)");
    Map<String, Object> c;
    try {
      c = Json.parseObject(JsonFiles.readText(file));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " is not valid JSON (" + e.getMessage() + "); download it again");
    }
    Object type = c.get("model_type");
    if (!"gpt2".equals(type)) {
      throw new IOException(file + ": model_type " + type + " is not supported; jgpt opens GPT-2 models (model_type gpt2: "
          + "gpt2, gpt2-medium, gpt2-large, gpt2-xl, distilgpt2)");
    }
    int nLayer = requireInt(c, file, "n_layer"), nHead = requireInt(c, file, "n_head");
    int nEmbd = requireInt(c, file, "n_embd"), vocab = requireInt(c, file, "vocab_size");
    int nPositions = c.containsKey("n_positions") ? requireInt(c, file, "n_positions") : requireInt(c, file, "n_ctx");
    double eps = Json.getDouble(c, "layer_norm_epsilon", 1e-5);
    if (Math.abs(eps - 1e-5) > 1e-12) unsupported(file, "layer_norm_epsilon " + eps, "1e-05");
    String act = Json.getString(c, "activation_function", "gelu_new");
    if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
      unsupported(file, "activation_function " + act, "gelu_new (the tanh GELU)");
    }
    if (!Json.getBoolean(c, "tie_word_embeddings", true)) unsupported(file, "tie_word_embeddings false", "true");
    if (!Json.getBoolean(c, "scale_attn_weights", true)) unsupported(file, "scale_attn_weights false", "true");
    if (Json.getBoolean(c, "scale_attn_by_inverse_layer_idx", false)) {
      unsupported(file, "scale_attn_by_inverse_layer_idx true", "false");
    }
    try {
      return GptConfig.of(vocab, nPositions, nLayer, nHead, nEmbd, true, 0f).validate();
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage());
    }
  }

  /** Loads config, tokenizer and weights; every mismatch is a one-line IOException naming the file. */
  public static Model load(Path dir) throws IOException {
    GptConfig cfg = readConfig(dir);
    float[] params = readWeights(dir, cfg); // before the tokenizer: a bad weights file fails fast
    Tokenizer tokenizer = readTokenizer(dir, cfg);
    return new Model(dir, cfg, tokenizer, params);
  }

  public static Tokenizer readTokenizer(Path dir, GptConfig cfg) throws IOException {
    boolean pair = Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt"));
    if (!pair && !Files.isRegularFile(dir.resolve("tokenizer.json"))) {
      throw new NoSuchFileException(dir + " has no tokenizer: download vocab.json and merges.txt (or tokenizer.json) "
          + "with the model");
    }
    Tokenizer t;
    try {
      t = Tokenizer.load(dir);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage());
    }
    if (t.vocabSize() != cfg.vocabSize()) {
      throw new IOException(dir + ": the tokenizer has " + t.vocabSize() + " tokens but config.json says vocab_size "
          + cfg.vocabSize() + "; the files belong to different models");
    }
    return t;
  }

  /** The weights of model.safetensors in jgpt's layout for {@code cfg}. */
  public static float[] readWeights(Path dir, GptConfig cfg) throws IOException {
    float[] params = new float[new ParameterLayout(cfg).totalCount()];
    readWeights(dir, cfg, WeightSink.into(params));
    return params;
  }

  /**
   * The weights of model.safetensors, one tensor at a time into {@code sink} (in jgpt's layout
   * for {@code cfg}): at most two copies of one tensor are on the heap at once.
   */
  public static void readWeights(Path dir, GptConfig cfg, WeightSink sink) throws IOException {
    Path file = dir.resolve("model.safetensors");
    if (!Files.isRegularFile(file)) {
      if (Files.exists(dir.resolve("pytorch_model.bin"))) {
        throw new IOException(dir + " has only pytorch_model.bin, which jgpt does not open (a pickle file can run code): "
            + "download model.safetensors from the same repository");
      }
      throw new NoSuchFileException(file + " (download the model's model.safetensors)");
    }
    Safetensors st = Safetensors.read(file);
    String prefix = st.entry(PREFIX + "wte.weight") != null ? PREFIX : "";
    ParameterLayout layout = new ParameterLayout(cfg);
    Set<String> used = new HashSet<>();
    for (TensorSpec t : layout.tensors()) {
      String name = prefix + hfName(t);
      Safetensors.Entry e = st.entry(name);
      if (e == null) throw new IOException(file + " has no tensor " + name + ", which a GPT-2 of this config.json needs");
      used.add(name);
      int[] jgptShape = t.shape();
      if (t.name().equals("wte")) {
        // (vocab_size, C) into the first rows of the padded (Vp, C); the padded rows stay zero
        expectShape(file, e, cfg.vocabSize(), cfg.nEmbd());
      } else if (isConv1d(t.name())) {
        expectShape(file, e, jgptShape[1], jgptShape[0]);
      } else {
        expectShape(file, e, jgptShape);
      }
      float[] stored = new float[Math.toIntExact(e.numel())];
      st.readInto(e, stored, 0);
      if (isConv1d(t.name())) {
        float[] outIn = new float[stored.length];
        transpose(stored, 0, jgptShape[1], jgptShape[0], outIn, 0);
        stored = outIn;
      }
      sink.write(t.offset(), stored, 0, stored.length);
    }
    for (Safetensors.Entry e : st.entries()) {
      String n = e.name();
      if (used.contains(n) || n.endsWith(".attn.bias") || n.endsWith(".attn.masked_bias")) continue;
      if (n.equals("lm_head.weight")) {
        expectShape(file, e, cfg.vocabSize(), cfg.nEmbd()); // tied to wte: the same values, not read twice
        continue;
      }
      throw new IOException(file + ": tensor " + n + " is not part of GPT-2; the file is not a GPT-2 checkpoint");
    }
  }

  /**
   * A layout tensor's name in Hugging Face's GPT-2 files, without "transformer.": nanoGPT's
   * state_dict names, which jgpt's own checkpoints use with the prefix.
   */
  static String hfName(TensorSpec t) {
    return Checkpoint.tensorName(t).substring(PREFIX.length());
  }

  private static final String PREFIX = "transformer.";

  /**
   * Floats {@link #readWeights(Path, GptConfig, WeightSink)} holds on the heap at once: one
   * tensor as stored, and for a Conv1D weight its transposed copy too.
   */
  public static long floatsHeldWhileReading(GptConfig cfg) {
    long most = 0;
    for (TensorSpec t : new ParameterLayout(cfg).tensors()) most = Math.max(most, (isConv1d(t.name()) ? 2L : 1L) * t.size());
    return most;
  }

  static boolean isConv1d(String jgptName) {
    int dot = jgptName.indexOf('.', jgptName.indexOf('.') + 1); // after "h.<l>."
    return jgptName.startsWith("h.") && dot > 0 && CONV1D.contains(jgptName.substring(dot + 1));
  }

  // dst (cols, rows) at dstOffset = transpose of src (rows, cols) at srcOffset; both row-major
  static void transpose(float[] src, int srcOffset, int rows, int cols, float[] dst, int dstOffset) {
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) dst[dstOffset + c * rows + r] = src[srcOffset + r * cols + c];
    }
  }

  private static void expectShape(Path file, Safetensors.Entry e, int... shape) throws IOException {
    if (!Arrays.equals(e.shape(), shape)) {
      throw new IOException(file + ": tensor " + e.name() + " has shape " + Arrays.toString(e.shape()) + " but config.json "
          + "implies " + Arrays.toString(shape) + "; the weights and config.json belong to different models");
    }
  }

  private static int requireInt(Map<String, Object> c, Path file, String key) throws IOException {
    if (!(c.get(key) instanceof Long v) || v <= 0 || v > Integer.MAX_VALUE) {
      throw new IOException(file + ": " + (c.containsKey(key) ? key + " should be a positive integer, got " + c.get(key)
          : "the key " + key + " is missing") + "; download config.json again");
    }
    return (int) (long) v;
  }

  private static void unsupported(Path file, String what, String supported) throws IOException {
    throw new IOException(file + ": " + what + " is not supported; jgpt's GPT-2 needs " + supported);
  }
}

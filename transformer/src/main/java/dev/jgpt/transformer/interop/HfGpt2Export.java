package dev.jgpt.transformer.interop;

import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.common.AtomicFile;
import dev.jgpt.common.Json;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.ParameterLayout;
import dev.jgpt.transformer.Safetensors;
import dev.jgpt.transformer.TensorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model as a Hugging Face GPT-2 folder that {@code GPT2LMHeadModel.from_pretrained} and
 * {@code AutoTokenizer.from_pretrained} open: config.json, model.safetensors (F32, Hugging Face's
 * names without the "transformer." prefix, linear weights in Conv1D's (in, out) layout, biases as
 * zeros for a model trained without them, the tied head not stored), vocab.json + merges.txt and
 * tokenizer.json, and generation_config.json. The inverse of {@link HfGpt2#load}: import, export, import is bit-exact.
 */
public final class HfGpt2Export {
  private HfGpt2Export() {}

  /**
   * Why GPT-2's files cannot hold this tokenizer, or null when they can: GPT-2's tokenizer splits
   * text with its own pattern and knows one special token.
   */
  public static String unsupportedReason(Tokenizer t) {
    if (!t.pattern().equals("gpt2")) {
      return "its tokenizer splits text with the " + t.pattern() + " pattern, and GPT-2's tokenizer files can only say gpt2";
    }
    for (String special : t.specialTokens().keySet()) {
      if (!special.equals(Tokenizer.END_OF_TEXT)) {
        return "its tokenizer has the special token " + special + "; GPT-2's files hold only " + Tokenizer.END_OF_TEXT;
      }
    }
    return null;
  }

  /** Writes the folder {@code out} (created if needed); each file atomically. */
  public static void write(Path out, GptConfig cfg, Tokenizer tokenizer, float[] params) throws IOException {
    String why = unsupportedReason(tokenizer);
    if (why != null) throw new IllegalArgumentException("cannot export as a Hugging Face GPT-2: " + why);
    Files.createDirectories(out);
    Safetensors.write(out.resolve("model.safetensors"), tensors(cfg, params), Map.of("format", "pt"));
    tokenizer.saveGpt2Vocab(out);
    tokenizer.saveHfTokenizerJson(out.resolve("tokenizer.json"));
    int eot = tokenizer.eotId();
    writeJson(out.resolve("config.json"), config(cfg, eot));
    Map<String, Object> gen = new LinkedHashMap<>();
    if (eot >= 0) {
      gen.put("bos_token_id", eot);
      gen.put("eos_token_id", eot);
    }
    writeJson(out.resolve("generation_config.json"), gen);
  }

  private static void writeJson(Path file, Map<String, Object> json) throws IOException {
    AtomicFile.write(file, (Json.writePretty(json) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Hugging Face's GPT2Config for this shape: GPT-2's own settings, dropout off. */
  static Map<String, Object> config(GptConfig cfg, int eot) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("activation_function", "gelu_new");
    c.put("architectures", List.of("GPT2LMHeadModel"));
    c.put("attn_pdrop", 0.0);
    if (eot >= 0) c.put("bos_token_id", eot);
    c.put("embd_pdrop", 0.0);
    if (eot >= 0) c.put("eos_token_id", eot);
    c.put("initializer_range", 0.02);
    c.put("layer_norm_epsilon", 1e-5);
    c.put("model_type", "gpt2");
    c.put("n_ctx", cfg.blockSize());
    c.put("n_embd", cfg.nEmbd());
    c.put("n_head", cfg.nHead());
    c.put("n_layer", cfg.nLayer());
    c.put("n_positions", cfg.blockSize());
    c.put("resid_pdrop", 0.0);
    c.put("tie_word_embeddings", true);
    c.put("torch_dtype", "float32");
    c.put("vocab_size", cfg.vocabSize());
    return c;
  }

  /**
   * Every tensor GPT-2 has, in Hugging Face's names and layouts. The biases a model without them
   * lacks are zeros (a zero bias is no bias); ln weights and the rest come from the layout.
   */
  static List<Safetensors.Tensor> tensors(GptConfig cfg, float[] params) {
    ParameterLayout ours = new ParameterLayout(cfg);
    List<Safetensors.Tensor> out = new ArrayList<>();
    for (TensorSpec t : new ParameterLayout(cfg.withBias(true)).tensors()) {
      String name = HfGpt2.hfName(t);
      int[] shape = t.shape();
      if (!ours.contains(t.name())) {
        out.add(new Safetensors.Tensor(name, shape, new float[t.size()], 0));
      } else if (t.name().equals("wte")) {
        // the real vocabulary's rows only: (vocab_size, C)
        out.add(new Safetensors.Tensor(name, new int[] {cfg.vocabSize(), cfg.nEmbd()}, params, ours.get("wte").offset()));
      } else if (HfGpt2.isConv1d(t.name())) {
        int rows = shape[0], cols = shape[1]; // jgpt (out, in) -> Conv1D (in, out)
        float[] inOut = new float[rows * cols];
        HfGpt2.transpose(params, ours.get(t.name()).offset(), rows, cols, inOut, 0);
        out.add(new Safetensors.Tensor(name, new int[] {cols, rows}, inOut, 0));
      } else {
        out.add(new Safetensors.Tensor(name, shape, params, ours.get(t.name()).offset()));
      }
    }
    return out;
  }
}

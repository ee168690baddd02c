package dev.jgpt.transformer.interop;

import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.ParameterLayout;
import dev.jgpt.transformer.TensorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model as one GGUF file that llama.cpp runs as its {@code gpt2} architecture, with the
 * keys, value types, tensor names and tensor types that llama.cpp's convert_hf_to_gguf.py gives a
 * Hugging Face GPT-2:
 *
 * <ul>
 *   <li>gpt2.* sizes as UINT32 (context_length, embedding_length, feed_forward_length 4C,
 *       block_count, attention.head_count) and attention.layer_norm_epsilon 1e-5 as FLOAT32;
 *   <li>the tokenizer as tokenizer.ggml.model "gpt2" (byte-level BPE), pre "gpt-2" (GPT-2's split
 *       pattern), tokens in GPT-2's byte-level alphabet (vocab.json's spelling), token_type,
 *       merges ("left right") and the bos/eos ids;
 *   <li>tensors token_embd, position_embd, blk.N.{attn_norm, attn_qkv, attn_output, ffn_norm,
 *       ffn_up, ffn_down}, output_norm, each .weight and .bias. No output.weight: llama.cpp's gpt2
 *       loader makes the head from token_embd when it is absent (the tie jgpt trains with).
 * </ul>
 *
 * <p>jgpt keeps linear weights as (out, in) row-major, which is ggml's [in, out] (ne[0] = in):
 * the converter transposes Hugging Face's Conv1D to this, so here the bytes go out as they are.
 * wte goes out with the real vocabulary's rows only; a model trained without biases gets zero
 * biases (a zero bias is no bias). With {@code f16} the 2-D weights are F16 except position_embd,
 * which the converter keeps F32 like every norm and bias (general.file_type 1, MOSTLY_F16);
 * otherwise everything is F32 (file_type 0).
 */
public final class GgufExport {
  private GgufExport() {}

  // llama.cpp's token types (gguf-py TokenType)
  private static final int NORMAL = 1, CONTROL = 3, UNUSED = 5;

  /**
   * Why a GGUF gpt2 vocabulary cannot hold this tokenizer, or null when it can: llama.cpp splits
   * text with GPT-2's pattern for "gpt-2", and maps each token's text to one id.
   */
  public static String unsupportedReason(Tokenizer t) {
    if (!t.pattern().equals("gpt2")) {
      return "its tokenizer splits text with the " + t.pattern() + " pattern, and llama.cpp's GPT-2 tokenizer uses gpt2";
    }
    Map<String, Integer> idOfText = new HashMap<>();
    String[] texts = t.gpt2TokenTexts();
    for (int id = 0; id < texts.length; id++) {
      if (texts[id] == null) continue;
      Integer other = idOfText.putIfAbsent(texts[id], id);
      if (other != null) {
        return "its tokens " + other + " and " + id + " are both " + texts[id] + ", and GGUF needs one id per token text";
      }
    }
    return null;
  }

  /**
   * Writes {@code file} atomically (temporary name, fsync, rename).
   *
   * @param params jgpt's flat parameters in {@code new ParameterLayout(cfg)}'s layout
   * @param f16 2-D weights as F16 (half the size) instead of F32
   */
  public static void write(Path file, GptConfig cfg, Tokenizer tokenizer, float[] params, boolean f16) throws IOException {
    String why = unsupportedReason(tokenizer);
    if (why != null) throw new IllegalArgumentException("cannot export as GGUF: " + why);
    if (tokenizer.vocabSize() != cfg.vocabSize()) {
      throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " tokens but the model's vocab_size is "
          + cfg.vocabSize() + "; they belong to different runs");
    }
    ParameterLayout layout = new ParameterLayout(cfg);
    if (params.length != layout.totalCount()) {
      throw new IllegalArgumentException("expected " + layout.totalCount() + " parameters for this config, got " + params.length);
    }
    GgufWriter w = new GgufWriter();
    putGeneral(w, file, f16);
    putHyperparameters(w, cfg);
    putTokenizer(w, tokenizer);
    putTensors(w, cfg, layout, params, f16);
    w.write(file);
  }

  private static void putGeneral(GgufWriter w, Path file, boolean f16) {
    w.putString("general.architecture", "gpt2");
    w.putString("general.type", "model");
    String name = file.getFileName().toString();
    w.putString("general.name", name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name);
    w.putUint32("general.file_type", f16 ? 1 : 0); // ALL_F32 or MOSTLY_F16
    w.putUint32("general.quantization_version", 2); // GGML_QNT_VERSION, which the converter always writes
  }

  private static void putHyperparameters(GgufWriter w, GptConfig cfg) {
    w.putUint32("gpt2.context_length", cfg.blockSize());
    w.putUint32("gpt2.embedding_length", cfg.nEmbd());
    w.putUint32("gpt2.feed_forward_length", 4 * cfg.nEmbd());
    w.putUint32("gpt2.block_count", cfg.nLayer());
    w.putUint32("gpt2.attention.head_count", cfg.nHead());
    w.putFloat32("gpt2.attention.layer_norm_epsilon", 1e-5f);
  }

  private static void putTokenizer(GgufWriter w, Tokenizer t) {
    String[] texts = t.gpt2TokenTexts();
    List<String> tokens = new ArrayList<>(texts.length);
    int[] types = new int[texts.length];
    for (int id = 0; id < texts.length; id++) {
      if (texts[id] == null) {
        tokens.add("[PAD" + id + "]"); // an id a rank file leaves unused: the converter's placeholder
        types[id] = UNUSED;
      } else {
        tokens.add(texts[id]);
        types[id] = t.isSpecial(id) ? CONTROL : NORMAL; // CONTROL: matched whole, never split by BPE
      }
    }
    w.putString("tokenizer.ggml.model", "gpt2");
    w.putString("tokenizer.ggml.pre", "gpt-2");
    w.putStringArray("tokenizer.ggml.tokens", tokens);
    w.putInt32Array("tokenizer.ggml.token_type", types);
    w.putStringArray("tokenizer.ggml.merges", t.gpt2Merges());
    // Without these keys llama.cpp takes id 11 for both; a tokenizer without <|endoftext|> keeps that default.
    int eot = t.eotId();
    if (eot >= 0) {
      w.putUint32("tokenizer.ggml.bos_token_id", eot);
      w.putUint32("tokenizer.ggml.eos_token_id", eot);
    }
    // jgpt feeds the prompt as it is; llama.cpp's default for "gpt-2" is the same, this pins it
    w.putBool("tokenizer.ggml.add_bos_token", false);
  }

  private static void putTensors(GgufWriter w, GptConfig cfg, ParameterLayout ours, float[] params, boolean f16) {
    ParameterLayout full = new ParameterLayout(cfg.withBias(true));
    for (String jgptName : tensorOrder(cfg.nLayer())) {
      TensorSpec t = full.get(jgptName);
      int[] shape = t.shape();
      if (jgptName.equals("wte")) shape[0] = cfg.vocabSize(); // the real vocabulary's rows only: (V, C)
      long[] dims = new long[shape.length]; // ggml's ne: fastest-varying first
      for (int d = 0; d < shape.length; d++) dims[d] = shape[shape.length - 1 - d];
      GgmlType type = f16 && shape.length == 2 && !jgptName.equals("wpe") ? GgmlType.F16 : GgmlType.F32;
      float[] data = ours.contains(jgptName) ? params : null; // null: a bias the model does not have, stored as zeros
      int offset = ours.contains(jgptName) ? ours.get(jgptName).offset() : 0;
      w.addTensor(ggufName(jgptName), type, data, offset, dims);
    }
  }

  /** jgpt's names in the order the converter writes a GPT-2: embeddings, block by block, final norm. */
  static List<String> tensorOrder(int nLayer) {
    List<String> names = new ArrayList<>(List.of("wte", "wpe"));
    for (int l = 0; l < nLayer; l++) {
      for (String p : List.of("ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj")) {
        names.add("h." + l + "." + p + ".weight");
        names.add("h." + l + "." + p + ".bias");
      }
    }
    names.add("ln_f.weight");
    names.add("ln_f.bias");
    return names;
  }

  /** jgpt's layout name -> llama.cpp's gpt2 tensor name ("h.3.attn.c_attn.weight" -> "blk.3.attn_qkv.weight"). */
  static String ggufName(String jgptName) {
    switch (jgptName) {
      case "wte":
        return "token_embd.weight";
      case "wpe":
        return "position_embd.weight";
      case "ln_f.weight":
        return "output_norm.weight";
      case "ln_f.bias":
        return "output_norm.bias";
      default:
        break;
    }
    // h.<l>.<module>.<weight|bias>
    int layerEnd = jgptName.indexOf('.', 2);
    int kindStart = jgptName.lastIndexOf('.');
    String module = jgptName.substring(layerEnd + 1, kindStart);
    String gguf = switch (module) {
      case "ln_1" -> "attn_norm";
      case "attn.c_attn" -> "attn_qkv";
      case "attn.c_proj" -> "attn_output";
      case "ln_2" -> "ffn_norm";
      case "mlp.c_fc" -> "ffn_up";
      case "mlp.c_proj" -> "ffn_down";
      default -> throw new IllegalArgumentException("no GGUF name for " + jgptName);
    };
    return "blk." + jgptName.substring(2, layerEnd) + "." + gguf + jgptName.substring(kindStart);
  }
}

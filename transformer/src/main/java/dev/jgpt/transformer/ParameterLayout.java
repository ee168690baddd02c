package dev.jgpt.transformer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each parameter tensor lives in the one flat parameter buffer (and, at the same offsets, in
 * the gradient and Adam m/v buffers).
 *
 * <p>The 2-D weights that AdamW decays come first, as one contiguous region [0, decayedCount), and
 * the biases and layer-norm weights after it, [decayedCount, totalCount); so the optimizer is two
 * calls, one per region. Names are nanoGPT's without its "transformer." prefix: wte, wpe,
 * h.{l}.ln_1.weight, h.{l}.attn.c_attn.weight, ..., ln_f.weight. The head is tied to wte, so it
 * has no tensor of its own. Without biases (config.bias() false) no ".bias" tensors exist.
 */
public final class ParameterLayout {
  private final GptConfig config;
  private final List<TensorSpec> tensors;
  private final Map<String, TensorSpec> byName;
  private final int decayedCount;
  private final int totalCount;

  public ParameterLayout(GptConfig config) {
    this.config = config.validate();
    int C = config.nEmbd();
    List<TensorSpec> list = new ArrayList<>();
    int offset = 0;
    // decayed region: every 2-D weight
    offset = add(list, "wte", offset, true, config.paddedVocabSize(), C);
    offset = add(list, "wpe", offset, true, config.blockSize(), C);
    for (int l = 0; l < config.nLayer(); l++) {
      String h = "h." + l + ".";
      offset = add(list, h + "attn.c_attn.weight", offset, true, 3 * C, C);
      offset = add(list, h + "attn.c_proj.weight", offset, true, C, C);
      offset = add(list, h + "mlp.c_fc.weight", offset, true, 4 * C, C);
      offset = add(list, h + "mlp.c_proj.weight", offset, true, C, 4 * C);
    }
    this.decayedCount = offset;
    // not decayed: layer-norm weights and all biases
    boolean bias = config.bias();
    for (int l = 0; l < config.nLayer(); l++) {
      String h = "h." + l + ".";
      offset = add(list, h + "ln_1.weight", offset, false, C);
      if (bias) offset = add(list, h + "ln_1.bias", offset, false, C);
      if (bias) offset = add(list, h + "attn.c_attn.bias", offset, false, 3 * C);
      if (bias) offset = add(list, h + "attn.c_proj.bias", offset, false, C);
      offset = add(list, h + "ln_2.weight", offset, false, C);
      if (bias) offset = add(list, h + "ln_2.bias", offset, false, C);
      if (bias) offset = add(list, h + "mlp.c_fc.bias", offset, false, 4 * C);
      if (bias) offset = add(list, h + "mlp.c_proj.bias", offset, false, C);
    }
    offset = add(list, "ln_f.weight", offset, false, C);
    if (bias) offset = add(list, "ln_f.bias", offset, false, C);
    this.totalCount = offset;
    this.tensors = Collections.unmodifiableList(list);
    Map<String, TensorSpec> map = new LinkedHashMap<>();
    for (TensorSpec t : list) map.put(t.name(), t);
    this.byName = Collections.unmodifiableMap(map);
  }

  private static int add(List<TensorSpec> list, String name, int offset, boolean decay, int... shape) {
    TensorSpec spec = new TensorSpec(name, offset, shape, decay);
    list.add(spec);
    return spec.end();
  }

  public GptConfig config() {
    return config;
  }

  /** All tensors in buffer order: the decayed ones first. */
  public List<TensorSpec> tensors() {
    return tensors;
  }

  /** The tensor called {@code name}; IllegalArgumentException when there is none. */
  public TensorSpec get(String name) {
    TensorSpec t = byName.get(name);
    if (t == null) throw new IllegalArgumentException("no parameter tensor named '" + name + "' in this model");
    return t;
  }

  /** Whether a tensor called {@code name} exists (".bias" tensors exist only with biases). */
  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /** Floats in the decayed region [0, decayedCount). */
  public int decayedCount() {
    return decayedCount;
  }

  /** Floats in the whole buffer; the non-decayed region is [decayedCount, totalCount). */
  public int totalCount() {
    return totalCount;
  }
}

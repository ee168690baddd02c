package dev.jgpt.transformer;

import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;
import java.util.function.Function;

/**
 * One block's tensors, nanoGPT's {@code transformer.h[l]}: slices of the one flat parameter buffer
 * (or, at the same offsets, of the gradients), so a block reads {@code h[l].attnQkvWeight()}
 * instead of computing offsets. Biases are null when the model has none.
 *
 * @param ln1Weight h.l.ln_1.weight (C)
 * @param ln1Bias h.l.ln_1.bias (C)
 * @param attnQkvWeight h.l.attn.c_attn.weight (3C, C)
 * @param attnQkvBias h.l.attn.c_attn.bias (3C)
 * @param attnProjWeight h.l.attn.c_proj.weight (C, C)
 * @param attnProjBias h.l.attn.c_proj.bias (C)
 * @param ln2Weight h.l.ln_2.weight (C)
 * @param ln2Bias h.l.ln_2.bias (C)
 * @param mlpFcWeight h.l.mlp.c_fc.weight (4C, C)
 * @param mlpFcBias h.l.mlp.c_fc.bias (4C)
 * @param mlpProjWeight h.l.mlp.c_proj.weight (C, 4C)
 * @param mlpProjBias h.l.mlp.c_proj.bias (C)
 */
record LayerWeights(
    Slice ln1Weight, Slice ln1Bias,
    Slice attnQkvWeight, Slice attnQkvBias,
    Slice attnProjWeight, Slice attnProjBias,
    Slice ln2Weight, Slice ln2Bias,
    Slice mlpFcWeight, Slice mlpFcBias,
    Slice mlpProjWeight, Slice mlpProjBias) {

  /** Layer {@code l}'s tensors ("h.{l}.ln_1.weight", ...) as slices of {@code buf}, laid out by {@code layout}. */
  static LayerWeights of(ParameterLayout layout, FloatBuf buf, int l) {
    Function<String, Slice> t = name -> ParameterTensors.slice(layout, buf, "h." + l + "." + name);
    return new LayerWeights(
        t.apply("ln_1.weight"), t.apply("ln_1.bias"),
        t.apply("attn.c_attn.weight"), t.apply("attn.c_attn.bias"),
        t.apply("attn.c_proj.weight"), t.apply("attn.c_proj.bias"),
        t.apply("ln_2.weight"), t.apply("ln_2.bias"),
        t.apply("mlp.c_fc.weight"), t.apply("mlp.c_fc.bias"),
        t.apply("mlp.c_proj.weight"), t.apply("mlp.c_proj.bias"));
  }
}

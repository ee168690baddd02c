package dev.jgpt.transformer;

import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;

/**
 * The tensors of a {@link ParameterLayout} as slices of one buffer: the parameters, or (same
 * offsets) their gradients, grouped as nanoGPT groups them: wte, wpe, the blocks {@code h[l]},
 * ln_f. Bias entries are null when the model has no biases. Built once at setup, so every step
 * passes the same slices (capture-safe).
 */
final class ParameterTensors {
  final Slice wte; // (Vp, C)
  final Slice wpe; // (maxT, C)
  final LayerWeights[] h; // (L) the blocks' tensors
  final Slice lnfw, lnfb; // (C)

  ParameterTensors(ParameterLayout layout, FloatBuf buf) {
    wte = slice(layout, buf, "wte");
    wpe = slice(layout, buf, "wpe");
    h = new LayerWeights[layout.config().nLayer()];
    for (int l = 0; l < h.length; l++) h[l] = LayerWeights.of(layout, buf, l);
    lnfw = slice(layout, buf, "ln_f.weight");
    lnfb = slice(layout, buf, "ln_f.bias");
  }

  /** The tensor's slice, or null when the model has no such tensor (biases of a bias-free model). */
  static Slice slice(ParameterLayout layout, FloatBuf buf, String name) {
    if (!layout.contains(name)) return null;
    TensorSpec t = layout.get(name);
    return buf.slice(t.offset(), t.size());
  }
}

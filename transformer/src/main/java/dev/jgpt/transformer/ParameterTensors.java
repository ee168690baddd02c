package dev.jgpt.transformer;

import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;

/**
 * The tensors of a {@link ParameterLayout} as slices of one buffer: the parameters, or (same
 * offsets) their gradients. Arrays are indexed by layer; bias entries are null when the model has
 * no biases. Built once at setup, so every step passes the same slices (capture-safe).
 */
final class ParameterTensors {
  final Slice wte; // (Vp, C)
  final Slice wpe; // (maxT, C)
  final Slice[] ln1w, ln1b; // (C)
  final Slice[] qkvw; // (3C, C)
  final Slice[] qkvb; // (3C)
  final Slice[] attprojw; // (C, C)
  final Slice[] attprojb; // (C)
  final Slice[] ln2w, ln2b; // (C)
  final Slice[] fcw; // (4C, C)
  final Slice[] fcb; // (4C)
  final Slice[] fcprojw; // (C, 4C)
  final Slice[] fcprojb; // (C)
  final Slice lnfw, lnfb; // (C)

  ParameterTensors(ParameterLayout layout, FloatBuf buf) {
    int L = layout.config().nLayer();
    wte = slice(layout, buf, "wte");
    wpe = slice(layout, buf, "wpe");
    ln1w = new Slice[L];
    ln1b = new Slice[L];
    qkvw = new Slice[L];
    qkvb = new Slice[L];
    attprojw = new Slice[L];
    attprojb = new Slice[L];
    ln2w = new Slice[L];
    ln2b = new Slice[L];
    fcw = new Slice[L];
    fcb = new Slice[L];
    fcprojw = new Slice[L];
    fcprojb = new Slice[L];
    for (int l = 0; l < L; l++) {
      String h = "h." + l + ".";
      ln1w[l] = slice(layout, buf, h + "ln_1.weight");
      ln1b[l] = slice(layout, buf, h + "ln_1.bias");
      qkvw[l] = slice(layout, buf, h + "attn.c_attn.weight");
      qkvb[l] = slice(layout, buf, h + "attn.c_attn.bias");
      attprojw[l] = slice(layout, buf, h + "attn.c_proj.weight");
      attprojb[l] = slice(layout, buf, h + "attn.c_proj.bias");
      ln2w[l] = slice(layout, buf, h + "ln_2.weight");
      ln2b[l] = slice(layout, buf, h + "ln_2.bias");
      fcw[l] = slice(layout, buf, h + "mlp.c_fc.weight");
      fcb[l] = slice(layout, buf, h + "mlp.c_fc.bias");
      fcprojw[l] = slice(layout, buf, h + "mlp.c_proj.weight");
      fcprojb[l] = slice(layout, buf, h + "mlp.c_proj.bias");
    }
    lnfw = slice(layout, buf, "ln_f.weight");
    lnfb = slice(layout, buf, "ln_f.bias");
  }

  /** The tensor's slice, or null when the model has no such tensor (biases of a bias-free model). */
  private static Slice slice(ParameterLayout layout, FloatBuf buf, String name) {
    if (!layout.contains(name)) return null;
    TensorSpec t = layout.get(name);
    return buf.slice(t.offset(), t.size());
  }
}

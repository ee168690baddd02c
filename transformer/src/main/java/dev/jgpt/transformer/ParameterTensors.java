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
    wte = slice(layout, buf, "wte");
    wpe = slice(layout, buf, "wpe");
    ln1w = perLayer(layout, buf, "ln_1.weight");
    ln1b = perLayer(layout, buf, "ln_1.bias");
    qkvw = perLayer(layout, buf, "attn.c_attn.weight");
    qkvb = perLayer(layout, buf, "attn.c_attn.bias");
    attprojw = perLayer(layout, buf, "attn.c_proj.weight");
    attprojb = perLayer(layout, buf, "attn.c_proj.bias");
    ln2w = perLayer(layout, buf, "ln_2.weight");
    ln2b = perLayer(layout, buf, "ln_2.bias");
    fcw = perLayer(layout, buf, "mlp.c_fc.weight");
    fcb = perLayer(layout, buf, "mlp.c_fc.bias");
    fcprojw = perLayer(layout, buf, "mlp.c_proj.weight");
    fcprojb = perLayer(layout, buf, "mlp.c_proj.bias");
    lnfw = slice(layout, buf, "ln_f.weight");
    lnfb = slice(layout, buf, "ln_f.bias");
  }

  /** Tensor "h.{l}.{name}" of every layer l (entries null when the model has no such tensor). */
  private static Slice[] perLayer(ParameterLayout layout, FloatBuf buf, String name) {
    Slice[] slices = new Slice[layout.config().nLayer()];
    for (int l = 0; l < slices.length; l++) slices[l] = slice(layout, buf, "h." + l + "." + name);
    return slices;
  }

  /** The tensor's slice, or null when the model has no such tensor (biases of a bias-free model). */
  private static Slice slice(ParameterLayout layout, FloatBuf buf, String name) {
    if (!layout.contains(name)) return null;
    TensorSpec t = layout.get(name);
    return buf.slice(t.offset(), t.size());
  }
}

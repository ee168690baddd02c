package dev.jgpt.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.Slice;
import org.junit.jupiter.api.Test;

/**
 * The work-group kernels keep the arena's launch rule (see {@link Arena}): a launch that would hand
 * one kind's array to two role groups, or put a kernel's rows outside the activations where its
 * scratch lives, fails at once with one line naming the op and what to allocate, and a launch's
 * signature names every kind it touches (a plan keeps device copies of exactly those). Nothing is
 * compiled: ops outside a step run on the host.
 */
class WorkGroupKindsTest {
  static final int N = 4, C = 8, OC = 6;

  @Test
  void weightsAmongTheActivationsAreRefusedWithOneLine() {
    try (TornadoBackend be = TornadoTesting.backend(false, false, true)) {
      Slice inp = be.allocFloat("inp", N * C).all();
      Slice out = be.allocFloat("out", N * OC).all();
      Slice weight = be.allocFloat("weight", OC * C).all(); // activations: wrong
      Slice bias = be.allocFloat("bias", OC).all();
      var e = assertThrows(IllegalArgumentException.class, () -> be.matmulForward(out, inp, weight, bias, N, C, OC));
      assertOneLine(e.getMessage(), "matmulForward", "PARAMETERS");
    }
  }

  @Test
  void layerNormGradientsAmongTheActivationsAreRefusedWithOneLine() {
    try (TornadoBackend be = TornadoTesting.backend(false, false, true)) {
      Slice x = be.allocFloat("x", N * C).all();
      Slice dx = be.allocFloat("dx", N * C).all();
      Slice dout = be.allocFloat("dout", N * C).all();
      Slice mean = be.allocFloat("mean", N).all();
      Slice rstd = be.allocFloat("rstd", N).all();
      Slice weight = be.allocFloat("weight", C, BufferKind.PARAMETERS).all();
      Slice dweight = be.allocFloat("dweight", C).all(); // activations: wrong
      Slice dbias = be.allocFloat("dbias", C).all();
      var e = assertThrows(IllegalArgumentException.class,
          () -> be.layernormBackward(dx, dweight, dbias, dout, x, weight, mean, rstd, N, C));
      assertOneLine(e.getMessage(), "layernormBackward", "different buffer kinds");
    }
  }

  @Test
  void attentionOutsideTheActivationsIsRefusedWithOneLine() {
    int B = 1, T = 3, NH = 2;
    try (TornadoBackend be = TornadoTesting.backend(false, false, true)) {
      Slice qkv = be.allocFloat("qkv", B * T * 3 * C, BufferKind.GRADIENTS).all();
      Slice out = be.allocFloat("out", B * T * C, BufferKind.GRADIENTS).all();
      Slice att = be.allocFloat("att", B * NH * T * T, BufferKind.GRADIENTS).all();
      // the flash kernel's row statistics are scratch in the activations: the tensors must be there too
      var e = assertThrows(IllegalArgumentException.class, () -> be.attentionForward(out, att, qkv, B, T, C, NH));
      assertOneLine(e.getMessage(), "attentionForward", "one buffer kind");
    }
  }

  @Test
  void eachWorkGroupLaunchNamesTheKindsItTouches() {
    BufferKind x = BufferKind.ACTIVATIONS, w = BufferKind.PARAMETERS, g = BufferKind.GRADIENTS;
    assertNames(RowGroupKernels.launchLayernormForward(x, 0, 1, 2, 3, w, 0, 1, N, C), x, w);
    assertNames(RowGroupKernels.launchLayernormBackwardInput(x, 0, 1, 2, w, 0, 3, 4, N, C), x, w);
    Launch[] params = ColumnSumKernels.launchLayernormParams(g, 0, 1, x, 0, 1, 2, 3, 4, N, C);
    assertNames(params[0], x); // partials: rows and scratch
    assertNames(params[1], x, g); // weight gradient from the partials
    assertNames(params[2], x, g); // bias gradient from the partials
    for (Launch l : ColumnSumKernels.launchBiasBackward(g, 0, x, 0, 1, N, OC)) assertNames(l, x);
    assertNames(ColumnSumKernels.launchBiasBackward(g, 0, x, 0, 1, N, OC)[1], x, g);
    // one row: the matrix-vector kernel; then the blocked GEMM in both role-group forms
    assertNames(MatmulKernels.launchGemm(true, "f", x, 0, x, 0, C, 1, w, 0, 1, C, w, 0,
        MatmulKernels.OVERWRITE_PLUS_BIAS, 1, OC, C), x, w);
    assertNames(MatmulKernels.launchGemm(true, "f", x, 0, x, 0, C, 1, w, 0, 1, C, w, 0,
        MatmulKernels.OVERWRITE_PLUS_BIAS, N, OC, C), x, w);
    assertNames(MatmulKernels.launchGemm(true, "dw", g, 0, x, 0, 1, OC, x, 0, C, 1, null, -1,
        MatmulKernels.ACCUMULATE, OC, C, N), g, x);
    for (Launch l : FlashAttentionKernels.launchForward(x, 0, 1, 2, 3, 1, 5, C, 2, 0.5f)) assertNames(l, x);
    for (Launch l : FlashAttentionBackwardKernels.launchBackward(x, 0, 1, 2, 3, -1, 4, 1, 5, C, 2, 0.5f)) {
      assertNames(l, x);
    }
  }

  private static void assertNames(Launch l, BufferKind... kinds) {
    for (BufferKind k : kinds) {
      assertTrue(l.signature().contains(k), l.op() + " should name " + k + ": " + l.signature());
    }
  }

  private static void assertOneLine(String message, String op, String what) {
    assertTrue(message.contains(op), message);
    assertTrue(message.contains(what), message);
    assertFalse(message.contains("\n"), message);
  }
}

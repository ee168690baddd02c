package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Bf16;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.Slice;

/**
 * The matrices a decode step reads, rounded to bf16 and packed two to an int
 * ({@link Bf16#packRows}) in backend int buffers: every block's four and the tied head wte.
 * They are copies of the F32 weights at the time they were made (a KV-cache model's weights do
 * not change while it generates).
 *
 * @param h (L) each block's matrices
 * @param head wte (Vp, C) as the output head
 */
record Bf16Weights(Layer[] h, IntBuf head) {

  /**
   * One block's matrices: attn.c_attn (3C, C), attn.c_proj (C, C), mlp.c_fc (4C, C), mlp.c_proj
   * (C, 4C), each as (OC, packedCols(C)) ints.
   */
  record Layer(IntBuf attnQkv, IntBuf attnProj, IntBuf mlpFc, IntBuf mlpProj) {}

  /** Reads each matrix of {@code p} from the backend, rounds and packs it, writes it back as ints. */
  static Bf16Weights of(Backend backend, ParameterTensors p, int C, int Vp) {
    Layer[] h = new Layer[p.h.length];
    for (int l = 0; l < h.length; l++) {
      LayerWeights w = p.h[l];
      String at = "h." + l + ".";
      h[l] = new Layer(pack(backend, at + "attn.c_attn.weight", w.attnQkvWeight(), 3 * C, C),
          pack(backend, at + "attn.c_proj.weight", w.attnProjWeight(), C, C),
          pack(backend, at + "mlp.c_fc.weight", w.mlpFcWeight(), 4 * C, C),
          pack(backend, at + "mlp.c_proj.weight", w.mlpProjWeight(), C, 4 * C));
    }
    return new Bf16Weights(h, pack(backend, "wte", p.wte, Vp, C));
  }

  /** Ints the packed copies take: the block matrices (12 C^2 per layer) and the head (Vp, C). */
  static long ints(int L, int C, int Vp) {
    return (long) L * (3L * C * Bf16.packedCols(C) + C * Bf16.packedCols(C) + 4L * C * Bf16.packedCols(C)
        + (long) C * Bf16.packedCols(4 * C)) + (long) Vp * Bf16.packedCols(C);
  }

  // matrix (rows, cols) -> a new int buffer (rows, packedCols(cols)) named "<tensor>.bf16"
  private static IntBuf pack(Backend backend, String name, Slice matrix, int rows, int cols) {
    float[] host = new float[rows * cols];
    backend.read(matrix.buf(), matrix.offset(), host, 0, host.length);
    int[] packed = Bf16.packRows(host, 0, rows, cols);
    IntBuf buf = backend.allocInt(name + ".bf16", packed.length);
    backend.write(buf, 0, packed, 0, packed.length);
    return buf;
  }
}

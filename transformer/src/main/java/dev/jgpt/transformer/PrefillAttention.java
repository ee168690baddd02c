package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Slice;

/**
 * Causal attention over a generation window of {@code rows} rows (one sequence) that also stores
 * every row's k and v in the KV cache, so decode steps can continue from it.
 *
 * @param causal the attention over the window's rows (b = 1, T = rows)
 * @param kOfRow (>= rows) x (C): the k part of each row of the window's qkv activation (rows, 3C)
 * @param vOfRow (>= rows) x (C): the v parts
 */
record PrefillAttention(Backend backend, CausalAttention causal, KvCache cache, Slice[] kOfRow, Slice[] vOfRow)
    implements Attention {
  @Override
  public void forward(int layer, BlockActivations a) {
    storeKv(layer);
    causal.forward(layer, a);
  }

  /**
   * Copies k and v of each of the window's rows from the qkv activation into layer {@code layer}'s
   * cache rows, rounded to bf16 where the cache keeps them so.
   */
  void storeKv(int layer) {
    int C = cache.C, ints = C / 2;
    for (int t = 0; t < causal.T(); t++) {
      if (cache.bf16()) {
        backend.packBf16(cache.keys16[layer], t * ints, kOfRow[t], C);
        backend.packBf16(cache.values16[layer], t * ints, vOfRow[t], C);
      } else {
        backend.copy(cache.kRows[layer][t], kOfRow[t]);
        backend.copy(cache.vRows[layer][t], vOfRow[t]);
      }
    }
  }
}

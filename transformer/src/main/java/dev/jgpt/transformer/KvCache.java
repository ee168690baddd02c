package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.Slice;

/**
 * The keys and values of every position seen so far, per layer, so a generation step computes
 * one new position instead of the whole context. Also the two one-int buffers a decode step
 * reads on the backend (the new token and its position), which is what makes the step the same
 * op sequence every time (capture-safe).
 *
 * <p>Row slices for the prefill's copies are made here once: a prefill copies the k and v parts
 * of every row of its (T, 3C) qkv activations into rows of the caches.
 */
final class KvCache {
  final int L, maxT, C;
  final FloatBuf keys; // (L, maxT, C)
  final FloatBuf values; // (L, maxT, C)
  final Slice[] k; // (L) x (maxT, C)
  final Slice[] v; // (L) x (maxT, C)
  final Slice[][] kRows; // (L, maxT) x (C)
  final Slice[][] vRows; // (L, maxT) x (C)
  final IntBuf token; // (1) the token being decoded
  final IntBuf pos; // (1) its position in the window, 0 .. maxT-1
  private final Backend backend;
  IntBuf[] keys16, values16; // (L) x (maxT, C/2) bf16 pairs once useBf16 was called, else null

  /** Ints of one layer's bf16 keys, and as many of its values: (maxT, C/2). */
  static long intsPerLayer16(int maxT, int C) {
    return (long) maxT * (C / 2);
  }

  /** Floats of the keys, and as many of the values: (L, maxT, C). */
  static long floatsPerTensor(int L, int maxT, int C) {
    return (long) L * maxT * C;
  }

  KvCache(Backend backend, int L, int maxT, int C) {
    this.L = L;
    this.maxT = maxT;
    this.C = C;
    long size = floatsPerTensor(L, maxT, C);
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("KV cache of " + L + " layers x " + maxT + " positions x " + C
          + " channels is too large for one buffer");
    }
    keys = backend.allocFloat("kcache", (int) size);
    values = backend.allocFloat("vcache", (int) size);
    k = new Slice[L];
    v = new Slice[L];
    kRows = new Slice[L][maxT];
    vRows = new Slice[L][maxT];
    for (int l = 0; l < L; l++) {
      k[l] = keys.slice(l * maxT * C, maxT * C);
      v[l] = values.slice(l * maxT * C, maxT * C);
      for (int t = 0; t < maxT; t++) {
        kRows[l][t] = k[l].sub(t * C, C);
        vRows[l][t] = v[l].sub(t * C, C);
      }
    }
    token = backend.allocInt("decode_token", 1);
    pos = backend.allocInt("decode_pos", 1);
    this.backend = backend;
  }

  /** True once decode steps keep keys and values in bf16 ({@link #useBf16}). */
  boolean bf16() {
    return keys16 != null;
  }

  /**
   * Keeps keys and values in bf16 from now on, beside the F32 caches (allocated once; their
   * contents are the next prefill's and decode steps'): a decode step then reads half the bytes.
   */
  void useBf16() {
    if (keys16 != null) return;
    IntBuf[] k16 = new IntBuf[L], v16 = new IntBuf[L];
    for (int l = 0; l < L; l++) {
      k16[l] = backend.allocInt("kcache16_" + l, (int) intsPerLayer16(maxT, C));
      v16[l] = backend.allocInt("vcache16_" + l, (int) intsPerLayer16(maxT, C));
    }
    keys16 = k16;
    values16 = v16;
  }
}

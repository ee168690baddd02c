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
  // The F32 caches, allocated by prepare() before the first step that keeps keys and values in
  // F32, so a model switched to bf16 before its first step never holds them (null until then).
  FloatBuf keys; // (L, maxT, C)
  FloatBuf values; // (L, maxT, C)
  Slice[] k; // (L) x (maxT, C)
  Slice[] v; // (L) x (maxT, C)
  Slice[][] kRows; // (L, maxT) x (C)
  Slice[][] vRows; // (L, maxT) x (C)
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
    token = backend.allocInt("decode_token", 1);
    pos = backend.allocInt("decode_pos", 1);
    this.backend = backend;
  }

  /**
   * Allocates the F32 caches where the cache keeps F32 and they are not there yet: called before
   * every prefill and decode step (outside the step: buffers are made at setup, never inside one).
   */
  void prepare() {
    if (keys16 != null || keys != null) return;
    int size = (int) floatsPerTensor(L, maxT, C); // checked in the constructor
    FloatBuf newKeys = backend.allocFloat("kcache", size), newValues = backend.allocFloat("vcache", size);
    Slice[] newK = new Slice[L], newV = new Slice[L];
    Slice[][] newKRows = new Slice[L][maxT], newVRows = new Slice[L][maxT];
    for (int l = 0; l < L; l++) {
      newK[l] = newKeys.slice(l * maxT * C, maxT * C);
      newV[l] = newValues.slice(l * maxT * C, maxT * C);
      for (int t = 0; t < maxT; t++) {
        newKRows[l][t] = newK[l].sub(t * C, C);
        newVRows[l][t] = newV[l].sub(t * C, C);
      }
    }
    keys = newKeys;
    values = newValues;
    k = newK;
    v = newV;
    kRows = newKRows;
    vRows = newVRows;
  }

  /** True once the F32 caches are allocated ({@link #prepare}): a model that decoded in F32 before a switch to bf16 keeps them. */
  boolean holdsF32() {
    return keys != null;
  }

  /** True once decode steps keep keys and values in bf16 ({@link #useBf16}). */
  boolean bf16() {
    return keys16 != null;
  }

  /**
   * Keeps keys and values in bf16 from now on (allocated once; their contents are the next
   * prefill's and decode steps'): a decode step then reads half the bytes. F32 caches that earlier
   * steps allocated stay (a backend frees nothing before it closes); none are made after this.
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

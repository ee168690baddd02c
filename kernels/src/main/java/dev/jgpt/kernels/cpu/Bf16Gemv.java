package dev.jgpt.kernels.cpu;

import dev.jgpt.kernels.Bf16;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * out (N,OC) = inp (N,C) @ weight (OC,C)^T + bias with the weight in bf16 ({@link Bf16#packRows}:
 * (OC, packedCols(C)) ints, columns 2j and 2j+1 in int j): the decode matmul at half the bytes
 * of F32. An int vector widens into the even columns (shift left 16) and the odd ones (mask the
 * high half), so the input is split once per call into its even and odd columns, and each
 * output column is two dot products over one sequential stream of its weight row. Columns are
 * shared out across the workers; each sum is computed in one fixed order whatever the split, so
 * results do not depend on the thread count. Meant for a few rows (decode: N = 1): the rows run
 * inside a column while its weight row is in L1.
 *
 * <p>Vectors of at most 256 bits, even on AVX-512: weight rows stream from memory
 * ({@link Dot#STREAM} says why; 512-bit vectors here: 84-98 against 97-102 tokens/s). With 32
 * vector registers ({@link #PAIRS}), two rows far apart at a time (columns o and o + half of a
 * part's range), as the F32 gemv reads them ({@link Dot#dotStreamedPair}): one core keeps more
 * cache-line misses in flight. GPT-2 124M with bf16 weights and cache, one Zen 5 core, eight
 * alternating runs: 94-142 tokens/s (median 124) against 88-122 (median 111) one row at a time;
 * two cores 161-171 against 155-170. (An earlier version, whose widening kept a needless vector
 * OR, ran slower in pairs: 75-86 against 94.)
 */
final class Bf16Gemv {
  private static final VectorSpecies<Float> S = Dot.STREAM;
  private static final int L = Dot.STREAM_L;
  /** Ints of the same vector width as the floats: a widened int vector is one float vector. */
  private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());
  /**
   * Rows in pairs only with 32 vector registers: a pair's eight accumulators, four loaded int
   * vectors, four input vectors and the mask are 17, more than AVX2's 16. On this Zen 5 core limited to
   * AVX2 (-XX:UseAVX=2), GPT-2 124M bf16: one thread 76-100 tokens/s in pairs against 94-117 one
   * row at a time (six alternating runs each), two threads 139 / 148 against 168 / 153.
   */
  private static final boolean PAIRS = VectorRegisters.COUNT >= 32;

  private final WorkerPool pool;
  private final Args args = new Args();
  private float[] split = new float[0]; // (N, 2, packedCols(C)): each row's even columns, then its odd ones

  Bf16Gemv(WorkerPool pool) {
    this.pool = pool;
  }

  /** The op's arguments, one record refilled per call (no allocation per call). */
  private static final class Args {
    float[] out, x, bias;
    int[] weight;
    int outo, biaso, N, PC, OC;
  }

  // out (N,OC) = inp (N,C) @ weight (OC, packedCols(C)) bf16 pairs ^T + bias (OC) or null
  void forward(float[] out, int outo, float[] inp, int inpo, int[] weight, float[] bias, int biaso, int N, int C,
      int OC) {
    int pc = Bf16.packedCols(C);
    float[] x = split = CpuMatmul.grow(split, 2L * N * pc);
    for (int n = 0; n < N; n++) {
      int src = inpo + n * C, even = 2 * n * pc, odd = even + pc;
      for (int j = 0; j < pc; j++) {
        x[even + j] = inp[src + 2 * j];
        x[odd + j] = 2 * j + 1 < C ? inp[src + 2 * j + 1] : 0f; // an odd width's last int has 0 in its high half
      }
    }
    Args a = args;
    a.out = out;
    a.outo = outo;
    a.x = x;
    a.weight = weight;
    a.bias = bias;
    a.biaso = biaso;
    a.N = N;
    a.PC = pc;
    a.OC = OC;
    pool.forRange(OC, 16, a, Bf16Gemv::columns);
    a.out = a.x = a.bias = null;
    a.weight = null;
  }

  // out columns [o0, o1) of every row: o and o + half together (PAIRS), then the columns left over
  private static void columns(Args a, int o0, int o1) {
    int pc = a.PC;
    int half = PAIRS ? (o1 - o0) / 2 : 0;
    for (int o = o0; o < o0 + half; o++) {
      int o2 = o + half;
      float b = a.bias == null ? 0f : a.bias[a.biaso + o], b2 = a.bias == null ? 0f : a.bias[a.biaso + o2];
      for (int n = 0; n < a.N; n++) {
        int row = a.outo + n * a.OC;
        dotPair(a.x, 2 * n * pc, pc, a.weight, o * pc, o2 * pc, a.out, row + o, b, row + o2, b2);
      }
    }
    for (int o = o0 + 2 * half; o < o1; o++) {
      float b = a.bias == null ? 0f : a.bias[a.biaso + o];
      for (int n = 0; n < a.N; n++) a.out[a.outo + n * a.OC + o] = b + dot(a.x, 2 * n * pc, pc, a.weight, o * pc);
    }
  }

  /**
   * x's even columns (pc) at xo and odd columns (pc) at xo + pc, dotted with the bf16 pairs
   * w (pc) at wo. Four accumulators (even and odd, two vectors a step) hide the FMA latency.
   */
  static float dot(float[] x, int xo, int pc, int[] w, int wo) {
    FloatVector e0 = FloatVector.zero(S), o0 = e0, e1 = e0, o1 = e0;
    int xodd = xo + pc;
    int j = 0;
    // x * w rather than w * x (the same bits): the helpers' results only as arguments (known receiver, see Vec)
    for (; j + 2 * L <= pc; j += 2 * L) {
      IntVector v0 = IntVector.fromArray(IS, w, wo + j), v1 = IntVector.fromArray(IS, w, wo + j + L);
      e0 = FloatVector.fromArray(S, x, xo + j).fma(even(v0), e0);
      o0 = FloatVector.fromArray(S, x, xodd + j).fma(odd(v0), o0);
      e1 = FloatVector.fromArray(S, x, xo + j + L).fma(even(v1), e1);
      o1 = FloatVector.fromArray(S, x, xodd + j + L).fma(odd(v1), o1);
    }
    if (j + L <= pc) {
      IntVector v0 = IntVector.fromArray(IS, w, wo + j);
      e0 = FloatVector.fromArray(S, x, xo + j).fma(even(v0), e0);
      o0 = FloatVector.fromArray(S, x, xodd + j).fma(odd(v0), o0);
      j += L;
    }
    FloatVector negativeZero = FloatVector.broadcast(S, -0f); // -0 + x = x: known receivers (see Vec)
    float sum = Dot.sumStreamLanes(negativeZero.add(e0).add(e1).add(negativeZero.add(o0).add(o1)));
    for (; j < pc; j++) {
      int word = w[wo + j];
      sum += x[xo + j] * Float.intBitsToFloat(word << 16) + x[xodd + j] * Float.intBitsToFloat(word & 0xFFFF0000);
    }
    return sum;
  }

  /**
   * out[oa] = ba + x . (the bf16 pairs at wa), out[ob] = bb + x . (those at wb): two {@link #dot}s
   * in one loop, each with its bits (same accumulators, lane sums and tail), x as there.
   */
  static void dotPair(float[] x, int xo, int pc, int[] w, int wa, int wb, float[] out, int oa, float ba, int ob,
      float bb) {
    FloatVector e0 = FloatVector.zero(S), o0 = e0, e1 = e0, o1 = e0, f0 = e0, p0 = e0, f1 = e0, p1 = e0;
    int xodd = xo + pc;
    int j = 0;
    for (; j + 2 * L <= pc; j += 2 * L) {
      IntVector v0 = IntVector.fromArray(IS, w, wa + j), v1 = IntVector.fromArray(IS, w, wa + j + L);
      IntVector u0 = IntVector.fromArray(IS, w, wb + j), u1 = IntVector.fromArray(IS, w, wb + j + L);
      FloatVector xe0 = FloatVector.fromArray(S, x, xo + j), xo0 = FloatVector.fromArray(S, x, xodd + j);
      FloatVector xe1 = FloatVector.fromArray(S, x, xo + j + L), xo1 = FloatVector.fromArray(S, x, xodd + j + L);
      e0 = xe0.fma(even(v0), e0);
      o0 = xo0.fma(odd(v0), o0);
      e1 = xe1.fma(even(v1), e1);
      o1 = xo1.fma(odd(v1), o1);
      f0 = xe0.fma(even(u0), f0);
      p0 = xo0.fma(odd(u0), p0);
      f1 = xe1.fma(even(u1), f1);
      p1 = xo1.fma(odd(u1), p1);
    }
    if (j + L <= pc) {
      IntVector v0 = IntVector.fromArray(IS, w, wa + j), u0 = IntVector.fromArray(IS, w, wb + j);
      FloatVector xe0 = FloatVector.fromArray(S, x, xo + j), xo0 = FloatVector.fromArray(S, x, xodd + j);
      e0 = xe0.fma(even(v0), e0);
      o0 = xo0.fma(odd(v0), o0);
      f0 = xe0.fma(even(u0), f0);
      p0 = xo0.fma(odd(u0), p0);
      j += L;
    }
    FloatVector negativeZero = FloatVector.broadcast(S, -0f); // -0 + x = x: known receivers (see Vec)
    float sa = Dot.sumStreamLanes(negativeZero.add(e0).add(e1).add(negativeZero.add(o0).add(o1)));
    float sb = Dot.sumStreamLanes(negativeZero.add(f0).add(f1).add(negativeZero.add(p0).add(p1)));
    for (; j < pc; j++) {
      int a = w[wa + j], b = w[wb + j];
      sa += x[xo + j] * Float.intBitsToFloat(a << 16) + x[xodd + j] * Float.intBitsToFloat(a & 0xFFFF0000);
      sb += x[xo + j] * Float.intBitsToFloat(b << 16) + x[xodd + j] * Float.intBitsToFloat(b & 0xFFFF0000);
    }
    out[oa] = ba + sa;
    out[ob] = bb + sb;
  }

  // the low halves (even columns) as floats: a bf16 is a float's upper 16 bits
  private static FloatVector even(IntVector v) {
    // v, the receiver, is dot's fresh load once this is inlined (see Vec). It was made one as 0 | v:
    // C2 kept that OR, and without it one core decodes GPT-2 124M (bf16 weights and cache) at 97-113
    // against 81-102 tokens/s (six alternating runs each). StepAllocationTest runs bf16 decoding
    // without type profiles: no vector is boxed.
    return (FloatVector) v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
  }

  // the high halves (odd columns) as floats
  private static FloatVector odd(IntVector v) {
    return (FloatVector) IntVector.broadcast(IS, 0xFFFF0000).and(v).reinterpretAsFloats(); // v & mask, turned round
  }
}

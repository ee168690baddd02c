package dev.jgpt.kernels;

/**
 * The building blocks of the argument checks: dimensions are positive, a slice holds the floats
 * its shape needs, ids and positions are in range, and the checks several ops share (element-wise,
 * dropout, softmax rows, cross-entropy). {@link CheckedBackend} writes each op's checks with them,
 * in front of every backend, so a wrong shape fails with one clear line instead of reading a
 * neighbouring tensor.
 *
 * <p>The checks run on every op call, inside training steps, which allocate nothing: hence no
 * varargs (each call would allocate its array) and messages built only when a check fails.
 */
public final class OpChecks {
  private OpChecks() {}

  static void positive(String op, int a) {
    if (a <= 0) throw new IllegalArgumentException(op + ": dimensions must be positive, got " + a);
  }

  static void positive(String op, int a, int b) {
    positive(op, a);
    positive(op, b);
  }

  static void positive(String op, int a, int b, int c) {
    positive(op, a, b);
    positive(op, c);
  }

  static void positive(String op, int a, int b, int c, int d) {
    positive(op, a, b, c);
    positive(op, d);
  }

  /** s holds at least n floats; the message (op + what) is built only on failure. */
  private static void require(Slice s, long n, String op, String what) {
    if (s.length() < n) s.require(n, op + what);
  }

  /** b holds at least n ints; the message (op + what) is built only on failure. */
  private static void ints(IntBuf b, long n, String op, String what) {
    if (b.size() < n) ints(b, n, op + what);
  }

  static void ints(IntBuf b, long n, String what) {
    if (b.size() < n) {
      throw new IllegalArgumentException(what + ": needs " + n + " ints, buffer has " + b.size() + " (" + b + ")");
    }
  }

  public static void copy(Slice dst, Slice src) {
    if (dst.length() != src.length()) {
      throw new IllegalArgumentException("copy: lengths differ, dst " + dst + " vs src " + src);
    }
  }

  public static void hostRange(int bufSize, int bufOffset, int arrayLength, int arrayOffset, int len) {
    if (len < 0 || bufOffset < 0 || arrayOffset < 0
        || (long) bufOffset + len > bufSize || (long) arrayOffset + len > arrayLength) {
      throw new IllegalArgumentException("copy of " + len + " elements at buffer offset " + bufOffset
          + " / array offset " + arrayOffset + " is outside the buffer (" + bufSize
          + ") or the array (" + arrayLength + ")");
    }
  }

  static void heads(String op, int C, int NH) {
    positive(op, C, NH);
    if (C % NH != 0) throw new IllegalArgumentException(op + ": C=" + C + " is not a multiple of NH=" + NH);
  }

  /**
   * The shapes of the MLP's first matmul with GELU (matmulForwardGelu, matmulForwardGeluSlope):
   * first (N,OC), out (N,OC), inp (N,C), weight (OC,C), bias (OC) or null; firstWhat names the
   * first slice in the message (" pre (N,OC)").
   */
  static void forwardGelu(String op, String firstWhat, Slice first, Slice out, Slice inp, Slice weight, Slice bias,
      int N, int C, int OC) {
    positive(op, N, C, OC);
    require(first, (long) N * OC, op, firstWhat);
    require(out, (long) N * OC, op, " out (N,OC)");
    require(inp, (long) N * C, op, " inp (N,C)");
    require(weight, (long) OC * C, op, " weight (OC,C)");
    if (bias != null) require(bias, OC, op, " bias (OC)");
  }

  /**
   * The shapes of the MLP projection's backward with GELU's (matmulBackwardGelu,
   * matmulBackwardGeluSlope): dpre, dinp (N,C), dweight (OC,C), dbias (OC) or null, dout (N,OC),
   * inp (N,C), weight (OC,C), last (N,C); lastWhat names the last slice in the message (" pre (N,C)").
   */
  static void backwardGelu(String op, String lastWhat, Slice dpre, Slice dinp, Slice dweight, Slice dbias, Slice dout,
      Slice inp, Slice weight, Slice last, int N, int C, int OC) {
    positive(op, N, C, OC);
    require(dpre, (long) N * C, op, " dpre (N,C)");
    require(dinp, (long) N * C, op, " dinp (N,C)");
    require(dweight, (long) OC * C, op, " dweight (OC,C)");
    if (dbias != null) require(dbias, OC, op, " dbias (OC)");
    require(dout, (long) N * OC, op, " dout (N,OC)");
    require(inp, (long) N * C, op, " inp (N,C)");
    require(weight, (long) OC * C, op, " weight (OC,C)");
    require(last, (long) N * C, op, lastWhat);
  }

  public static void elementwise(String op, int N, Slice a, Slice b) {
    positive(op, N);
    require(a, N, op, " (N)");
    require(b, N, op, " (N)");
  }

  public static void elementwise(String op, int N, Slice a, Slice b, Slice c) {
    elementwise(op, N, a, b);
    require(c, N, op, " (N)");
  }

  public static void dropout(String op, Slice scalars, float p, int N, Slice out, Slice in) {
    elementwise(op, N, out, in);
    require(scalars, StepScalars.SIZE, op, " scalars");
    if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException(op + ": p must be in [0, 1), got " + p);
  }

  public static void softmaxRows(String op, Slice probsOrLogits, int N, int V, int Vp) {
    positive(op, N, V, Vp);
    if (V > Vp) throw new IllegalArgumentException(op + ": V=" + V + " exceeds padded Vp=" + Vp);
    require(probsOrLogits, (long) N * Vp, op, " (N,Vp)");
  }

  public static void crossEntropy(String op, Slice losses, Slice logits, IntBuf targets, int N, int V, int Vp) {
    softmaxRows(op, logits, N, V, Vp);
    require(losses, N, op, " losses (N)");
    ints(targets, N, op, " targets (N)");
  }

  public static void target(String op, int target, int V, int row) {
    if (target < 0 || target >= V) {
      throw new IllegalArgumentException(op + ": target " + target + " at row " + row + " is outside [0, " + V + ")");
    }
  }

  public static void token(String op, int token, int V, int index) {
    if (token < 0 || token >= V) {
      throw new IllegalArgumentException(op + ": token id " + token + " at " + index + " is outside [0, " + V + ")");
    }
  }

  /** Every id of {@code ids[0 .. n)} is in [0, V). */
  public static void tokens(String op, IntBuf ids, int n, int V) {
    for (int i = 0; i < n; i++) token(op, ids.hostValue(i), V, i);
  }

  /** Every target of {@code targets[0 .. n)} is in [0, V). */
  public static void targets(String op, IntBuf targets, int n, int V) {
    for (int i = 0; i < n; i++) target(op, targets.hostValue(i), V, i);
  }

  public static void position(String op, int pos, int maxT) {
    if (pos < 0 || pos >= maxT) {
      throw new IllegalArgumentException(op + ": position " + pos + " is outside [0, " + maxT + ")");
    }
  }

}

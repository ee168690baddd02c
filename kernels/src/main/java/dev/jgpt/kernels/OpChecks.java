package dev.jgpt.kernels;

/**
 * Argument checks shared by every backend: each op's dimensions are positive and each slice
 * holds the floats its shape needs. {@link CheckedBackend} calls the check of an op before the
 * backend runs it, so a wrong shape fails with one clear line instead of reading a neighbouring
 * tensor.
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

  public static void encoderForward(Slice out, IntBuf inp, Slice wte, Slice wpe, int B, int T, int C) {
    positive("encoderForward", B, T, C);
    out.require((long) B * T * C, "encoderForward out (B,T,C)");
    ints(inp, (long) B * T, "encoderForward inp (B,T)");
    wte.require(C, "encoderForward wte (V,C)");
    wpe.require((long) T * C, "encoderForward wpe (maxT,C)");
  }

  public static void encoderBackward(Slice dwte, Slice dwpe, Slice dout, IntBuf inp, int B, int T, int C, int V) {
    positive("encoderBackward", B, T, C, V);
    dwte.require((long) V * C, "encoderBackward dwte (V,C)");
    dwpe.require((long) T * C, "encoderBackward dwpe (maxT,C)");
    dout.require((long) B * T * C, "encoderBackward dout (B,T,C)");
    ints(inp, (long) B * T, "encoderBackward inp (B,T)");
  }

  public static void encoderDecode(Slice out, IntBuf token, IntBuf pos, Slice wte, Slice wpe, int C) {
    positive("encoderDecode", C);
    out.require(C, "encoderDecode out (C)");
    ints(token, 1, "encoderDecode token (1)");
    ints(pos, 1, "encoderDecode pos (1)");
    wte.require(C, "encoderDecode wte (V,C)");
    wpe.require(C, "encoderDecode wpe (maxT,C)");
  }

  public static void layernormForward(Slice out, Slice mean, Slice rstd, Slice inp, Slice weight, Slice bias,
      int N, int C) {
    positive("layernormForward", N, C);
    out.require((long) N * C, "layernormForward out (N,C)");
    mean.require(N, "layernormForward mean (N)");
    rstd.require(N, "layernormForward rstd (N)");
    inp.require((long) N * C, "layernormForward inp (N,C)");
    weight.require(C, "layernormForward weight (C)");
    if (bias != null) bias.require(C, "layernormForward bias (C)");
  }

  public static void layernormBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp,
      Slice weight, Slice mean, Slice rstd, int N, int C) {
    positive("layernormBackward", N, C);
    dinp.require((long) N * C, "layernormBackward dinp (N,C)");
    dweight.require(C, "layernormBackward dweight (C)");
    if (dbias != null) dbias.require(C, "layernormBackward dbias (C)");
    dout.require((long) N * C, "layernormBackward dout (N,C)");
    inp.require((long) N * C, "layernormBackward inp (N,C)");
    weight.require(C, "layernormBackward weight (C)");
    mean.require(N, "layernormBackward mean (N)");
    rstd.require(N, "layernormBackward rstd (N)");
  }

  public static void matmulForward(Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC) {
    positive("matmulForward", N, C, OC);
    out.require((long) N * OC, "matmulForward out (N,OC)");
    inp.require((long) N * C, "matmulForward inp (N,C)");
    weight.require((long) OC * C, "matmulForward weight (OC,C)");
    if (bias != null) bias.require(OC, "matmulForward bias (OC)");
  }

  public static void matmulBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight,
      int N, int C, int OC) {
    positive("matmulBackward", N, C, OC);
    if (dinp != null) dinp.require((long) N * C, "matmulBackward dinp (N,C)");
    dweight.require((long) OC * C, "matmulBackward dweight (OC,C)");
    if (dbias != null) dbias.require(OC, "matmulBackward dbias (OC)");
    dout.require((long) N * OC, "matmulBackward dout (N,OC)");
    inp.require((long) N * C, "matmulBackward inp (N,C)");
    weight.require((long) OC * C, "matmulBackward weight (OC,C)");
  }

  static void heads(String op, int C, int NH) {
    positive(op, C, NH);
    if (C % NH != 0) throw new IllegalArgumentException(op + ": C=" + C + " is not a multiple of NH=" + NH);
  }

  public static void attentionForward(Slice out, Slice att, Slice qkv, int B, int T, int C, int NH) {
    positive("attentionForward", B, T);
    heads("attentionForward", C, NH);
    out.require((long) B * T * C, "attentionForward out (B,T,C)");
    att.require((long) B * NH * T * T, "attentionForward att (B,NH,T,T)");
    qkv.require((long) B * T * 3 * C, "attentionForward qkv (B,T,3C)");
  }

  public static void attentionBackward(Slice dqkv, Slice dout, Slice qkv, Slice att, int B, int T, int C, int NH) {
    positive("attentionBackward", B, T);
    heads("attentionBackward", C, NH);
    dqkv.require((long) B * T * 3 * C, "attentionBackward dqkv (B,T,3C)");
    dout.require((long) B * T * C, "attentionBackward dout (B,T,C)");
    qkv.require((long) B * T * 3 * C, "attentionBackward qkv (B,T,3C)");
    att.require((long) B * NH * T * T, "attentionBackward att (B,NH,T,T)");
  }

  public static void attentionDecode(Slice out, Slice att, Slice qkv, Slice kcache, Slice vcache, IntBuf pos,
      int maxT, int C, int NH) {
    positive("attentionDecode", maxT);
    heads("attentionDecode", C, NH);
    out.require(C, "attentionDecode out (C)");
    att.require((long) NH * maxT, "attentionDecode att (NH,maxT)");
    qkv.require(3L * C, "attentionDecode qkv (3C)");
    kcache.require((long) maxT * C, "attentionDecode kcache (maxT,C)");
    vcache.require((long) maxT * C, "attentionDecode vcache (maxT,C)");
    ints(pos, 1, "attentionDecode pos (1)");
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

  public static void globalNormSquared(Slice scalars, Slice grads, int N) {
    positive("globalNormSquared", N);
    scalars.require(StepScalars.SIZE, "globalNormSquared scalars");
    grads.require(N, "globalNormSquared grads (N)");
  }

  public static void adamw(Slice params, Slice grads, Slice m, Slice v, Slice scalars, int N) {
    elementwise("adamw", N, params, grads, m);
    v.require(N, "adamw (N)");
    scalars.require(StepScalars.SIZE, "adamw scalars");
  }
}

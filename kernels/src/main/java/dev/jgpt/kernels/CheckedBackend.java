package dev.jgpt.kernels;

import static dev.jgpt.kernels.OpChecks.*;

import java.util.function.BooleanSupplier;

/**
 * Any backend with every op's arguments checked first: the one place where each op's checks are
 * written (from the building blocks in {@link OpChecks}). {@link Backends#open} wraps every
 * backend it hands out, so the reference, CPU and TornadoVM backends only compute; a wrong
 * shape, a token id outside the vocabulary or a position past the context fails here with one
 * clear line instead of reading a neighbouring tensor on whatever backend runs.
 *
 * <p>The checks run on every op call, inside training steps, and allocate nothing (see
 * {@link OpChecks}); token, target and position values are read with
 * {@link IntBuf#hostValue}, so checking needs no device read and a captured step stays
 * capture-safe.
 */
public final class CheckedBackend implements Backend {
  private final Backend inner;
  /** The wrappers {@link #coreShares} gave last, or null. */
  private Backend[] checkedShares;

  private CheckedBackend(Backend inner) {
    this.inner = inner;
  }

  /** {@code backend} with its ops checked; a backend already checked is returned as it is. */
  public static Backend wrap(Backend backend) {
    if (backend == null) throw new IllegalArgumentException("CheckedBackend.wrap: backend is null");
    return backend instanceof CheckedBackend ? backend : new CheckedBackend(backend);
  }

  // ---------------------------------------------------------------- what the backend is

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public String description() {
    return inner.description();
  }

  @Override
  public long trainingScratchBytes(int B, int T, int C, int NH, int Vp) {
    return inner.trainingScratchBytes(B, T, C, NH, Vp);
  }

  @Override
  public boolean buffersOnHeap() {
    return inner.buffersOnHeap();
  }

  @Override
  public long attentionStateSize(int B, int T, int C, int NH) {
    return inner.attentionStateSize(B, T, C, NH);
  }

  // ---------------------------------------------------------------- buffers and copies

  @Override
  public FloatBuf allocFloat(String name, int size) {
    return inner.allocFloat(name, size);
  }

  @Override
  public FloatBuf allocFloat(String name, int size, BufferKind kind) {
    return inner.allocFloat(name, size, kind);
  }

  @Override
  public IntBuf allocInt(String name, int size) {
    return inner.allocInt(name, size);
  }

  @Override
  public void write(FloatBuf dst, int dstOffset, float[] src, int srcOffset, int len) {
    hostRange(dst.size(), dstOffset, src.length, srcOffset, len);
    inner.write(dst, dstOffset, src, srcOffset, len);
  }

  @Override
  public void read(FloatBuf src, int srcOffset, float[] dst, int dstOffset, int len) {
    hostRange(src.size(), srcOffset, dst.length, dstOffset, len);
    inner.read(src, srcOffset, dst, dstOffset, len);
  }

  @Override
  public void write(IntBuf dst, int dstOffset, int[] src, int srcOffset, int len) {
    hostRange(dst.size(), dstOffset, src.length, srcOffset, len);
    inner.write(dst, dstOffset, src, srcOffset, len);
  }

  @Override
  public void read(IntBuf src, int srcOffset, int[] dst, int dstOffset, int len) {
    hostRange(src.size(), srcOffset, dst.length, dstOffset, len);
    inner.read(src, srcOffset, dst, dstOffset, len);
  }

  @Override
  public void copy(Slice dst, Slice src) {
    OpChecks.copy(dst, src); // qualified: plain copy(...) would be this method
    inner.copy(dst, src);
  }

  @Override
  public void zero(Slice x) {
    inner.zero(x);
  }

  @Override
  public void close() {
    inner.close();
  }

  /**
   * The inner backend's shares, each checked (this one where a share is the inner backend itself);
   * the same wrappers on every call for the same shares, as the inner backend gives the same shares.
   */
  @Override
  public synchronized Backend[] coreShares(int n) {
    Backend[] shares = inner.coreShares(n);
    if (shares == null) return null;
    if (checkedShares == null || checkedShares.length != shares.length) checkedShares = new Backend[shares.length];
    for (int i = 0; i < shares.length; i++) {
      Backend c = checkedShares[i];
      if (c == null || (c == this ? inner : ((CheckedBackend) c).inner) != shares[i]) {
        checkedShares[i] = shares[i] == inner ? this : new CheckedBackend(shares[i]);
      }
    }
    return checkedShares.clone();
  }

  @Override
  public void helpUntil(BooleanSupplier done) {
    inner.helpUntil(done);
  }

  @Override
  public void runTogether(Runnable... work) {
    inner.runTogether(work);
  }

  // ---------------------------------------------------------------- step capture

  @Override
  public void beginStep(String name) {
    inner.beginStep(name);
  }

  @Override
  public void endStep() {
    inner.endStep();
  }

  // ---------------------------------------------------------------- embeddings

  @Override
  public void encoderForward(Slice out, IntBuf inp, Slice wte, Slice wpe, int B, int T, int C) {
    positive("encoderForward", B, T, C);
    out.require((long) B * T * C, "encoderForward out (B,T,C)");
    ints(inp, (long) B * T, "encoderForward inp (B,T)");
    wte.require(C, "encoderForward wte (V,C)");
    wpe.require((long) T * C, "encoderForward wpe (maxT,C)");
    tokens("encoderForward", inp, B * T, wte.length() / C);
    inner.encoderForward(out, inp, wte, wpe, B, T, C);
  }

  @Override
  public void encoderBackward(Slice dwte, Slice dwpe, Slice dout, IntBuf inp, int B, int T, int C, int V) {
    positive("encoderBackward", B, T, C, V);
    dwte.require((long) V * C, "encoderBackward dwte (V,C)");
    dwpe.require((long) T * C, "encoderBackward dwpe (maxT,C)");
    dout.require((long) B * T * C, "encoderBackward dout (B,T,C)");
    ints(inp, (long) B * T, "encoderBackward inp (B,T)");
    tokens("encoderBackward", inp, B * T, V);
    inner.encoderBackward(dwte, dwpe, dout, inp, B, T, C, V);
  }

  @Override
  public void encoderDecode(Slice out, IntBuf token, IntBuf pos, Slice wte, Slice wpe, int C) {
    positive("encoderDecode", C);
    out.require(C, "encoderDecode out (C)");
    ints(token, 1, "encoderDecode token (1)");
    ints(pos, 1, "encoderDecode pos (1)");
    wte.require(C, "encoderDecode wte (V,C)");
    wpe.require(C, "encoderDecode wpe (maxT,C)");
    token("encoderDecode", token.hostValue(0), wte.length() / C, 0);
    position("encoderDecode", pos.hostValue(0), wpe.length() / C);
    inner.encoderDecode(out, token, pos, wte, wpe, C);
  }

  // ---------------------------------------------------------------- layer norm

  @Override
  public void layernormForward(Slice out, Slice mean, Slice rstd, Slice inp, Slice weight, Slice bias, int N,
      int C) {
    positive("layernormForward", N, C);
    out.require((long) N * C, "layernormForward out (N,C)");
    mean.require(N, "layernormForward mean (N)");
    rstd.require(N, "layernormForward rstd (N)");
    inp.require((long) N * C, "layernormForward inp (N,C)");
    weight.require(C, "layernormForward weight (C)");
    if (bias != null) bias.require(C, "layernormForward bias (C)");
    inner.layernormForward(out, mean, rstd, inp, weight, bias, N, C);
  }

  @Override
  public void layernormBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight,
      Slice mean, Slice rstd, int N, int C) {
    positive("layernormBackward", N, C);
    dinp.require((long) N * C, "layernormBackward dinp (N,C)");
    dweight.require(C, "layernormBackward dweight (C)");
    if (dbias != null) dbias.require(C, "layernormBackward dbias (C)");
    dout.require((long) N * C, "layernormBackward dout (N,C)");
    inp.require((long) N * C, "layernormBackward inp (N,C)");
    weight.require(C, "layernormBackward weight (C)");
    mean.require(N, "layernormBackward mean (N)");
    rstd.require(N, "layernormBackward rstd (N)");
    inner.layernormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
  }

  // ---------------------------------------------------------------- matmul

  @Override
  public void matmulForward(Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC) {
    positive("matmulForward", N, C, OC);
    out.require((long) N * OC, "matmulForward out (N,OC)");
    inp.require((long) N * C, "matmulForward inp (N,C)");
    weight.require((long) OC * C, "matmulForward weight (OC,C)");
    if (bias != null) bias.require(OC, "matmulForward bias (OC)");
    inner.matmulForward(out, inp, weight, bias, N, C, OC);
  }

  @Override
  public void matmulForwardGelu(Slice pre, Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC) {
    forwardGelu("matmulForwardGelu", " pre (N,OC)", pre, out, inp, weight, bias, N, C, OC);
    inner.matmulForwardGelu(pre, out, inp, weight, bias, N, C, OC);
  }

  @Override
  public void matmulBackwardGelu(Slice dpre, Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp,
      Slice weight, Slice pre, int N, int C, int OC) {
    backwardGelu("matmulBackwardGelu", " pre (N,C)", dpre, dinp, dweight, dbias, dout, inp, weight, pre, N, C, OC);
    inner.matmulBackwardGelu(dpre, dinp, dweight, dbias, dout, inp, weight, pre, N, C, OC);
  }

  @Override
  public boolean keepsGeluSlope() {
    return inner.keepsGeluSlope();
  }

  @Override
  public void matmulForwardGeluSlope(Slice slope, Slice out, Slice inp, Slice weight, Slice bias, int N, int C,
      int OC) {
    forwardGelu("matmulForwardGeluSlope", " slope (N,OC)", slope, out, inp, weight, bias, N, C, OC);
    requireGeluSlope();
    inner.matmulForwardGeluSlope(slope, out, inp, weight, bias, N, C, OC);
  }

  @Override
  public void matmulBackwardGeluSlope(Slice dpre, Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp,
      Slice weight, Slice slope, int N, int C, int OC) {
    backwardGelu("matmulBackwardGeluSlope", " slope (N,C)", dpre, dinp, dweight, dbias, dout, inp, weight, slope, N, C,
        OC);
    requireGeluSlope();
    inner.matmulBackwardGeluSlope(dpre, dinp, dweight, dbias, dout, inp, weight, slope, N, C, OC);
  }

  private void requireGeluSlope() {
    if (!inner.keepsGeluSlope()) {
      throw new UnsupportedOperationException("the " + inner.name() + " backend does not keep GELU's slope");
    }
  }

  @Override
  public boolean supportsBf16Weights() {
    return inner.supportsBf16Weights();
  }

  @Override
  public void matmulForwardBf16(Slice out, Slice inp, IntBuf weight, Slice bias, int N, int C, int OC) {
    positive("matmulForwardBf16", N, C, OC);
    out.require((long) N * OC, "matmulForwardBf16 out (N,OC)");
    inp.require((long) N * C, "matmulForwardBf16 inp (N,C)");
    if (weight.size() != (long) OC * Bf16.packedCols(C)) {
      throw new IllegalArgumentException("matmulForwardBf16 weight (OC, (C+1)/2): needs " + (long) OC * Bf16.packedCols(C)
          + " ints, " + weight + " has " + weight.size());
    }
    if (bias != null) bias.require(OC, "matmulForwardBf16 bias (OC)");
    if (!inner.supportsBf16Weights()) {
      throw new UnsupportedOperationException("the " + inner.name() + " backend has no 16-bit weights; use --weights f32");
    }
    inner.matmulForwardBf16(out, inp, weight, bias, N, C, OC);
  }

  @Override
  public void matmulBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight, int N,
      int C, int OC) {
    positive("matmulBackward", N, C, OC);
    if (dinp != null) dinp.require((long) N * C, "matmulBackward dinp (N,C)");
    dweight.require((long) OC * C, "matmulBackward dweight (OC,C)");
    if (dbias != null) dbias.require(OC, "matmulBackward dbias (OC)");
    dout.require((long) N * OC, "matmulBackward dout (N,OC)");
    inp.require((long) N * C, "matmulBackward inp (N,C)");
    weight.require((long) OC * C, "matmulBackward weight (OC,C)");
    inner.matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
  }

  // ---------------------------------------------------------------- attention

  @Override
  public void attentionForward(Slice out, Slice att, Slice qkv, int B, int T, int C, int NH) {
    positive("attentionForward", B, T);
    heads("attentionForward", C, NH);
    out.require((long) B * T * C, "attentionForward out (B,T,C)");
    attention(att, B, T, C, NH, "attentionForward");
    qkv.require((long) B * T * 3 * C, "attentionForward qkv (B,T,3C)");
    inner.attentionForward(out, att, qkv, B, T, C, NH);
  }

  @Override
  public void attentionBackward(Slice dqkv, Slice dout, Slice qkv, Slice att, int B, int T, int C, int NH) {
    positive("attentionBackward", B, T);
    heads("attentionBackward", C, NH);
    dqkv.require((long) B * T * 3 * C, "attentionBackward dqkv (B,T,3C)");
    dout.require((long) B * T * C, "attentionBackward dout (B,T,C)");
    qkv.require((long) B * T * 3 * C, "attentionBackward qkv (B,T,3C)");
    attention(att, B, T, C, NH, "attentionBackward");
    inner.attentionBackward(dqkv, dout, qkv, att, B, T, C, NH);
  }

  /**
   * att holds the weights (B,NH,T,T), or, shorter, the backend's attention state: then the backend
   * must keep one smaller than the weights, and att must hold all of it (Backend#attentionForward).
   */
  private void attention(Slice att, int B, int T, int C, int NH, String op) {
    long weights = (long) B * NH * T * T;
    if (att.length() >= weights) return;
    long state = inner.attentionStateSize(B, T, C, NH);
    if (state >= weights) {
      att.require(weights, op + " att (B,NH,T,T)");
    } else if (att.length() < state) {
      throw new IllegalArgumentException(op + " att: needs " + weights + " floats for the weights (B,NH,T,T) or "
          + state + " for the " + inner.name() + " backend's attention state, slice has " + att.length() + " (" + att
          + ")");
    }
  }

  @Override
  public void attentionDecode(Slice out, Slice att, Slice qkv, Slice kcache, Slice vcache, IntBuf pos, int maxT,
      int C, int NH) {
    positive("attentionDecode", maxT);
    heads("attentionDecode", C, NH);
    out.require(C, "attentionDecode out (C)");
    att.require((long) NH * maxT, "attentionDecode att (NH,maxT)");
    qkv.require(3L * C, "attentionDecode qkv (3C)");
    kcache.require((long) maxT * C, "attentionDecode kcache (maxT,C)");
    vcache.require((long) maxT * C, "attentionDecode vcache (maxT,C)");
    ints(pos, 1, "attentionDecode pos (1)");
    position("attentionDecode", pos.hostValue(0), maxT);
    inner.attentionDecode(out, att, qkv, kcache, vcache, pos, maxT, C, NH);
  }

  @Override
  public boolean supportsBf16KvCache() {
    return inner.supportsBf16KvCache();
  }

  @Override
  public void packBf16(IntBuf dst, int dstOffset, Slice src, int n) {
    positive("packBf16", n);
    src.require(n, "packBf16 src (n)");
    if (dstOffset < 0 || dstOffset + (long) Bf16.packedCols(n) > dst.size()) {
      throw new IllegalArgumentException("packBf16 dst: ints " + dstOffset + ".." + (dstOffset + Bf16.packedCols(n))
          + " are not all in " + dst + " (" + dst.size() + " ints)");
    }
    requireBf16KvCache();
    inner.packBf16(dst, dstOffset, src, n);
  }

  @Override
  public void attentionDecodeBf16(Slice out, Slice att, Slice qkv, IntBuf kcache, IntBuf vcache, IntBuf pos, int maxT,
      int C, int NH) {
    positive("attentionDecodeBf16", maxT);
    heads("attentionDecodeBf16", C, NH);
    if (C % 2 != 0 || (C / NH) % 2 != 0) {
      throw new IllegalArgumentException("attentionDecodeBf16: C (" + C + ") and the head size (" + C / NH
          + ") must be even: a bf16 pair may not straddle two heads");
    }
    out.require(C, "attentionDecodeBf16 out (C)");
    att.require((long) NH * maxT, "attentionDecodeBf16 att (NH,maxT)");
    qkv.require(3L * C, "attentionDecodeBf16 qkv (3C)");
    ints(kcache, (long) maxT * C / 2, "attentionDecodeBf16 kcache (maxT,C/2)");
    ints(vcache, (long) maxT * C / 2, "attentionDecodeBf16 vcache (maxT,C/2)");
    ints(pos, 1, "attentionDecodeBf16 pos (1)");
    position("attentionDecodeBf16", pos.hostValue(0), maxT);
    requireBf16KvCache();
    inner.attentionDecodeBf16(out, att, qkv, kcache, vcache, pos, maxT, C, NH);
  }

  private void requireBf16KvCache() {
    if (!inner.supportsBf16KvCache()) {
      throw new UnsupportedOperationException("the " + inner.name() + " backend has no 16-bit KV cache; use --kv-cache f32");
    }
  }

  // ---------------------------------------------------------------- elementwise

  @Override
  public void geluForward(Slice out, Slice inp, int N) {
    elementwise("geluForward", N, out, inp);
    inner.geluForward(out, inp, N);
  }

  @Override
  public void geluBackward(Slice dinp, Slice inp, Slice dout, int N) {
    elementwise("geluBackward", N, dinp, inp, dout);
    inner.geluBackward(dinp, inp, dout, N);
  }

  @Override
  public void residualForward(Slice out, Slice a, Slice b, int N) {
    elementwise("residualForward", N, out, a, b);
    inner.residualForward(out, a, b, N);
  }

  @Override
  public void accumulate(Slice dst, Slice src, int N) {
    elementwise("accumulate", N, dst, src);
    inner.accumulate(dst, src, N);
  }

  @Override
  public void accumulateAndClear(Slice dst, Slice src, int N) {
    elementwise("accumulateAndClear", N, dst, src);
    inner.accumulateAndClear(dst, src, N);
  }

  @Override
  public void dropoutForward(Slice out, Slice inp, Slice scalars, float p, long seed, int stream, int N) {
    dropout("dropoutForward", scalars, p, N, out, inp);
    inner.dropoutForward(out, inp, scalars, p, seed, stream, N);
  }

  @Override
  public void dropoutBackward(Slice dinp, Slice dout, Slice scalars, float p, long seed, int stream, int N) {
    dropout("dropoutBackward", scalars, p, N, dinp, dout);
    inner.dropoutBackward(dinp, dout, scalars, p, seed, stream, N);
  }

  // ---------------------------------------------------------------- softmax and loss

  @Override
  public void softmaxForward(Slice probs, Slice logits, int N, int V, int Vp) {
    softmaxRows("softmaxForward", probs, N, V, Vp);
    softmaxRows("softmaxForward", logits, N, V, Vp);
    inner.softmaxForward(probs, logits, N, V, Vp);
  }

  @Override
  public void crossEntropyForwardBackward(Slice losses, Slice logits, IntBuf targets, float dlossScale, int N,
      int V, int Vp) {
    crossEntropy("crossEntropyForwardBackward", losses, logits, targets, N, V, Vp);
    targets("crossEntropyForwardBackward", targets, N, V);
    inner.crossEntropyForwardBackward(losses, logits, targets, dlossScale, N, V, Vp);
  }

  @Override
  public void crossEntropyForward(Slice losses, Slice logits, IntBuf targets, int N, int V, int Vp) {
    crossEntropy("crossEntropyForward", losses, logits, targets, N, V, Vp);
    targets("crossEntropyForward", targets, N, V);
    inner.crossEntropyForward(losses, logits, targets, N, V, Vp);
  }

  // ---------------------------------------------------------------- optimizer

  @Override
  public void globalNormSquared(Slice scalars, Slice grads, int N) {
    positive("globalNormSquared", N);
    scalars.require(StepScalars.SIZE, "globalNormSquared scalars");
    grads.require(N, "globalNormSquared grads (N)");
    inner.globalNormSquared(scalars, grads, N);
  }

  @Override
  public void adamw(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1, float beta2,
      float eps, float weightDecay, int N) {
    elementwise("adamw", N, params, grads, m);
    v.require(N, "adamw (N)");
    scalars.require(StepScalars.SIZE, "adamw scalars");
    inner.adamw(params, grads, m, v, scalars, beta1, beta2, eps, weightDecay, N);
  }

  @Override
  public void adamwAndClearGrads(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1,
      float beta2, float eps, float weightDecay, int N) {
    elementwise("adamwAndClearGrads", N, params, grads, m);
    v.require(N, "adamwAndClearGrads (N)");
    scalars.require(StepScalars.SIZE, "adamwAndClearGrads scalars");
    inner.adamwAndClearGrads(params, grads, m, v, scalars, beta1, beta2, eps, weightDecay, N);
  }
}

package dev.jgpt.kernels;

/**
 * The specification as a {@link Backend}: heap arrays, one thread, each op delegating to
 * {@link ReferenceKernels}. Slow on purpose; tests of the model and of the fast backends run
 * against it. Unchecked like every backend: {@link Backends#open} wraps it in
 * {@link CheckedBackend}.
 */
public final class ReferenceBackend extends HeapBackend {

  @Override
  public String name() {
    return "reference";
  }

  @Override
  public String description() {
    return "reference (scalar Java, 1 thread)";
  }

  // ---------------------------------------------------------------- buffers and copies

  @Override
  public void copy(Slice dst, Slice src) {
    ReferenceKernels.copy(a(dst), dst.offset(), a(src), src.offset(), dst.length());
  }

  @Override
  public void zero(Slice x) {
    ReferenceKernels.zero(a(x), x.offset(), x.length());
  }

  @Override
  public void close() {
    // Heap buffers: the garbage collector frees them.
  }

  /**
   * This backend n times: the shards of a step run one after another, so the reference trains on
   * the same shards as the CPU backend (the same rows a shard, the same dropout masks).
   */
  @Override
  public Backend[] coreShares(int n) {
    if (n < 1) throw new IllegalArgumentException("coreShares needs at least 1 share, got " + n);
    Backend[] shares = new Backend[n];
    java.util.Arrays.fill(shares, this);
    return shares;
  }

  // ---------------------------------------------------------------- embeddings

  @Override
  public void encoderForward(Slice out, IntBuf inp, Slice wte, Slice wpe, int B, int T, int C) {
    ReferenceKernels.encoderForward(a(out), out.offset(), HeapIntBuf.array(inp), 0, a(wte), wte.offset(),
        a(wpe), wpe.offset(), B, T, C);
  }

  @Override
  public void encoderBackward(Slice dwte, Slice dwpe, Slice dout, IntBuf inp, int B, int T, int C, int V) {
    ReferenceKernels.encoderBackward(a(dwte), dwte.offset(), a(dwpe), dwpe.offset(), a(dout), dout.offset(),
        HeapIntBuf.array(inp), 0, B, T, C);
  }

  @Override
  public void encoderDecode(Slice out, IntBuf token, IntBuf pos, Slice wte, Slice wpe, int C) {
    ReferenceKernels.encoderDecode(a(out), out.offset(), HeapIntBuf.array(token), 0, HeapIntBuf.array(pos), 0,
        a(wte), wte.offset(), a(wpe), wpe.offset(), C);
  }

  // ---------------------------------------------------------------- layer norm

  @Override
  public void layernormForward(Slice out, Slice mean, Slice rstd, Slice inp, Slice weight, Slice bias, int N,
      int C) {
    ReferenceKernels.layernormForward(a(out), out.offset(), a(mean), mean.offset(), a(rstd), rstd.offset(),
        a(inp), inp.offset(), a(weight), weight.offset(), a(bias), off(bias), N, C);
  }

  @Override
  public void layernormBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight,
      Slice mean, Slice rstd, int N, int C) {
    ReferenceKernels.layernormBackward(a(dinp), dinp.offset(), a(dweight), dweight.offset(), a(dbias), off(dbias),
        a(dout), dout.offset(), a(inp), inp.offset(), a(weight), weight.offset(), a(mean), mean.offset(),
        a(rstd), rstd.offset(), N, C);
  }

  // ---------------------------------------------------------------- matmul

  @Override
  public void matmulForward(Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC) {
    ReferenceKernels.matmulForward(a(out), out.offset(), a(inp), inp.offset(), a(weight), weight.offset(),
        a(bias), off(bias), N, C, OC);
  }

  @Override
  public boolean supportsBf16Weights() {
    return true;
  }

  @Override
  public void matmulForwardBf16(Slice out, Slice inp, IntBuf weight, Slice bias, int N, int C, int OC) {
    ReferenceKernels.matmulForwardBf16(a(out), out.offset(), a(inp), inp.offset(), HeapIntBuf.array(weight), a(bias),
        off(bias), N, C, OC);
  }

  @Override
  public void matmulBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight, int N,
      int C, int OC) {
    ReferenceKernels.matmulBackward(a(dinp), off(dinp), a(dweight), dweight.offset(), a(dbias), off(dbias),
        a(dout), dout.offset(), a(inp), inp.offset(), a(weight), weight.offset(), N, C, OC);
  }

  // ---------------------------------------------------------------- attention

  @Override
  public void attentionForward(Slice out, Slice att, Slice qkv, int B, int T, int C, int NH) {
    ReferenceKernels.attentionForward(a(out), out.offset(), a(att), att.offset(), a(qkv), qkv.offset(),
        B, T, C, NH);
  }

  @Override
  public void attentionBackward(Slice dqkv, Slice dout, Slice qkv, Slice att, int B, int T, int C, int NH) {
    ReferenceKernels.attentionBackward(a(dqkv), dqkv.offset(), a(dout), dout.offset(), a(qkv), qkv.offset(),
        a(att), att.offset(), B, T, C, NH);
  }

  @Override
  public void attentionDecode(Slice out, Slice att, Slice qkv, Slice kcache, Slice vcache, IntBuf pos, int maxT,
      int C, int NH) {
    ReferenceKernels.attentionDecode(a(out), out.offset(), a(att), att.offset(), a(qkv), qkv.offset(),
        a(kcache), kcache.offset(), a(vcache), vcache.offset(), HeapIntBuf.array(pos), 0, maxT, C, NH);
  }

  // ---------------------------------------------------------------- elementwise

  @Override
  public void geluForward(Slice out, Slice inp, int N) {
    ReferenceKernels.geluForward(a(out), out.offset(), a(inp), inp.offset(), N);
  }

  @Override
  public void geluBackward(Slice dinp, Slice inp, Slice dout, int N) {
    ReferenceKernels.geluBackward(a(dinp), dinp.offset(), a(inp), inp.offset(), a(dout), dout.offset(), N);
  }

  @Override
  public void residualForward(Slice out, Slice a, Slice b, int N) {
    ReferenceKernels.residualForward(a(out), out.offset(), a(a), a.offset(), a(b), b.offset(), N);
  }

  @Override
  public void accumulate(Slice dst, Slice src, int N) {
    ReferenceKernels.accumulate(a(dst), dst.offset(), a(src), src.offset(), N);
  }

  @Override
  public void dropoutForward(Slice out, Slice inp, Slice scalars, float p, long seed, int stream, int N) {
    ReferenceKernels.dropoutForward(a(out), out.offset(), a(inp), inp.offset(), p, seed, rngStep(scalars), stream,
        N);
  }

  @Override
  public void dropoutBackward(Slice dinp, Slice dout, Slice scalars, float p, long seed, int stream, int N) {
    ReferenceKernels.dropoutBackward(a(dinp), dinp.offset(), a(dout), dout.offset(), p, seed, rngStep(scalars),
        stream, N);
  }

  // ---------------------------------------------------------------- softmax and loss

  @Override
  public void softmaxForward(Slice probs, Slice logits, int N, int V, int Vp) {
    ReferenceKernels.softmaxForward(a(probs), probs.offset(), a(logits), logits.offset(), N, V, Vp);
  }

  @Override
  public void crossEntropyForwardBackward(Slice losses, Slice logits, IntBuf targets, float dlossScale, int N,
      int V, int Vp) {
    ReferenceKernels.crossEntropyForwardBackward(a(losses), losses.offset(), a(logits), logits.offset(),
        HeapIntBuf.array(targets), 0, dlossScale, N, V, Vp);
  }

  @Override
  public void crossEntropyForward(Slice losses, Slice logits, IntBuf targets, int N, int V, int Vp) {
    ReferenceKernels.crossEntropyForward(a(losses), losses.offset(), a(logits), logits.offset(),
        HeapIntBuf.array(targets), 0, N, V, Vp);
  }

  // ---------------------------------------------------------------- optimizer

  @Override
  public void globalNormSquared(Slice scalars, Slice grads, int N) {
    a(scalars)[scalars.offset() + StepScalars.GRAD_NORM_SQ] =
        (float) ReferenceKernels.sumOfSquares(a(grads), grads.offset(), N);
  }

  @Override
  public void adamw(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1, float beta2,
      float eps, float weightDecay, int N) {
    float[] s = a(scalars);
    int so = scalars.offset();
    float clip = ReferenceKernels.clipFactor(s[so + StepScalars.GRAD_NORM_SQ], s[so + StepScalars.MAX_GRAD_NORM]);
    ReferenceKernels.adamw(a(params), params.offset(), a(grads), grads.offset(), a(m), m.offset(), a(v), v.offset(),
        s[so + StepScalars.LR], s[so + StepScalars.ADAM_T], clip, beta1, beta2, eps, weightDecay, N);
  }
}

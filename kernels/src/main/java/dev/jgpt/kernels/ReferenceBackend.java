package dev.jgpt.kernels;

/**
 * The specification as a {@link Backend}: heap arrays, one thread, each op delegating to
 * {@link ReferenceKernels}. Slow on purpose; tests of the model and of the fast backends run
 * against it.
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
    OpChecks.copy(dst, src);
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

  // ---------------------------------------------------------------- embeddings

  @Override
  public void encoderForward(Slice out, IntBuf inp, Slice wte, Slice wpe, int B, int T, int C) {
    OpChecks.encoderForward(out, inp, wte, wpe, B, T, C);
    OpChecks.tokens("encoderForward", HeapIntBuf.array(inp), B * T, wte.length() / C);
    ReferenceKernels.encoderForward(a(out), out.offset(), HeapIntBuf.array(inp), 0, a(wte), wte.offset(),
        a(wpe), wpe.offset(), B, T, C);
  }

  @Override
  public void encoderBackward(Slice dwte, Slice dwpe, Slice dout, IntBuf inp, int B, int T, int C, int V) {
    OpChecks.encoderBackward(dwte, dwpe, dout, inp, B, T, C, V);
    OpChecks.tokens("encoderBackward", HeapIntBuf.array(inp), B * T, V);
    ReferenceKernels.encoderBackward(a(dwte), dwte.offset(), a(dwpe), dwpe.offset(), a(dout), dout.offset(),
        HeapIntBuf.array(inp), 0, B, T, C);
  }

  @Override
  public void encoderDecode(Slice out, IntBuf token, IntBuf pos, Slice wte, Slice wpe, int C) {
    OpChecks.encoderDecode(out, token, pos, wte, wpe, C);
    OpChecks.token("encoderDecode", HeapIntBuf.array(token)[0], wte.length() / C, 0);
    OpChecks.position("encoderDecode", HeapIntBuf.array(pos)[0], wpe.length() / C);
    ReferenceKernels.encoderDecode(a(out), out.offset(), HeapIntBuf.array(token), 0, HeapIntBuf.array(pos), 0,
        a(wte), wte.offset(), a(wpe), wpe.offset(), C);
  }

  // ---------------------------------------------------------------- layer norm

  @Override
  public void layernormForward(Slice out, Slice mean, Slice rstd, Slice inp, Slice weight, Slice bias, int N,
      int C) {
    OpChecks.layernormForward(out, mean, rstd, inp, weight, bias, N, C);
    ReferenceKernels.layernormForward(a(out), out.offset(), a(mean), mean.offset(), a(rstd), rstd.offset(),
        a(inp), inp.offset(), a(weight), weight.offset(), a(bias), off(bias), N, C);
  }

  @Override
  public void layernormBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight,
      Slice mean, Slice rstd, int N, int C) {
    OpChecks.layernormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
    ReferenceKernels.layernormBackward(a(dinp), dinp.offset(), a(dweight), dweight.offset(), a(dbias), off(dbias),
        a(dout), dout.offset(), a(inp), inp.offset(), a(weight), weight.offset(), a(mean), mean.offset(),
        a(rstd), rstd.offset(), N, C);
  }

  // ---------------------------------------------------------------- matmul

  @Override
  public void matmulForward(Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC) {
    OpChecks.matmulForward(out, inp, weight, bias, N, C, OC);
    ReferenceKernels.matmulForward(a(out), out.offset(), a(inp), inp.offset(), a(weight), weight.offset(),
        a(bias), off(bias), N, C, OC);
  }

  @Override
  public void matmulBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight, int N,
      int C, int OC) {
    OpChecks.matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
    ReferenceKernels.matmulBackward(a(dinp), off(dinp), a(dweight), dweight.offset(), a(dbias), off(dbias),
        a(dout), dout.offset(), a(inp), inp.offset(), a(weight), weight.offset(), N, C, OC);
  }

  // ---------------------------------------------------------------- attention

  @Override
  public void attentionForward(Slice out, Slice att, Slice qkv, int B, int T, int C, int NH) {
    OpChecks.attentionForward(out, att, qkv, B, T, C, NH);
    ReferenceKernels.attentionForward(a(out), out.offset(), a(att), att.offset(), a(qkv), qkv.offset(),
        B, T, C, NH);
  }

  @Override
  public void attentionBackward(Slice dqkv, Slice dout, Slice qkv, Slice att, int B, int T, int C, int NH) {
    OpChecks.attentionBackward(dqkv, dout, qkv, att, B, T, C, NH);
    ReferenceKernels.attentionBackward(a(dqkv), dqkv.offset(), a(dout), dout.offset(), a(qkv), qkv.offset(),
        a(att), att.offset(), B, T, C, NH);
  }

  @Override
  public void attentionDecode(Slice out, Slice att, Slice qkv, Slice kcache, Slice vcache, IntBuf pos, int maxT,
      int C, int NH) {
    OpChecks.attentionDecode(out, att, qkv, kcache, vcache, pos, maxT, C, NH);
    OpChecks.position("attentionDecode", HeapIntBuf.array(pos)[0], maxT);
    ReferenceKernels.attentionDecode(a(out), out.offset(), a(att), att.offset(), a(qkv), qkv.offset(),
        a(kcache), kcache.offset(), a(vcache), vcache.offset(), HeapIntBuf.array(pos), 0, maxT, C, NH);
  }

  // ---------------------------------------------------------------- elementwise

  @Override
  public void geluForward(Slice out, Slice inp, int N) {
    OpChecks.elementwise("geluForward", N, out, inp);
    ReferenceKernels.geluForward(a(out), out.offset(), a(inp), inp.offset(), N);
  }

  @Override
  public void geluBackward(Slice dinp, Slice inp, Slice dout, int N) {
    OpChecks.elementwise("geluBackward", N, dinp, inp, dout);
    ReferenceKernels.geluBackward(a(dinp), dinp.offset(), a(inp), inp.offset(), a(dout), dout.offset(), N);
  }

  @Override
  public void residualForward(Slice out, Slice a, Slice b, int N) {
    OpChecks.elementwise("residualForward", N, out, a, b);
    ReferenceKernels.residualForward(a(out), out.offset(), a(a), a.offset(), a(b), b.offset(), N);
  }

  @Override
  public void accumulate(Slice dst, Slice src, int N) {
    OpChecks.elementwise("accumulate", N, dst, src);
    ReferenceKernels.accumulate(a(dst), dst.offset(), a(src), src.offset(), N);
  }

  @Override
  public void dropoutForward(Slice out, Slice inp, Slice scalars, float p, long seed, int stream, int N) {
    OpChecks.dropout("dropoutForward", scalars, p, N, out, inp);
    ReferenceKernels.dropoutForward(a(out), out.offset(), a(inp), inp.offset(), p, seed, rngStep(scalars), stream,
        N);
  }

  @Override
  public void dropoutBackward(Slice dinp, Slice dout, Slice scalars, float p, long seed, int stream, int N) {
    OpChecks.dropout("dropoutBackward", scalars, p, N, dinp, dout);
    ReferenceKernels.dropoutBackward(a(dinp), dinp.offset(), a(dout), dout.offset(), p, seed, rngStep(scalars),
        stream, N);
  }

  // ---------------------------------------------------------------- softmax and loss

  @Override
  public void softmaxForward(Slice probs, Slice logits, int N, int V, int Vp) {
    OpChecks.softmaxRows("softmaxForward", probs, N, V, Vp);
    OpChecks.softmaxRows("softmaxForward", logits, N, V, Vp);
    ReferenceKernels.softmaxForward(a(probs), probs.offset(), a(logits), logits.offset(), N, V, Vp);
  }

  @Override
  public void crossEntropyForwardBackward(Slice losses, Slice logits, IntBuf targets, float dlossScale, int N,
      int V, int Vp) {
    OpChecks.crossEntropy("crossEntropyForwardBackward", losses, logits, targets, N, V, Vp);
    OpChecks.targets("crossEntropyForwardBackward", HeapIntBuf.array(targets), N, V);
    ReferenceKernels.crossEntropyForwardBackward(a(losses), losses.offset(), a(logits), logits.offset(),
        HeapIntBuf.array(targets), 0, dlossScale, N, V, Vp);
  }

  @Override
  public void crossEntropyForward(Slice losses, Slice logits, IntBuf targets, int N, int V, int Vp) {
    OpChecks.crossEntropy("crossEntropyForward", losses, logits, targets, N, V, Vp);
    OpChecks.targets("crossEntropyForward", HeapIntBuf.array(targets), N, V);
    ReferenceKernels.crossEntropyForward(a(losses), losses.offset(), a(logits), logits.offset(),
        HeapIntBuf.array(targets), 0, N, V, Vp);
  }

  // ---------------------------------------------------------------- optimizer

  @Override
  public void globalNormSquared(Slice scalars, Slice grads, int N) {
    OpChecks.globalNormSquared(scalars, grads, N);
    a(scalars)[scalars.offset() + StepScalars.GRAD_NORM_SQ] =
        (float) ReferenceKernels.sumOfSquares(a(grads), grads.offset(), N);
  }

  @Override
  public void adamw(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1, float beta2,
      float eps, float weightDecay, int N) {
    OpChecks.adamw(params, grads, m, v, scalars, N);
    float[] s = a(scalars);
    int so = scalars.offset();
    float clip = ReferenceKernels.clipFactor(s[so + StepScalars.GRAD_NORM_SQ], s[so + StepScalars.MAX_GRAD_NORM]);
    ReferenceKernels.adamw(a(params), params.offset(), a(grads), grads.offset(), a(m), m.offset(), a(v), v.offset(),
        s[so + StepScalars.LR], s[so + StepScalars.ADAM_T], clip, beta1, beta2, eps, weightDecay, N);
  }
}

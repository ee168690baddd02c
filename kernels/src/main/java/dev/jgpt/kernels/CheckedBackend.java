package dev.jgpt.kernels;

/**
 * Any backend with every op's arguments checked first: the one place where {@link OpChecks}
 * is called. {@link Backends#open} wraps every backend it hands out, so the reference, CPU and
 * TornadoVM backends only compute; a wrong shape, a token id outside the vocabulary or a
 * position past the context fails here with one clear line instead of reading a neighbouring
 * tensor on whatever backend runs.
 *
 * <p>The checks run on every op call, inside training steps, and allocate nothing (see
 * {@link OpChecks}); token, target and position values are read with
 * {@link IntBuf#hostValue}, so checking needs no device read and a captured step stays
 * capture-safe.
 */
public final class CheckedBackend implements Backend {
  private final Backend inner;

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

  // ---------------------------------------------------------------- buffers and copies

  @Override
  public FloatBuf allocFloat(String name, int size) {
    return inner.allocFloat(name, size);
  }

  @Override
  public IntBuf allocInt(String name, int size) {
    return inner.allocInt(name, size);
  }

  @Override
  public void write(FloatBuf dst, int dstOffset, float[] src, int srcOffset, int len) {
    OpChecks.hostRange(dst.size(), dstOffset, src.length, srcOffset, len);
    inner.write(dst, dstOffset, src, srcOffset, len);
  }

  @Override
  public void read(FloatBuf src, int srcOffset, float[] dst, int dstOffset, int len) {
    OpChecks.hostRange(src.size(), srcOffset, dst.length, dstOffset, len);
    inner.read(src, srcOffset, dst, dstOffset, len);
  }

  @Override
  public void write(IntBuf dst, int dstOffset, int[] src, int srcOffset, int len) {
    OpChecks.hostRange(dst.size(), dstOffset, src.length, srcOffset, len);
    inner.write(dst, dstOffset, src, srcOffset, len);
  }

  @Override
  public void read(IntBuf src, int srcOffset, int[] dst, int dstOffset, int len) {
    OpChecks.hostRange(src.size(), srcOffset, dst.length, dstOffset, len);
    inner.read(src, srcOffset, dst, dstOffset, len);
  }

  @Override
  public void copy(Slice dst, Slice src) {
    OpChecks.copy(dst, src);
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
    OpChecks.encoderForward(out, inp, wte, wpe, B, T, C);
    OpChecks.tokens("encoderForward", inp, B * T, wte.length() / C);
    inner.encoderForward(out, inp, wte, wpe, B, T, C);
  }

  @Override
  public void encoderBackward(Slice dwte, Slice dwpe, Slice dout, IntBuf inp, int B, int T, int C, int V) {
    OpChecks.encoderBackward(dwte, dwpe, dout, inp, B, T, C, V);
    OpChecks.tokens("encoderBackward", inp, B * T, V);
    inner.encoderBackward(dwte, dwpe, dout, inp, B, T, C, V);
  }

  @Override
  public void encoderDecode(Slice out, IntBuf token, IntBuf pos, Slice wte, Slice wpe, int C) {
    OpChecks.encoderDecode(out, token, pos, wte, wpe, C);
    OpChecks.token("encoderDecode", token.hostValue(0), wte.length() / C, 0);
    OpChecks.position("encoderDecode", pos.hostValue(0), wpe.length() / C);
    inner.encoderDecode(out, token, pos, wte, wpe, C);
  }

  // ---------------------------------------------------------------- layer norm

  @Override
  public void layernormForward(Slice out, Slice mean, Slice rstd, Slice inp, Slice weight, Slice bias, int N,
      int C) {
    OpChecks.layernormForward(out, mean, rstd, inp, weight, bias, N, C);
    inner.layernormForward(out, mean, rstd, inp, weight, bias, N, C);
  }

  @Override
  public void layernormBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight,
      Slice mean, Slice rstd, int N, int C) {
    OpChecks.layernormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
    inner.layernormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
  }

  // ---------------------------------------------------------------- matmul

  @Override
  public void matmulForward(Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC) {
    OpChecks.matmulForward(out, inp, weight, bias, N, C, OC);
    inner.matmulForward(out, inp, weight, bias, N, C, OC);
  }

  @Override
  public void matmulBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight, int N,
      int C, int OC) {
    OpChecks.matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
    inner.matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
  }

  // ---------------------------------------------------------------- attention

  @Override
  public void attentionForward(Slice out, Slice att, Slice qkv, int B, int T, int C, int NH) {
    OpChecks.attentionForward(out, att, qkv, B, T, C, NH);
    inner.attentionForward(out, att, qkv, B, T, C, NH);
  }

  @Override
  public void attentionBackward(Slice dqkv, Slice dout, Slice qkv, Slice att, int B, int T, int C, int NH) {
    OpChecks.attentionBackward(dqkv, dout, qkv, att, B, T, C, NH);
    inner.attentionBackward(dqkv, dout, qkv, att, B, T, C, NH);
  }

  @Override
  public void attentionDecode(Slice out, Slice att, Slice qkv, Slice kcache, Slice vcache, IntBuf pos, int maxT,
      int C, int NH) {
    OpChecks.attentionDecode(out, att, qkv, kcache, vcache, pos, maxT, C, NH);
    OpChecks.position("attentionDecode", pos.hostValue(0), maxT);
    inner.attentionDecode(out, att, qkv, kcache, vcache, pos, maxT, C, NH);
  }

  // ---------------------------------------------------------------- elementwise

  @Override
  public void geluForward(Slice out, Slice inp, int N) {
    OpChecks.elementwise("geluForward", N, out, inp);
    inner.geluForward(out, inp, N);
  }

  @Override
  public void geluBackward(Slice dinp, Slice inp, Slice dout, int N) {
    OpChecks.elementwise("geluBackward", N, dinp, inp, dout);
    inner.geluBackward(dinp, inp, dout, N);
  }

  @Override
  public void residualForward(Slice out, Slice a, Slice b, int N) {
    OpChecks.elementwise("residualForward", N, out, a, b);
    inner.residualForward(out, a, b, N);
  }

  @Override
  public void accumulate(Slice dst, Slice src, int N) {
    OpChecks.elementwise("accumulate", N, dst, src);
    inner.accumulate(dst, src, N);
  }

  @Override
  public void dropoutForward(Slice out, Slice inp, Slice scalars, float p, long seed, int stream, int N) {
    OpChecks.dropout("dropoutForward", scalars, p, N, out, inp);
    inner.dropoutForward(out, inp, scalars, p, seed, stream, N);
  }

  @Override
  public void dropoutBackward(Slice dinp, Slice dout, Slice scalars, float p, long seed, int stream, int N) {
    OpChecks.dropout("dropoutBackward", scalars, p, N, dinp, dout);
    inner.dropoutBackward(dinp, dout, scalars, p, seed, stream, N);
  }

  // ---------------------------------------------------------------- softmax and loss

  @Override
  public void softmaxForward(Slice probs, Slice logits, int N, int V, int Vp) {
    OpChecks.softmaxRows("softmaxForward", probs, N, V, Vp);
    OpChecks.softmaxRows("softmaxForward", logits, N, V, Vp);
    inner.softmaxForward(probs, logits, N, V, Vp);
  }

  @Override
  public void crossEntropyForwardBackward(Slice losses, Slice logits, IntBuf targets, float dlossScale, int N,
      int V, int Vp) {
    OpChecks.crossEntropy("crossEntropyForwardBackward", losses, logits, targets, N, V, Vp);
    OpChecks.targets("crossEntropyForwardBackward", targets, N, V);
    inner.crossEntropyForwardBackward(losses, logits, targets, dlossScale, N, V, Vp);
  }

  @Override
  public void crossEntropyForward(Slice losses, Slice logits, IntBuf targets, int N, int V, int Vp) {
    OpChecks.crossEntropy("crossEntropyForward", losses, logits, targets, N, V, Vp);
    OpChecks.targets("crossEntropyForward", targets, N, V);
    inner.crossEntropyForward(losses, logits, targets, N, V, Vp);
  }

  // ---------------------------------------------------------------- optimizer

  @Override
  public void globalNormSquared(Slice scalars, Slice grads, int N) {
    OpChecks.globalNormSquared(scalars, grads, N);
    inner.globalNormSquared(scalars, grads, N);
  }

  @Override
  public void adamw(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1, float beta2,
      float eps, float weightDecay, int N) {
    OpChecks.adamw(params, grads, m, v, scalars, N);
    inner.adamw(params, grads, m, v, scalars, beta1, beta2, eps, weightDecay, N);
  }
}

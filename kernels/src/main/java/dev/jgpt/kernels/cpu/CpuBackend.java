package dev.jgpt.kernels.cpu;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Bf16;
import dev.jgpt.kernels.CounterRng;
import dev.jgpt.kernels.HeapBackend;
import dev.jgpt.kernels.HeapFloatBuf;
import dev.jgpt.kernels.HeapIntBuf;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.ReferenceKernels;
import dev.jgpt.kernels.Slice;
import dev.jgpt.kernels.StepScalars;
import java.util.function.BooleanSupplier;

/**
 * The fast CPU backend: heap buffers, Vector API kernels (the preferred species, FMA, scalar
 * tails) and a persistent pool of worker threads, every op split so that each output element
 * has one writer. Scratch (packed matmul operands, attention transposes) grows on the first
 * call with a new shape and is reused after, so steady-state steps allocate nothing.
 *
 * <p>Every op begins with {@code pool.beginOp()}: on a backend that takes help (a share, see
 * {@link #coreShares}) that is where its ops start or stop splitting one part more for a helper,
 * never inside an op.
 *
 * <p>The ops run unchecked: get the backend from {@link dev.jgpt.kernels.Backends#open}, which
 * wraps it in {@link dev.jgpt.kernels.CheckedBackend} (a wrong shape here reads a neighbouring
 * tensor or throws an index error).
 */
public final class CpuBackend extends HeapBackend {
  private final WorkerPool pool;
  private final CpuMatmul matmul;
  private final Bf16Gemv bf16Gemv;
  private final CpuAttention attention;
  private final CpuDecodeAttention decodeAttention;
  private final CpuOptimizer optimizer;
  private final CpuPointwise pointwise;
  private final CpuSoftmax softmax;
  private final CpuLayernorm layernorm;
  private final CpuEncoder encoder;
  /** The backends {@link #coreShares} gave, made on first use; null before. */
  private Backend[] shares;
  /** The works of the running {@link #runTogether}, one per part; null between calls. */
  private Runnable[] togetherWork;
  private final WorkerPool.Task runWork = (w, ws) -> togetherWork[w].run();

  /** A backend with {@code threads} worker threads (the calling thread is one of them). */
  public CpuBackend(int threads) {
    this(threads, false);
  }

  /** A backend of {@code threads} threads whose ops take help from another thread ({@link #helpUntil}) where {@code helped}. */
  private CpuBackend(int threads, boolean helped) {
    if (threads < 1) throw new IllegalArgumentException("CPU backend needs at least 1 thread, got " + threads);
    this.pool = new WorkerPool(threads, helped);
    this.matmul = new CpuMatmul(pool);
    this.bf16Gemv = new Bf16Gemv(pool);
    this.attention = new CpuAttention(pool);
    this.decodeAttention = new CpuDecodeAttention(pool);
    this.optimizer = new CpuOptimizer(pool);
    this.pointwise = new CpuPointwise(pool);
    this.softmax = new CpuSoftmax(pool);
    this.layernorm = new CpuLayernorm(pool);
    this.encoder = new CpuEncoder(pool);
  }

  /** A backend using every available processor. */
  public CpuBackend() {
    this(Runtime.getRuntime().availableProcessors());
  }

  public int threads() {
    return pool.threads();
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public String description() {
    return "CPU, " + pool.threads() + (pool.threads() == 1 ? " thread, " : " threads, ") + Vec.S.vectorBitSize()
        + "-bit vectors (" + Vec.L + " floats, " + VectorRegisters.COUNT + " registers)";
  }

  /**
   * The packed matmul operands, the per-worker attention scratch and the layer norm's partial
   * gradient sums that the ops of a GPT step grow to: the block's matmuls C -> 3C, C -> C,
   * C -> 4C, 4C -> C and the tied head C -> Vp.
   */
  @Override
  public long trainingScratchBytes(int B, int T, int C, int NH, int Vp) {
    long floats = CpuMatmul.scratchFloats(B * T, pool.threads(), pool.capacity(), new int[] {C, 3 * C},
        new int[] {C, C}, new int[] {C, 4 * C}, new int[] {4 * C, C}, new int[] {C, Vp})
        + attention.scratchFloats(T, C / NH) + CpuLayernorm.scratchFloats(B * T, C);
    return floats * Float.BYTES;
  }

  // ---------------------------------------------------------------- buffers and copies

  @Override
  public void copy(Slice dst, Slice src) {
    pool.beginOp();
    pointwise.copy(a(dst), dst.offset(), a(src), src.offset(), dst.length());
  }

  @Override
  public void zero(Slice x) {
    pool.beginOp();
    pointwise.zero(a(x), x.offset(), x.length());
  }

  @Override
  public void close() {
    closeShares();
    pool.close();
  }

  /**
   * n CPU backends sharing this one's threads (threads / n each, the first threads % n one more;
   * the calling thread of each is one of them): a backend of its own per shard, whose ops keep
   * their scratch and argument records apart, and which take help from a shard that has finished
   * ({@link #helpUntil}): a share with a thread more finishes first, then helps the others. The
   * buffers are Java arrays, so any CPU backend reads another's. With fewer threads than n, this
   * backend n times.
   */
  @Override
  public synchronized Backend[] coreShares(int n) {
    if (n < 1) throw new IllegalArgumentException("coreShares needs at least 1 share, got " + n);
    if (shares == null || shares.length != n) {
      closeShares();
      shares = new Backend[n];
      int t = pool.threads();
      for (int i = 0; i < n; i++) shares[i] = t < n ? this : new CpuBackend(t / n + (i < t % n ? 1 : 0), true);
    }
    return shares.clone();
  }

  /** Runs parts of this share's ops on the calling thread until {@code done}; at once on a backend that is not a share. */
  @Override
  public void helpUntil(BooleanSupplier done) {
    pool.help(done);
  }

  /**
   * Each work on a thread of this backend's pool, the caller's first: the pool's worker that runs
   * the second shard between the optimizer's ops stays hot for both (a thread of its own for the
   * shard would sleep through the optimizer and wake late for the next step's pass). With fewer
   * threads than works, one after another.
   */
  @Override
  public void runTogether(Runnable... work) {
    if (work.length > pool.threads()) {
      for (Runnable w : work) w.run();
      return;
    }
    togetherWork = work;
    try {
      pool.runEach(work.length, runWork);
    } finally {
      togetherWork = null;
    }
  }

  private void closeShares() {
    if (shares == null) return;
    for (Backend b : shares) {
      if (b != this) b.close();
    }
    shares = null;
  }

  // ---------------------------------------------------------------- embeddings

  @Override
  public void encoderForward(Slice out, IntBuf inp, Slice wte, Slice wpe, int B, int T, int C) {
    pool.beginOp();
    encoder.forward(a(out), out.offset(), HeapIntBuf.array(inp), a(wte), wte.offset(), a(wpe), wpe.offset(), B, T, C);
  }

  @Override
  public void encoderBackward(Slice dwte, Slice dwpe, Slice dout, IntBuf inp, int B, int T, int C, int V) {
    pool.beginOp();
    encoder.backward(a(dwte), dwte.offset(), a(dwpe), dwpe.offset(), a(dout), dout.offset(), HeapIntBuf.array(inp),
        B, T, C, V);
  }

  @Override
  public void encoderDecode(Slice out, IntBuf token, IntBuf pos, Slice wte, Slice wpe, int C) {
    int tk = HeapIntBuf.array(token)[0], p = HeapIntBuf.array(pos)[0];
    CpuEncoder.addRows(a(out), out.offset(), a(wte), wte.offset() + tk * C, a(wpe), wpe.offset() + p * C, C);
  }

  // ---------------------------------------------------------------- layer norm

  @Override
  public void layernormForward(Slice out, Slice mean, Slice rstd, Slice inp, Slice weight, Slice bias, int N,
      int C) {
    pool.beginOp();
    layernorm.forward(a(out), out.offset(), a(mean), mean.offset(), a(rstd), rstd.offset(), a(inp),
        inp.offset(), a(weight), weight.offset(), a(bias), off(bias), N, C);
  }

  @Override
  public void layernormBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight,
      Slice mean, Slice rstd, int N, int C) {
    pool.beginOp();
    layernorm.backward(a(dinp), dinp.offset(), a(dweight), dweight.offset(), a(dbias), off(dbias),
        a(dout), dout.offset(), a(inp), inp.offset(), a(weight), weight.offset(), a(mean), mean.offset(),
        a(rstd), rstd.offset(), N, C);
  }

  // ---------------------------------------------------------------- matmul

  @Override
  public void matmulForward(Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC) {
    pool.beginOp();
    matmul.forward(a(out), out.offset(), a(inp), inp.offset(), a(weight), weight.offset(), a(bias), off(bias),
        N, C, OC);
  }

  /** GELU on each block of rows of pre as the blocked product finishes it. */
  @Override
  public void matmulForwardGelu(Slice pre, Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC) {
    forwardThen(GemmEpilogue.GELU, pre, out, inp, weight, bias, N, C, OC);
  }

  /**
   * c (N,OC) = inp (N,C) @ weight (OC,C)^T + bias, with the epilogue (x (N,OC) its other operand)
   * on each block of rows as the blocked product finishes it; a few rows (decode) take the gemv
   * path, and the epilogue runs after it over all of them.
   */
  private void forwardThen(GemmEpilogue epilogue, Slice c, Slice x, Slice inp, Slice weight, Slice bias, int N, int C,
      int OC) {
    pool.beginOp();
    if (N <= CpuMatmul.GEMV_MAX_ROWS) {
      matmulForward(c, inp, weight, bias, N, C, OC);
      epilogue.apply(a(c), c.offset(), a(x), x.offset(), N * OC, 1, N * OC);
      return;
    }
    matmul.forward(a(c), c.offset(), a(inp), inp.offset(), a(weight), weight.offset(), a(bias), off(bias), N, C, OC,
        epilogue, a(x), x.offset());
  }

  /** The product dout @ weight goes straight into dpre, each block of rows times GELU'(pre) as it is finished: dinp is not written. */
  @Override
  public void matmulBackwardGelu(Slice dpre, Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp,
      Slice weight, Slice pre, int N, int C, int OC) {
    pool.beginOp();
    matmul.backward(a(dpre), dpre.offset(), a(dweight), dweight.offset(), a(dbias), off(dbias), a(dout),
        dout.offset(), a(inp), inp.offset(), a(weight), weight.offset(), N, C, OC, GemmEpilogue.GELU_GRADIENT, a(pre),
        pre.offset());
  }

  @Override
  public boolean keepsGeluSlope() {
    return true;
  }

  /** As matmulForwardGelu, each block of rows leaving the slope in place of the product (GeluRows). */
  @Override
  public void matmulForwardGeluSlope(Slice slope, Slice out, Slice inp, Slice weight, Slice bias, int N, int C,
      int OC) {
    forwardThen(GemmEpilogue.GELU_KEEPING_SLOPE, slope, out, inp, weight, bias, N, C, OC);
  }

  /** As matmulBackwardGelu, each finished block of rows of the product times the kept slope. */
  @Override
  public void matmulBackwardGeluSlope(Slice dpre, Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp,
      Slice weight, Slice slope, int N, int C, int OC) {
    pool.beginOp();
    matmul.backward(a(dpre), dpre.offset(), a(dweight), dweight.offset(), a(dbias), off(dbias), a(dout),
        dout.offset(), a(inp), inp.offset(), a(weight), weight.offset(), N, C, OC, GemmEpilogue.SLOPE_PRODUCT,
        a(slope), slope.offset());
  }

  @Override
  public boolean supportsBf16Weights() {
    return true;
  }

  @Override
  public void matmulForwardBf16(Slice out, Slice inp, IntBuf weight, Slice bias, int N, int C, int OC) {
    pool.beginOp();
    bf16Gemv.forward(a(out), out.offset(), a(inp), inp.offset(), HeapIntBuf.array(weight), a(bias), off(bias), N, C,
        OC);
  }

  @Override
  public void matmulBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight, int N,
      int C, int OC) {
    pool.beginOp();
    matmul.backward(a(dinp), off(dinp), a(dweight), dweight.offset(), a(dbias), off(dbias), a(dout), dout.offset(),
        a(inp), inp.offset(), a(weight), weight.offset(), N, C, OC);
  }

  // ---------------------------------------------------------------- attention

  @Override
  public void attentionForward(Slice out, Slice att, Slice qkv, int B, int T, int C, int NH) {
    pool.beginOp();
    attention.forward(a(out), out.offset(), a(att), att.offset(), a(qkv), qkv.offset(), B, T, C, NH);
  }

  @Override
  public void attentionBackward(Slice dqkv, Slice dout, Slice qkv, Slice att, int B, int T, int C, int NH) {
    pool.beginOp();
    attention.backward(a(dqkv), dqkv.offset(), a(dout), dout.offset(), a(qkv), qkv.offset(), a(att), att.offset(),
        B, T, C, NH);
  }

  @Override
  public void attentionDecode(Slice out, Slice att, Slice qkv, Slice kcache, Slice vcache, IntBuf pos, int maxT,
      int C, int NH) {
    pool.beginOp();
    decodeAttention.decode(a(out), out.offset(), a(att), att.offset(), a(qkv), qkv.offset(), a(kcache), kcache.offset(),
        a(vcache), vcache.offset(), HeapIntBuf.array(pos)[0], maxT, C, NH);
  }

  @Override
  public boolean supportsBf16KvCache() {
    return true;
  }

  @Override
  public void packBf16(IntBuf dst, int dstOffset, Slice src, int n) {
    Bf16.packRow(a(src), src.offset(), n, HeapIntBuf.array(dst), dstOffset);
  }

  @Override
  public void attentionDecodeBf16(Slice out, Slice att, Slice qkv, IntBuf kcache, IntBuf vcache, IntBuf pos, int maxT,
      int C, int NH) {
    pool.beginOp();
    decodeAttention.decodeBf16(a(out), out.offset(), a(att), att.offset(), a(qkv), qkv.offset(), HeapIntBuf.array(kcache),
        HeapIntBuf.array(vcache), HeapIntBuf.array(pos)[0], maxT, C, NH);
  }

  // ---------------------------------------------------------------- elementwise

  @Override
  public void geluForward(Slice out, Slice inp, int N) {
    pool.beginOp();
    pointwise.geluForward(a(out), out.offset(), a(inp), inp.offset(), N);
  }

  @Override
  public void geluBackward(Slice dinp, Slice inp, Slice dout, int N) {
    pool.beginOp();
    pointwise.geluBackward(a(dinp), dinp.offset(), a(inp), inp.offset(), a(dout), dout.offset(), N);
  }

  @Override
  public void residualForward(Slice out, Slice a, Slice b, int N) {
    pool.beginOp();
    pointwise.residual(a(out), out.offset(), a(a), a.offset(), a(b), b.offset(), N);
  }

  @Override
  public void accumulate(Slice dst, Slice src, int N) {
    pool.beginOp();
    pointwise.accumulate(a(dst), dst.offset(), a(src), src.offset(), N);
  }

  @Override
  public void accumulateAndClear(Slice dst, Slice src, int N) {
    pool.beginOp();
    pointwise.accumulateAndClear(a(dst), dst.offset(), a(src), src.offset(), N);
  }

  @Override
  public void dropoutForward(Slice out, Slice inp, Slice scalars, float p, long seed, int stream, int N) {
    pool.beginOp();
    long key = CounterRng.key(seed, rngStep(scalars), stream);
    pointwise.dropoutForward(a(out), out.offset(), a(inp), inp.offset(), p, key, N);
  }

  @Override
  public void dropoutBackward(Slice dinp, Slice dout, Slice scalars, float p, long seed, int stream, int N) {
    pool.beginOp();
    long key = CounterRng.key(seed, rngStep(scalars), stream);
    pointwise.dropoutBackward(a(dinp), dinp.offset(), a(dout), dout.offset(), p, key, N);
  }

  // ---------------------------------------------------------------- softmax and loss

  @Override
  public void softmaxForward(Slice probs, Slice logits, int N, int V, int Vp) {
    pool.beginOp();
    softmax.softmax(a(probs), probs.offset(), a(logits), logits.offset(), N, V, Vp);
  }

  @Override
  public void crossEntropyForwardBackward(Slice losses, Slice logits, IntBuf targets, float dlossScale, int N,
      int V, int Vp) {
    pool.beginOp();
    softmax.crossEntropyForwardBackward(a(losses), losses.offset(), a(logits), logits.offset(), HeapIntBuf.array(targets),
        dlossScale, N, V, Vp);
  }

  @Override
  public void crossEntropyForward(Slice losses, Slice logits, IntBuf targets, int N, int V, int Vp) {
    pool.beginOp();
    softmax.crossEntropyForward(a(losses), losses.offset(), a(logits), logits.offset(), HeapIntBuf.array(targets), N,
        V, Vp);
  }

  // ---------------------------------------------------------------- optimizer

  @Override
  public void globalNormSquared(Slice scalars, Slice grads, int N) {
    pool.beginOp();
    a(scalars)[scalars.offset() + StepScalars.GRAD_NORM_SQ] = (float) optimizer.sumOfSquares(a(grads), grads.offset(), N);
  }

  @Override
  public void adamw(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1, float beta2,
      float eps, float weightDecay, int N) {
    adamw(params, grads, m, v, scalars, beta1, beta2, eps, weightDecay, N, false);
  }

  /** AdamW clearing each gradient in the pass that reads it: one pass over the gradients fewer. */
  @Override
  public void adamwAndClearGrads(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1,
      float beta2, float eps, float weightDecay, int N) {
    adamw(params, grads, m, v, scalars, beta1, beta2, eps, weightDecay, N, true);
  }

  private void adamw(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1, float beta2, float eps,
      float weightDecay, int N, boolean clearGrads) {
    pool.beginOp();
    float[] s = a(scalars);
    int so = scalars.offset();
    float clip = ReferenceKernels.clipFactor(s[so + StepScalars.GRAD_NORM_SQ], s[so + StepScalars.MAX_GRAD_NORM]);
    optimizer.adamw(a(params), params.offset(), a(grads), grads.offset(), a(m), m.offset(), a(v), v.offset(),
        s[so + StepScalars.LR], s[so + StepScalars.ADAM_T], clip, beta1, beta2, eps, weightDecay, N, clearGrads);
  }
}

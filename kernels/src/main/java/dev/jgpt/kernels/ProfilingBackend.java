package dev.jgpt.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A {@link Backend} that runs every op on another backend and adds up the wall time of each
 * kind of op (System.nanoTime around the call), with call counts and, for matmuls, the FLOPs:
 * where a training or generation step spends its time, op by op.
 *
 * <p>The times are those of the calls as the caller sees them. That is the op's own time on a
 * backend that runs each op when called (cpu, reference); a capturing backend (tornado) does
 * its work at {@link #endStep}, so there the time lands under {@link Op#STEP_MARKERS}.
 * Buffers, slices and step names pass through unchanged, so a model cannot tell the
 * difference. Counts are kept in plain arrays: call the ops from one thread, as models do.
 * The timing itself costs two nanoTime calls per op (tens of ns), negligible beside kernels
 * of microseconds and more.
 */
public final class ProfilingBackend implements Backend {

  /** The kinds of op a profile tells apart: one row each in a breakdown, in this order. */
  public enum Op {
    ENCODER_FORWARD("encoder forward"),
    ENCODER_BACKWARD("encoder backward"),
    LAYERNORM_FORWARD("layernorm forward"),
    LAYERNORM_BACKWARD("layernorm backward"),
    MATMUL_FORWARD("matmul forward"),
    MATMUL_BACKWARD("matmul backward"),
    MATMUL_FORWARD_GELU("matmul forward + gelu"),
    MATMUL_BACKWARD_GELU("matmul backward + gelu"),
    ATTENTION_FORWARD("attention forward"),
    ATTENTION_BACKWARD("attention backward"),
    GELU_FORWARD("gelu forward"),
    GELU_BACKWARD("gelu backward"),
    RESIDUAL_FORWARD("residual forward"),
    ACCUMULATE("accumulate"),
    DROPOUT_FORWARD("dropout forward"),
    DROPOUT_BACKWARD("dropout backward"),
    SOFTMAX("softmax"),
    CROSSENTROPY("softmax + crossentropy"),
    GRAD_NORM("gradient norm"),
    ADAMW("adamw"),
    ZERO("zero"),
    COPY("copy"),
    HOST_TRANSFER("host <-> backend copies"),
    DECODE("decode ops (encoder, attention)"),
    STEP_MARKERS("step begin/end");

    private final String label;

    Op(String label) {
      this.label = label;
    }

    /** The row name in a printed breakdown, e.g. "matmul backward". */
    public String label() {
      return label;
    }
  }

  /** One kind of op's totals since the last {@link #reset}: calls, nanoseconds, FLOPs (matmuls only, else 0). */
  public record OpTotal(Op op, long calls, long nanos, double flops) {}

  /**
   * One matmul shape's totals since the last {@link #reset}: the op (forward, backward, either with
   * GELU) over inp (N,C) -> out (N,OC), its calls, nanoseconds and FLOPs. Where a step loses
   * against the same shapes timed alone.
   */
  public record MatmulShapeTotal(Op op, int N, int C, int OC, long calls, long nanos, double flops) {}

  /** Distinct matmul shapes kept apart; more (a model of many shapes) add up in the op rows only. */
  private static final int MAX_SHAPES = 64;

  private final Backend delegate;
  private final int[] shapeKeys = new int[4 * MAX_SHAPES]; // (shapes, 4): op ordinal, N, C, OC of each shape seen
  private final double[] shapeCallFlops = new double[MAX_SHAPES]; // (shapes) FLOPs of one call (backward: with dinp or not)
  private final long[] shapeNanos = new long[MAX_SHAPES], shapeCalls = new long[MAX_SHAPES]; // (shapes)
  private int shapeCount;
  private final long[] nanos = new long[Op.values().length]; // (ops) summed wall time per kind
  private final long[] calls = new long[Op.values().length]; // (ops) calls per kind
  private final double[] flops = new double[Op.values().length]; // (ops) floating-point operations per kind
  /** Profilers of the delegate's {@link #coreShares}, whose ops run at the same time on their own cores. */
  private final List<ProfilingBackend> shareProfilers = new ArrayList<>();

  /** Profiles {@code delegate}; closing this closes it. */
  public ProfilingBackend(Backend delegate) {
    if (delegate == null) throw new IllegalArgumentException("nothing to profile: the backend is null");
    this.delegate = delegate;
  }

  /** The backend that runs the ops. */
  public Backend delegate() {
    return delegate;
  }

  /** Forgets all totals (e.g. after warm-up steps). */
  public void reset() {
    for (ProfilingBackend share : shareProfilers) share.reset();
    Arrays.fill(nanos, 0);
    Arrays.fill(calls, 0);
    Arrays.fill(flops, 0);
    Arrays.fill(shapeNanos, 0);
    Arrays.fill(shapeCalls, 0);
  }

  /**
   * Every matmul shape called since the last {@link #reset}, in the order first seen (a step's
   * order). With shares ({@link #coreShares}) their shapes follow, calls and FLOPs added up over
   * the shares and the time their mean (the shares run at once: the time the step spent on them).
   */
  public List<MatmulShapeTotal> matmulShapes() {
    List<MatmulShapeTotal> out = new ArrayList<>();
    for (int i = 0; i < shapeCount; i++) {
      if (shapeCalls[i] == 0) continue;
      out.add(new MatmulShapeTotal(Op.values()[shapeKeys[4 * i]], shapeKeys[4 * i + 1], shapeKeys[4 * i + 2],
          shapeKeys[4 * i + 3], shapeCalls[i], shapeNanos[i], shapeCalls[i] * shapeCallFlops[i]));
    }
    int k = shareProfilers.size();
    List<MatmulShapeTotal> shared = new ArrayList<>();
    for (ProfilingBackend share : shareProfilers) {
      for (MatmulShapeTotal t : share.matmulShapes()) {
        int i = 0;
        while (i < shared.size() && !sameShape(shared.get(i), t)) i++;
        if (i == shared.size()) {
          shared.add(new MatmulShapeTotal(t.op(), t.N(), t.C(), t.OC(), t.calls(), t.nanos() / k, t.flops()));
        } else {
          MatmulShapeTotal s = shared.get(i);
          shared.set(i, new MatmulShapeTotal(s.op(), s.N(), s.C(), s.OC(), s.calls() + t.calls(), s.nanos() + t.nanos() / k,
              s.flops() + t.flops()));
        }
      }
    }
    out.addAll(shared);
    return out;
  }

  // one op over one shape, with the same FLOPs a call (a backward with or without dinp differ)
  private static boolean sameShape(MatmulShapeTotal a, MatmulShapeTotal b) {
    return a.op() == b.op() && a.N() == b.N() && a.C() == b.C() && a.OC() == b.OC()
        && a.flops() / a.calls() == b.flops() / b.calls();
  }

  /**
   * The totals since the last {@link #reset}, one per kind that was called, in {@link Op} order;
   * with shares ({@link #coreShares}), their calls and FLOPs added and the mean of their times.
   */
  public List<OpTotal> totals() {
    int k = shareProfilers.size();
    long[] allCalls = calls.clone(), allNanos = nanos.clone();
    double[] allFlops = flops.clone();
    for (ProfilingBackend share : shareProfilers) {
      for (OpTotal t : share.totals()) {
        int o = t.op().ordinal();
        allCalls[o] += t.calls();
        allNanos[o] += t.nanos() / k;
        allFlops[o] += t.flops();
      }
    }
    List<OpTotal> out = new ArrayList<>();
    for (Op op : Op.values()) {
      int o = op.ordinal();
      if (allCalls[o] > 0) out.add(new OpTotal(op, allCalls[o], allNanos[o], allFlops[o]));
    }
    return out;
  }

  /** Sum of all kinds' nanoseconds since the last {@link #reset} (shares: the mean of theirs, as {@link #totals}). */
  public long totalNanos() {
    long sum = 0;
    for (OpTotal t : totals()) sum += t.nanos();
    return sum;
  }

  private void add(Op op, long startNanos) {
    addElapsed(op, System.nanoTime() - startNanos);
  }

  private void addElapsed(Op op, long elapsed) {
    nanos[op.ordinal()] += elapsed;
    calls[op.ordinal()]++;
  }

  // a matmul: its kind's row, and its shape's (found by a linear search: a model has a handful)
  private void addMatmul(Op op, long startNanos, double opFlops, int N, int C, int OC) {
    long elapsed = System.nanoTime() - startNanos;
    addElapsed(op, elapsed);
    flops[op.ordinal()] += opFlops;
    int i = 0;
    while (i < shapeCount && !(shapeKeys[4 * i] == op.ordinal() && shapeKeys[4 * i + 1] == N
        && shapeKeys[4 * i + 2] == C && shapeKeys[4 * i + 3] == OC && shapeCallFlops[i] == opFlops)) {
      i++;
    }
    if (i == shapeCount) {
      if (shapeCount == MAX_SHAPES) return;
      shapeKeys[4 * i] = op.ordinal();
      shapeKeys[4 * i + 1] = N;
      shapeKeys[4 * i + 2] = C;
      shapeKeys[4 * i + 3] = OC;
      shapeCallFlops[i] = opFlops;
      shapeCount++;
    }
    shapeNanos[i] += elapsed;
    shapeCalls[i]++;
  }

  // ---------------------------------------------------------------- passed through untimed

  @Override
  public boolean buffersOnHeap() {
    return delegate.buffersOnHeap();
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public String description() {
    return delegate.description();
  }

  @Override
  public long trainingScratchBytes(int B, int T, int C, int NH, int Vp) {
    return delegate.trainingScratchBytes(B, T, C, NH, Vp);
  }

  @Override
  public long attentionStateSize(int B, int T, int C, int NH) {
    return delegate.attentionStateSize(B, T, C, NH);
  }

  @Override
  public FloatBuf allocFloat(String name, int size) {
    return delegate.allocFloat(name, size);
  }

  @Override
  public FloatBuf allocFloat(String name, int size, BufferKind kind) {
    return delegate.allocFloat(name, size, kind);
  }

  @Override
  public IntBuf allocInt(String name, int size) {
    return delegate.allocInt(name, size);
  }

  @Override
  public void close() {
    delegate.close();
  }

  /**
   * The delegate's shares, each profiled on its own (a share that is the delegate itself is this
   * profiler): {@link #totals} adds them in.
   */
  @Override
  public synchronized Backend[] coreShares(int n) {
    Backend[] shares = delegate.coreShares(n);
    if (shares == null) return null;
    Backend[] profiled = new Backend[shares.length];
    for (int i = 0; i < shares.length; i++) profiled[i] = shares[i] == delegate ? this : shareProfiler(shares[i]);
    return profiled;
  }

  /** Not an op: the helper's time shows in the ops of the share it helps. */
  @Override
  public void helpUntil(BooleanSupplier done) {
    delegate.helpUntil(done);
  }

  /** Not an op: the shares' profilers time the ops the works run. */
  @Override
  public void runTogether(Runnable... work) {
    delegate.runTogether(work);
  }

  private ProfilingBackend shareProfiler(Backend share) {
    for (ProfilingBackend p : shareProfilers) {
      if (p.delegate == share) return p;
    }
    ProfilingBackend p = new ProfilingBackend(share);
    shareProfilers.add(p);
    return p;
  }

  // ---------------------------------------------------------------- copies

  @Override
  public void write(FloatBuf dst, int dstOffset, float[] src, int srcOffset, int len) {
    long t0 = System.nanoTime();
    delegate.write(dst, dstOffset, src, srcOffset, len);
    add(Op.HOST_TRANSFER, t0);
  }

  @Override
  public void read(FloatBuf src, int srcOffset, float[] dst, int dstOffset, int len) {
    long t0 = System.nanoTime();
    delegate.read(src, srcOffset, dst, dstOffset, len);
    add(Op.HOST_TRANSFER, t0);
  }

  @Override
  public void write(IntBuf dst, int dstOffset, int[] src, int srcOffset, int len) {
    long t0 = System.nanoTime();
    delegate.write(dst, dstOffset, src, srcOffset, len);
    add(Op.HOST_TRANSFER, t0);
  }

  @Override
  public void read(IntBuf src, int srcOffset, int[] dst, int dstOffset, int len) {
    long t0 = System.nanoTime();
    delegate.read(src, srcOffset, dst, dstOffset, len);
    add(Op.HOST_TRANSFER, t0);
  }

  @Override
  public void copy(Slice dst, Slice src) {
    long t0 = System.nanoTime();
    delegate.copy(dst, src);
    add(Op.COPY, t0);
  }

  @Override
  public void zero(Slice x) {
    long t0 = System.nanoTime();
    delegate.zero(x);
    add(Op.ZERO, t0);
  }

  // ---------------------------------------------------------------- step capture

  @Override
  public void beginStep(String name) {
    long t0 = System.nanoTime();
    delegate.beginStep(name);
    add(Op.STEP_MARKERS, t0);
  }

  @Override
  public void endStep() {
    long t0 = System.nanoTime();
    delegate.endStep();
    add(Op.STEP_MARKERS, t0);
  }

  // ---------------------------------------------------------------- kernels

  @Override
  public void encoderForward(Slice out, IntBuf inp, Slice wte, Slice wpe, int B, int T, int C) {
    long t0 = System.nanoTime();
    delegate.encoderForward(out, inp, wte, wpe, B, T, C);
    add(Op.ENCODER_FORWARD, t0);
  }

  @Override
  public void encoderBackward(Slice dwte, Slice dwpe, Slice dout, IntBuf inp, int B, int T, int C, int V) {
    long t0 = System.nanoTime();
    delegate.encoderBackward(dwte, dwpe, dout, inp, B, T, C, V);
    add(Op.ENCODER_BACKWARD, t0);
  }

  @Override
  public void encoderDecode(Slice out, IntBuf token, IntBuf pos, Slice wte, Slice wpe, int C) {
    long t0 = System.nanoTime();
    delegate.encoderDecode(out, token, pos, wte, wpe, C);
    add(Op.DECODE, t0);
  }

  @Override
  public void layernormForward(Slice out, Slice mean, Slice rstd, Slice inp, Slice weight, Slice bias, int N, int C) {
    long t0 = System.nanoTime();
    delegate.layernormForward(out, mean, rstd, inp, weight, bias, N, C);
    add(Op.LAYERNORM_FORWARD, t0);
  }

  @Override
  public void layernormBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight,
      Slice mean, Slice rstd, int N, int C) {
    long t0 = System.nanoTime();
    delegate.layernormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
    add(Op.LAYERNORM_BACKWARD, t0);
  }

  @Override
  public void matmulForward(Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC) {
    long t0 = System.nanoTime();
    delegate.matmulForward(out, inp, weight, bias, N, C, OC);
    addMatmul(Op.MATMUL_FORWARD, t0, 2.0 * N * C * OC, N, C, OC); // one multiply-add per (row, in, out)
  }

  @Override
  public void matmulForwardGelu(Slice pre, Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC) {
    long t0 = System.nanoTime();
    delegate.matmulForwardGelu(pre, out, inp, weight, bias, N, C, OC);
    addMatmul(Op.MATMUL_FORWARD_GELU, t0, 2.0 * N * C * OC, N, C, OC); // the matmul's multiply-adds; GELU's are not counted
  }

  @Override
  public void matmulBackwardGelu(Slice dpre, Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp,
      Slice weight, Slice pre, int N, int C, int OC) {
    long t0 = System.nanoTime();
    delegate.matmulBackwardGelu(dpre, dinp, dweight, dbias, dout, inp, weight, pre, N, C, OC);
    addMatmul(Op.MATMUL_BACKWARD_GELU, t0, 4.0 * N * C * OC, N, C, OC); // dinp and dweight, as matmulBackward
  }

  @Override
  public boolean keepsGeluSlope() {
    return delegate.keepsGeluSlope();
  }

  @Override
  public void matmulForwardGeluSlope(Slice slope, Slice out, Slice inp, Slice weight, Slice bias, int N, int C,
      int OC) {
    long t0 = System.nanoTime();
    delegate.matmulForwardGeluSlope(slope, out, inp, weight, bias, N, C, OC);
    addMatmul(Op.MATMUL_FORWARD_GELU, t0, 2.0 * N * C * OC, N, C, OC); // as matmulForwardGelu
  }

  @Override
  public void matmulBackwardGeluSlope(Slice dpre, Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp,
      Slice weight, Slice slope, int N, int C, int OC) {
    long t0 = System.nanoTime();
    delegate.matmulBackwardGeluSlope(dpre, dinp, dweight, dbias, dout, inp, weight, slope, N, C, OC);
    addMatmul(Op.MATMUL_BACKWARD_GELU, t0, 4.0 * N * C * OC, N, C, OC); // as matmulBackwardGelu
  }

  @Override
  public boolean supportsBf16Weights() {
    return delegate.supportsBf16Weights();
  }

  @Override
  public void matmulForwardBf16(Slice out, Slice inp, IntBuf weight, Slice bias, int N, int C, int OC) {
    long t0 = System.nanoTime();
    delegate.matmulForwardBf16(out, inp, weight, bias, N, C, OC);
    addMatmul(Op.MATMUL_FORWARD, t0, 2.0 * N * C * OC, N, C, OC); // as matmulForward: one multiply-add per (row, in, out)
  }

  @Override
  public void matmulBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight,
      int N, int C, int OC) {
    long t0 = System.nanoTime();
    delegate.matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
    // dweight always, dinp unless null: each a forward's worth of multiply-adds
    addMatmul(Op.MATMUL_BACKWARD, t0, (dinp == null ? 2.0 : 4.0) * N * C * OC, N, C, OC);
  }

  @Override
  public void attentionForward(Slice out, Slice att, Slice qkv, int B, int T, int C, int NH) {
    long t0 = System.nanoTime();
    delegate.attentionForward(out, att, qkv, B, T, C, NH);
    add(Op.ATTENTION_FORWARD, t0);
  }

  @Override
  public void attentionBackward(Slice dqkv, Slice dout, Slice qkv, Slice att, int B, int T, int C, int NH) {
    long t0 = System.nanoTime();
    delegate.attentionBackward(dqkv, dout, qkv, att, B, T, C, NH);
    add(Op.ATTENTION_BACKWARD, t0);
  }

  @Override
  public void attentionDecode(Slice out, Slice att, Slice qkv, Slice kcache, Slice vcache, IntBuf pos, int maxT,
      int C, int NH) {
    long t0 = System.nanoTime();
    delegate.attentionDecode(out, att, qkv, kcache, vcache, pos, maxT, C, NH);
    add(Op.DECODE, t0);
  }

  @Override
  public boolean supportsBf16KvCache() {
    return delegate.supportsBf16KvCache();
  }

  @Override
  public void packBf16(IntBuf dst, int dstOffset, Slice src, int n) {
    long t0 = System.nanoTime();
    delegate.packBf16(dst, dstOffset, src, n);
    add(Op.COPY, t0);
  }

  @Override
  public void attentionDecodeBf16(Slice out, Slice att, Slice qkv, IntBuf kcache, IntBuf vcache, IntBuf pos, int maxT,
      int C, int NH) {
    long t0 = System.nanoTime();
    delegate.attentionDecodeBf16(out, att, qkv, kcache, vcache, pos, maxT, C, NH);
    add(Op.DECODE, t0);
  }

  @Override
  public void geluForward(Slice out, Slice inp, int N) {
    long t0 = System.nanoTime();
    delegate.geluForward(out, inp, N);
    add(Op.GELU_FORWARD, t0);
  }

  @Override
  public void geluBackward(Slice dinp, Slice inp, Slice dout, int N) {
    long t0 = System.nanoTime();
    delegate.geluBackward(dinp, inp, dout, N);
    add(Op.GELU_BACKWARD, t0);
  }

  @Override
  public void residualForward(Slice out, Slice a, Slice b, int N) {
    long t0 = System.nanoTime();
    delegate.residualForward(out, a, b, N);
    add(Op.RESIDUAL_FORWARD, t0);
  }

  @Override
  public void accumulate(Slice dst, Slice src, int N) {
    long t0 = System.nanoTime();
    delegate.accumulate(dst, src, N);
    add(Op.ACCUMULATE, t0);
  }

  @Override
  public void accumulateAndClear(Slice dst, Slice src, int N) {
    long t0 = System.nanoTime();
    delegate.accumulateAndClear(dst, src, N);
    add(Op.ACCUMULATE, t0);
  }

  @Override
  public void dropoutForward(Slice out, Slice inp, Slice scalars, float p, long seed, int stream, int N) {
    long t0 = System.nanoTime();
    delegate.dropoutForward(out, inp, scalars, p, seed, stream, N);
    add(Op.DROPOUT_FORWARD, t0);
  }

  @Override
  public void dropoutBackward(Slice dinp, Slice dout, Slice scalars, float p, long seed, int stream, int N) {
    long t0 = System.nanoTime();
    delegate.dropoutBackward(dinp, dout, scalars, p, seed, stream, N);
    add(Op.DROPOUT_BACKWARD, t0);
  }

  @Override
  public void softmaxForward(Slice probs, Slice logits, int N, int V, int Vp) {
    long t0 = System.nanoTime();
    delegate.softmaxForward(probs, logits, N, V, Vp);
    add(Op.SOFTMAX, t0);
  }

  @Override
  public void crossEntropyForwardBackward(Slice losses, Slice logits, IntBuf targets, float dlossScale, int N, int V,
      int Vp) {
    long t0 = System.nanoTime();
    delegate.crossEntropyForwardBackward(losses, logits, targets, dlossScale, N, V, Vp);
    add(Op.CROSSENTROPY, t0);
  }

  @Override
  public void crossEntropyForward(Slice losses, Slice logits, IntBuf targets, int N, int V, int Vp) {
    long t0 = System.nanoTime();
    delegate.crossEntropyForward(losses, logits, targets, N, V, Vp);
    add(Op.CROSSENTROPY, t0);
  }

  @Override
  public void globalNormSquared(Slice scalars, Slice grads, int N) {
    long t0 = System.nanoTime();
    delegate.globalNormSquared(scalars, grads, N);
    add(Op.GRAD_NORM, t0);
  }

  @Override
  public void adamw(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1, float beta2, float eps,
      float weightDecay, int N) {
    long t0 = System.nanoTime();
    delegate.adamw(params, grads, m, v, scalars, beta1, beta2, eps, weightDecay, N);
    add(Op.ADAMW, t0);
  }

  @Override
  public void adamwAndClearGrads(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1,
      float beta2, float eps, float weightDecay, int N) {
    long t0 = System.nanoTime();
    delegate.adamwAndClearGrads(params, grads, m, v, scalars, beta1, beta2, eps, weightDecay, N);
    add(Op.ADAMW, t0);
  }
}

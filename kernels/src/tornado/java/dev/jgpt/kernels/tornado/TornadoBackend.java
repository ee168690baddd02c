package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.Slice;
import static dev.jgpt.kernels.tornado.ArenaBufs.base;
import static dev.jgpt.kernels.tornado.ArenaBufs.kind;
import static dev.jgpt.kernels.tornado.ArenaBufs.off;

import java.util.ArrayList;
import java.util.List;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * The {@link Backend} on a TornadoVM device (OpenCL, PTX, SPIR-V: whatever the SDK was built
 * with). All buffers live in an {@link Arena}: one float array per {@link BufferKind} and one int
 * array; the device keeps its copy of each kind's array between steps.
 *
 * <p>Steps: the first run of a named step records its kernel launches and runs them on the host in
 * Java ({@code @Parallel} kernels as loops, KernelContext kernels through their CPU twins), unless
 * {@code compileFirstRun}; the next run builds one task graph per recorded step, all in one
 * {@link DevicePlan}, and every run after replays the step's graph. A replay must issue the same
 * launches as the recording (checked, with a one-line error). Ops outside steps run at once: on the
 * host, or with {@code eagerOnDevice} as one-op graphs on the device (for tests of each kernel).
 *
 * <p>What moves per replayed step: the int arena up (token ids) when the step reads it, small host
 * writes up (learning rate, step counters) with the step's first graph, and what the caller reads
 * down (losses, one row of logits) with its last graph, when the caller read the same ranges right
 * after the step's first run. {@link #stats()} counts it.
 *
 * <p>Arguments arrive checked: {@link dev.jgpt.kernels.Backends#open} wraps every backend in
 * {@code CheckedBackend} (shapes, token ids, positions, host ranges).
 *
 * <p>This class is the op layer: each op turns its slices into arena offsets and hands the
 * launches of its kernels (built by the launcher beside each kernel) to {@link StepCapture}, which
 * records or replays them inside a step; {@link Plans} runs them on the host or the device and
 * {@link Scratch} holds the work space the ops need.
 */
public final class TornadoBackend implements Backend {
  private final String deviceName;
  private final boolean workGroups;
  private final DeviceMemory memory;
  private final Arena arena = new Arena();
  private final Stats stats = new Stats();
  private final Residency residency = new Residency(arena, stats);
  private final Scratch scratch;
  private final Plans plans;
  private final StepCapture capture;
  private boolean closed;

  /**
   * @param device the TornadoVM device, or null for TornadoVM's default
   * @param deviceName for {@link #description}
   * @param compileFirstRun run a step's first run on the device too (compiling its graph then)
   * @param eagerOnDevice run ops outside steps on the device, one cached graph per distinct op
   * @param workGroups the GPU-shaped kernels (KernelContext work groups with local memory: the
   *     register-blocked GEMM and matrix-vector product, a work group per row for the row kernels,
   *     blocked column sums, flash-style attention) rather than {@code @Parallel} loops with one work
   *     item per output, row or column (CPU OpenCL devices, where local memory and barriers are
   *     emulated)
   */
  public TornadoBackend(TornadoDevice device, String deviceName, boolean compileFirstRun, boolean eagerOnDevice,
      boolean workGroups) {
    this.deviceName = deviceName;
    this.workGroups = workGroups;
    this.memory = DeviceMemory.of(device);
    this.scratch = new Scratch(arena, residency, memory, deviceName);
    this.plans = new Plans(device, deviceName, memory, arena, stats, residency, compileFirstRun, eagerOnDevice,
        System.err::println);
    this.capture = new StepCapture(plans);
  }

  @Override
  public String name() {
    return "tornado";
  }

  @Override
  public String description() {
    return "TornadoVM on " + deviceName + (workGroups ? "" : ", kernels as loops");
  }

  /** Bytes moved, runs and compile times so far. */
  public Stats stats() {
    return stats;
  }

  // ---------------------------------------------------------------- buffers and copies

  @Override
  public FloatBuf allocFloat(String name, int size) {
    return allocFloat(name, size, BufferKind.ACTIVATIONS);
  }

  /** A range of kind's array of the arena (each kind is its own device buffer). */
  @Override
  public FloatBuf allocFloat(String name, int size, BufferKind kind) {
    checkOpen();
    capture.requireNoStep("allocFloat(\"" + name + "\")");
    memory.checkFits(arena, kind, size, 0, name, deviceName);
    residency.beforeHostRun(); // growing copies the host arena: it must be current
    return new ArenaBufs.TornadoFloatBuf(name, size, kind, arena.reserveFloats(kind, size, name));
  }

  @Override
  public IntBuf allocInt(String name, int size) {
    checkOpen();
    capture.requireNoStep("allocInt(\"" + name + "\")");
    memory.checkFits(arena, null, 0, size, name, deviceName);
    return new ArenaBufs.TornadoIntBuf(name, size, arena.reserveInts(size, name), arena);
  }

  @Override
  public void write(FloatBuf dst, int dstOffset, float[] src, int srcOffset, int len) {
    checkOpen();
    capture.noteWrite();
    residency.write(kind(dst), base(dst) + dstOffset, src, srcOffset, len);
  }

  @Override
  public void read(FloatBuf src, int srcOffset, float[] dst, int dstOffset, int len) {
    checkOpen();
    capture.requireNoStepForRead();
    capture.noteRead(kind(src).ordinal(), base(src) + srcOffset, len);
    residency.read(kind(src), base(src) + srcOffset, dst, dstOffset, len);
  }

  @Override
  public void write(IntBuf dst, int dstOffset, int[] src, int srcOffset, int len) {
    checkOpen();
    // Ints are only written by the host: each graph that reads them uploads the int arena.
    arena.writeInts(base(dst) + dstOffset, src, srcOffset, len);
  }

  @Override
  public void read(IntBuf src, int srcOffset, int[] dst, int dstOffset, int len) {
    checkOpen();
    capture.requireNoStepForRead();
    arena.readInts(base(src) + srcOffset, dst, dstOffset, len);
  }

  @Override
  public void copy(Slice dst, Slice src) {
    if (dst.equals(src) || dst.length() == 0) return;
    // One work item per element reads src while others write dst: ranges must not overlap.
    if (overlap(dst, src)) throw new IllegalArgumentException("copy: " + dst + " and " + src + " overlap");
    BufferKind k = KindCheck.same("copy", "destination and source", kind(dst), kind(src));
    launch(ElementwiseKernels.launchCopy(k, off(dst), off(src), dst.length()));
  }

  @Override
  public void zero(Slice x) {
    if (x.length() == 0) return;
    launch(ElementwiseKernels.launchZero(kind(x), off(x), x.length()));
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    plans.close();
  }

  // ---------------------------------------------------------------- step capture

  @Override
  public void beginStep(String name) {
    checkOpen();
    capture.beginStep(name);
  }

  @Override
  public void endStep() {
    checkOpen();
    capture.endStep();
  }

  private void launch(Launch... group) {
    checkOpen();
    capture.launch(group);
  }

  // ---------------------------------------------------------------- embeddings

  @Override
  public void encoderForward(Slice out, IntBuf inp, Slice wte, Slice wpe, int B, int T, int C) {
    BufferKind wk = KindCheck.same("encoderForward", "wte and wpe", kind(wte), kind(wpe));
    launch(EmbeddingKernels.launchEncoderForward(kind(out), off(out), base(inp), wk, off(wte), off(wpe), B, T, C));
  }

  @Override
  public void encoderBackward(Slice dwte, Slice dwpe, Slice dout, IntBuf inp, int B, int T, int C, int V) {
    int N = B * T;
    int ordero = scratch.tokenOrder(inp, N);
    launch(EmbeddingKernels.launchEncoderBackwardPositions(kind(dwpe), off(dwpe), kind(dout), off(dout), B, T, C),
        EmbeddingKernels.launchEncoderBackwardTokens(kind(dwte), off(dwte), kind(dout), off(dout), base(inp),
            ordero, N, C,
            () -> scratch.sortPositionsByToken(base(inp), ordero, N)));
  }

  @Override
  public void encoderDecode(Slice out, IntBuf token, IntBuf pos, Slice wte, Slice wpe, int C) {
    BufferKind wk = KindCheck.same("encoderDecode", "wte and wpe", kind(wte), kind(wpe));
    launch(EmbeddingKernels.launchEncoderDecode(kind(out), off(out), base(token), base(pos), wk, off(wte), off(wpe),
        C));
  }

  // ---------------------------------------------------------------- layer norm

  @Override
  public void layernormForward(Slice out, Slice mean, Slice rstd, Slice inp, Slice weight, Slice bias, int N, int C) {
    BufferKind xk = KindCheck.same("layernormForward", "out, mean, rstd and inp", kind(out), kind(mean), kind(rstd),
        kind(inp));
    BufferKind wk = KindCheck.same("layernormForward", "weight and bias", kind(weight), kind(bias));
    if (workGroups) {
      launch(RowGroupKernels.launchLayernormForward(xk, off(out), off(mean), off(rstd), off(inp), wk, off(weight),
          off(bias), N, C));
    } else {
      launch(RowKernels.launchLayernormForward(xk, off(out), off(mean), off(rstd), off(inp), wk, off(weight),
          off(bias), N, C));
    }
  }

  @Override
  public void layernormBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight,
      Slice mean, Slice rstd, int N, int C) {
    BufferKind xk = KindCheck.same("layernormBackward", "dinp, dout, inp, mean and rstd", kind(dinp), kind(dout),
        kind(inp), kind(mean), kind(rstd));
    BufferKind gk = KindCheck.same("layernormBackward", "dweight and dbias", kind(dweight), kind(dbias));
    if (workGroups) {
      // the column partials are scratch in the activations: the rows' side must be there too
      KindCheck.same("layernormBackward", "dinp, dout, inp, mean and rstd (and the activations' work space)", xk,
          BufferKind.ACTIVATIONS);
      int partials = scratch.columnPartials(ColumnSumKernels.blocks(N) * 2 * C);
      List<Launch> group = new ArrayList<>(4);
      group.add(RowGroupKernels.launchLayernormBackwardInput(xk, off(dinp), off(dout), off(inp), kind(weight),
          off(weight), off(mean), off(rstd), N, C));
      group.addAll(List.of(ColumnSumKernels.launchLayernormParams(gk, off(dweight), off(dbias), xk, partials,
          off(dout), off(inp), off(mean), off(rstd), N, C)));
      launch(group.toArray(Launch[]::new));
      return;
    }
    launch(RowKernels.launchLayernormBackwardInput(xk, off(dinp), off(dout), off(inp), kind(weight), off(weight),
            off(mean), off(rstd), N, C),
        RowKernels.launchLayernormBackwardParams(gk, off(dweight), off(dbias), xk, off(dout), off(inp), off(mean),
            off(rstd), N, C));
  }

  // ---------------------------------------------------------------- matmul

  @Override
  public void matmulForward(Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC) {
    int mode = bias == null ? MatmulKernels.OVERWRITE : MatmulKernels.OVERWRITE_PLUS_BIAS;
    // out (N,OC) = inp (N,C) @ weight^T: A(n,c) = inp[n*C + c], B(c,o) = weight[o*C + c]
    launch(MatmulKernels.launchGemm(workGroups, "matmulForward", kind(out), off(out), kind(inp), off(inp), C, 1,
        kind(weight), off(weight), 1, C, kind(bias), off(bias), mode, N, OC, C));
  }

  @Override
  public void matmulBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight, int N,
      int C, int OC) {
    List<Launch> group = new ArrayList<>(3);
    if (dinp != null) {
      // dinp (N,C) = dout (N,OC) @ weight (OC,C): written (the Backend contract), so nobody zeroes it first
      group.add(MatmulKernels.launchGemm(workGroups, "matmulBackward.input", kind(dinp), off(dinp), kind(dout),
          off(dout), OC, 1, kind(weight), off(weight), C, 1, null, -1, MatmulKernels.OVERWRITE, N, C, OC));
    }
    // dweight (OC,C) += dout^T @ inp: A(o,n) = dout[n*OC + o], B(n,c) = inp[n*C + c]; added to (micro-batches)
    group.add(MatmulKernels.launchGemm(workGroups, "matmulBackward.weight", kind(dweight), off(dweight), kind(dout),
        off(dout), 1, OC, kind(inp), off(inp), C, 1, null, -1, MatmulKernels.ACCUMULATE, OC, C, N));
    if (dbias != null && workGroups) {
      // the column partials are scratch in the activations: dout must be there too
      BufferKind xk = KindCheck.same("matmulBackward", "dout (and the activations' work space)", kind(dout),
          BufferKind.ACTIVATIONS);
      int partials = scratch.columnPartials(ColumnSumKernels.blocks(N) * OC);
      group.addAll(List.of(ColumnSumKernels.launchBiasBackward(kind(dbias), off(dbias), xk, partials, off(dout), N,
          OC)));
    } else if (dbias != null) {
      group.add(MatmulKernels.launchBiasBackward(kind(dbias), off(dbias), kind(dout), off(dout), N, OC));
    }
    launch(group.toArray(Launch[]::new));
  }

  // ---------------------------------------------------------------- attention

  /**
   * The flash kernels' rows' max and sum (B*NH*T, 2) where they run (work groups, heads up to
   * {@link FlashAttentionKernels#MAX_HEAD}) and that is smaller than the weights: the backward
   * recomputes the weights from them. The loop kernels keep the weights.
   */
  @Override
  public long attentionStateSize(int B, int T, int C, int NH) {
    long weights = (long) B * NH * T * T;
    long rowStats = 2L * B * NH * T;
    return flash(C, NH) && rowStats < weights ? rowStats : weights;
  }

  @Override
  public void attentionForward(Slice out, Slice att, Slice qkv, int B, int T, int C, int NH) {
    if (flash(C, NH) && holdsState(att, B, T, NH)) {
      // att is the attention state: the rows' stats go there and no weights are written anywhere
      BufferKind k = KindCheck.same("attentionForward", "tensors", kind(out), kind(att), kind(qkv));
      launch(FlashAttentionKernels.launchForwardState(k, off(out), off(att), off(qkv), B, T, C, NH, scale(C, NH)));
      return;
    }
    if (flash(C, NH)) {
      BufferKind k = KindCheck.same("attentionForward", "tensors (and the activations' work space)", kind(out),
          kind(att), kind(qkv), BufferKind.ACTIVATIONS);
      int stats = scratch.attentionRowStats(2 * B * NH * T);
      launch(FlashAttentionKernels.launchForward(k, off(out), off(att), stats, off(qkv), B, T, C, NH, scale(C, NH)));
      return;
    }
    BufferKind k = KindCheck.same("attentionForward", "tensors", kind(out), kind(att), kind(qkv));
    launch(AttentionKernels.launchAttentionForward(k, off(out), off(att), off(qkv), B, T, C, NH, scale(C, NH)));
  }

  @Override
  public void attentionBackward(Slice dqkv, Slice dout, Slice qkv, Slice att, int B, int T, int C, int NH) {
    BufferKind k = KindCheck.same("attentionBackward", "tensors (and the activations' work space)", kind(dqkv),
        kind(dout), kind(qkv), kind(att), BufferKind.ACTIVATIONS);
    if (flash(C, NH)) {
      int rowGrads = scratch.attentionRowGrads(B * NH * T);
      boolean state = holdsState(att, B, T, NH); // the rows' stats: the weights are recomputed from them
      launch(FlashAttentionBackwardKernels.launchBackward(k, off(dqkv), off(dout), off(qkv), state ? -1 : off(att),
          state ? off(att) : -1, rowGrads, B, T, C, NH, scale(C, NH)));
      return;
    }
    int dpre = scratch.attentionScoreGrads(B * NH * T * T);
    launch(AttentionKernels.launchAttentionBackwardScores(k, dpre, off(dout), off(qkv), off(att), B, T, C, NH,
        scale(C, NH)),
        AttentionKernels.launchAttentionBackwardQuery(k, off(dqkv), dpre, off(qkv), B, T, C, NH),
        AttentionKernels.launchAttentionBackwardKeyValue(k, off(dqkv), dpre, off(dout), off(qkv), off(att), B, T, C,
            NH));
  }

  @Override
  public void attentionDecode(Slice out, Slice att, Slice qkv, Slice kcache, Slice vcache, IntBuf pos, int maxT,
      int C, int NH) {
    BufferKind k = KindCheck.same("attentionDecode", "tensors", kind(out), kind(att), kind(qkv), kind(kcache),
        kind(vcache));
    launch(AttentionKernels.launchAttentionDecodeCache(k, off(qkv), off(kcache), off(vcache), base(pos), C),
        AttentionKernels.launchAttentionDecodeScores(k, off(att), off(qkv), off(kcache), base(pos), maxT, C, NH,
            scale(C, NH)),
        AttentionKernels.launchAttentionDecodeOutput(k, off(out), off(att), off(vcache), base(pos), maxT, C, NH));
  }

  // ---------------------------------------------------------------- elementwise

  @Override
  public void geluForward(Slice out, Slice inp, int N) {
    launch(ElementwiseKernels.launchGeluForward(KindCheck.same("geluForward", "tensors", kind(out), kind(inp)),
        off(out),
        off(inp), N));
  }

  @Override
  public void geluBackward(Slice dinp, Slice inp, Slice dout, int N) {
    launch(ElementwiseKernels.launchGeluBackward(KindCheck.same("geluBackward", "tensors", kind(dinp), kind(inp),
        kind(dout)), off(dinp), off(inp), off(dout), N));
  }

  @Override
  public void residualForward(Slice out, Slice a, Slice b, int N) {
    launch(ElementwiseKernels.launchResidualForward(KindCheck.same("residualForward", "tensors", kind(out), kind(a),
        kind(b)), off(out), off(a), off(b), N));
  }

  @Override
  public void accumulate(Slice dst, Slice src, int N) {
    launch(ElementwiseKernels.launchAccumulate(KindCheck.same("accumulate", "tensors", kind(dst), kind(src)), off(dst),
        off(src), N));
  }

  @Override
  public void dropoutForward(Slice out, Slice inp, Slice scalars, float p, long seed, int stream, int N) {
    launch(ElementwiseKernels.launchDropoutForward(KindCheck.same("dropoutForward", "tensors and scalars", kind(out),
        kind(inp), kind(scalars)), off(out), off(inp), off(scalars), p, seed, stream, N));
  }

  @Override
  public void dropoutBackward(Slice dinp, Slice dout, Slice scalars, float p, long seed, int stream, int N) {
    launch(ElementwiseKernels.launchDropoutBackward(KindCheck.same("dropoutBackward", "tensors and scalars", kind(dinp),
        kind(dout), kind(scalars)), off(dinp), off(dout), off(scalars), p, seed, stream, N));
  }

  // ---------------------------------------------------------------- softmax and loss

  @Override
  public void softmaxForward(Slice probs, Slice logits, int N, int V, int Vp) {
    BufferKind k = KindCheck.same("softmaxForward", "tensors", kind(probs), kind(logits));
    launch(workGroups ? RowGroupKernels.launchSoftmaxForward(k, off(probs), off(logits), N, V, Vp)
        : RowKernels.launchSoftmaxForward(k, off(probs), off(logits), N, V, Vp));
  }

  @Override
  public void crossEntropyForwardBackward(Slice losses, Slice logits, IntBuf targets, float dlossScale, int N, int V,
      int Vp) {
    int stats = scratch.crossEntropyRowStats(2 * N);
    BufferKind k = KindCheck.same("crossEntropyForwardBackward", "losses and logits (and the activations' work space)",
        kind(losses), kind(logits), BufferKind.ACTIVATIONS);
    launch(crossEntropyForwardLaunch(k, off(losses), stats, off(logits), base(targets), N, V, Vp),
        RowKernels.launchCrossEntropyBackward(k, off(logits), stats, base(targets), dlossScale, N, V, Vp));
  }

  @Override
  public void crossEntropyForward(Slice losses, Slice logits, IntBuf targets, int N, int V, int Vp) {
    BufferKind k = KindCheck.same("crossEntropyForward", "losses and logits", kind(losses), kind(logits));
    launch(crossEntropyForwardLaunch(k, off(losses), -1, off(logits), base(targets), N, V, Vp));
  }

  private Launch crossEntropyForwardLaunch(BufferKind k, int losseso, int statso, int logitso, int targetso, int N,
      int V, int Vp) {
    return workGroups ? RowGroupKernels.launchCrossEntropyForward(k, losseso, statso, logitso, targetso, N, V, Vp)
        : RowKernels.launchCrossEntropyForward(k, losseso, statso, logitso, targetso, N, V, Vp);
  }

  // ---------------------------------------------------------------- optimizer

  @Override
  public void globalNormSquared(Slice scalars, Slice grads, int N) {
    int chunks = OptimizerKernels.normChunks(N);
    int partials = scratch.normPartials(chunks);
    BufferKind xk = KindCheck.same("globalNormSquared", "scalars (and the activations' work space)", kind(scalars),
        BufferKind.ACTIVATIONS);
    launch(OptimizerKernels.launchNormPartials(xk, partials, kind(grads), off(grads), N),
        OptimizerKernels.launchNormFinish(xk, off(scalars), partials, chunks));
  }

  @Override
  public void adamw(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1, float beta2, float eps,
      float weightDecay, int N) {
    int factors = scratch.adamwFactors();
    BufferKind xk = KindCheck.same("adamw", "scalars (and the activations' work space)", kind(scalars),
        BufferKind.ACTIVATIONS);
    BufferKind mk = KindCheck.same("adamw", "moments m and v", kind(m), kind(v));
    launch(OptimizerKernels.launchAdamwFactors(xk, factors, off(scalars), beta1, beta2),
        OptimizerKernels.launchAdamw(kind(params), off(params), kind(grads), off(grads), mk, off(m), off(v), xk,
            off(scalars), factors, beta1, beta2, eps, weightDecay, N));
  }

  // ---------------------------------------------------------------- helpers

  private void checkOpen() {
    if (closed) throw new IllegalStateException("the TornadoVM backend was closed");
  }

  /** Whether the flash kernels run for heads of C/NH channels. */
  private boolean flash(int C, int NH) {
    return workGroups && FlashAttentionKernels.fits(C / NH);
  }

  /** att shorter than the weights (B,NH,T,T) is the attention state (Backend#attentionForward; checked there). */
  private static boolean holdsState(Slice att, int B, int T, int NH) {
    return att.length() < (long) B * NH * T * T;
  }

  private static boolean overlap(Slice a, Slice b) {
    return a.buf() == b.buf() && a.offset() < b.offset() + b.length() && b.offset() < a.offset() + a.length();
  }

  private static float scale(int C, int NH) {
    return (float) (1.0 / Math.sqrt(C / NH));
  }
}

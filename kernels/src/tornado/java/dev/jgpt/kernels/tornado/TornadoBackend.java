package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.OpChecks;
import dev.jgpt.kernels.Slice;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * The {@link Backend} on a TornadoVM device (OpenCL, PTX, SPIR-V: whatever the SDK was built
 * with). All buffers live in one float and one int {@link Arena}; the device keeps its copy of the
 * float arena between steps.
 *
 * <p>Steps: the first run of a named step records its kernel launches and runs them on the host in
 * Java ({@code @Parallel} kernels as loops, KernelContext kernels through their CPU twins), unless
 * {@code compileFirstRun}; the next run builds one task graph per recorded step, all in one
 * {@link DevicePlan}, and every run after replays the step's graph. A replay must issue the same
 * launches as the recording (checked, with a one-line error). Ops outside steps run at once: on the
 * host, or with {@code eagerOnDevice} as one-op graphs on the device (for tests of each kernel).
 *
 * <p>What moves per replayed step: the int arena up (token ids) when the step reads it, small host
 * writes up (learning rate, step counters), and what the caller reads down (losses, one row of
 * logits). {@link #stats()} counts it.
 */
public final class TornadoBackend implements Backend {
  /** Eager one-op plans kept for reuse on the device (each holds a device copy of the arena). */
  private static final int EAGER_PLANS = 8;

  private final TornadoDevice device;
  private final String deviceName;
  private final boolean compileFirstRun;
  private final boolean eagerOnDevice;
  private final boolean tiledMatmul;
  private final Arena arena = new Arena();
  private final Stats stats = new Stats();
  private final Residency residency = new Residency(arena, stats);
  private final HostSink hostSink = new HostSink();
  private final Map<String, StepProgram> steps = new LinkedHashMap<>();
  private final Map<List<List<Object>>, EagerPlan> eagerPlans = new LinkedHashMap<>(16, 0.75f, true);
  private DevicePlan stepPlan;

  private StepProgram current; // the open step
  private boolean recording; // whether the open step is its first run
  private int replayCursor;

  // backend-owned scratch, grown on first use (during a recording, before the step's graph exists)
  private int dpreo = -1, dpreSize; // attention score gradients (B,NH,T,T)
  private int statso = -1, statsSize; // cross-entropy row max and sum (N,2)
  private int partialso = -1; // norm partial sums (NORM_PARTS)
  private int factorso = -1; // AdamW clip factor and bias corrections (3)
  private boolean closed;

  /**
   * @param device the TornadoVM device, or null for TornadoVM's default
   * @param deviceName for {@link #description}
   * @param compileFirstRun run a step's first run on the device too (compiling its graph then)
   * @param eagerOnDevice run ops outside steps on the device, one cached graph per distinct op
   * @param tiledMatmul matmuls as the tiled KernelContext GEMM (GPUs) rather than {@code @Parallel}
   *     loops (CPU OpenCL devices, where local memory and barriers are emulated)
   */
  public TornadoBackend(TornadoDevice device, String deviceName, boolean compileFirstRun, boolean eagerOnDevice,
      boolean tiledMatmul) {
    this.device = device;
    this.deviceName = deviceName;
    this.compileFirstRun = compileFirstRun;
    this.eagerOnDevice = eagerOnDevice;
    this.tiledMatmul = tiledMatmul;
  }

  @Override
  public String name() {
    return "tornado";
  }

  @Override
  public String description() {
    return "TornadoVM on " + deviceName + (tiledMatmul ? "" : ", matmul as loops");
  }

  /** Bytes moved, runs and compile times so far. */
  public Stats stats() {
    return stats;
  }

  // ---------------------------------------------------------------- buffers and copies

  @Override
  public FloatBuf allocFloat(String name, int size) {
    checkOpen();
    if (current != null) throw new IllegalStateException("allocFloat(\"" + name + "\") inside step \"" + current.name
        + "\": allocate buffers before the first step");
    residency.beforeHostRun(); // growing copies the host arena: it must be current
    int base = arena.reserveFloats(size, name);
    return new TornadoFloatBuf(name, size, base);
  }

  @Override
  public IntBuf allocInt(String name, int size) {
    checkOpen();
    if (current != null) throw new IllegalStateException("allocInt(\"" + name + "\") inside step \"" + current.name
        + "\": allocate buffers before the first step");
    return new TornadoIntBuf(name, size, arena.reserveInts(size, name));
  }

  @Override
  public void write(FloatBuf dst, int dstOffset, float[] src, int srcOffset, int len) {
    checkOpen();
    OpChecks.hostRange(dst.size(), dstOffset, src.length, srcOffset, len);
    residency.write(base(dst) + dstOffset, src, srcOffset, len);
  }

  @Override
  public void read(FloatBuf src, int srcOffset, float[] dst, int dstOffset, int len) {
    checkOpen();
    noReadInStep();
    OpChecks.hostRange(src.size(), srcOffset, dst.length, dstOffset, len);
    residency.read(base(src) + srcOffset, dst, dstOffset, len);
  }

  @Override
  public void write(IntBuf dst, int dstOffset, int[] src, int srcOffset, int len) {
    checkOpen();
    OpChecks.hostRange(dst.size(), dstOffset, src.length, srcOffset, len);
    // Ints are only written by the host: each graph that reads them uploads the int arena.
    arena.writeInts(base(dst) + dstOffset, src, srcOffset, len);
  }

  @Override
  public void read(IntBuf src, int srcOffset, int[] dst, int dstOffset, int len) {
    checkOpen();
    noReadInStep();
    OpChecks.hostRange(src.size(), srcOffset, dst.length, dstOffset, len);
    arena.readInts(base(src) + srcOffset, dst, dstOffset, len);
  }

  @Override
  public void copy(Slice dst, Slice src) {
    OpChecks.copy(dst, src);
    if (dst.equals(src) || dst.length() == 0) return;
    // One work item per element reads src while others write dst: ranges must not overlap.
    if (overlap(dst, src)) throw new IllegalArgumentException("copy: " + dst + " and " + src + " overlap");
    launch(Launches.copy(off(dst), off(src), dst.length()));
  }

  @Override
  public void zero(Slice x) {
    if (x.length() == 0) return;
    launch(Launches.zero(off(x), x.length()));
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    residency.closeAll();
    eagerPlans.clear();
    stepPlan = null;
  }

  // ---------------------------------------------------------------- step capture

  @Override
  public void beginStep(String name) {
    checkOpen();
    if (current != null) throw new IllegalStateException("beginStep(\"" + name + "\") while step \"" + current.name
        + "\" is open: call endStep() first");
    StepProgram step = steps.get(name);
    recording = step == null;
    current = recording ? new StepProgram(name) : step;
    replayCursor = 0;
  }

  @Override
  public void endStep() {
    checkOpen();
    if (current == null) throw new IllegalStateException("endStep() without beginStep()");
    StepProgram step = current;
    current = null;
    if (recording) {
      steps.put(step.name, step);
      if (compileFirstRun) runOnDevice(step);
      else runOnHost(step.launches, step);
    } else {
      if (replayCursor != step.launches.size()) {
        throw new IllegalStateException("step \"" + step.name + "\" ran " + replayCursor + " launches, its first run had "
            + step.launches.size() + ": a captured step must repeat the same ops every time");
      }
      runOnDevice(step);
    }
    step.runs++;
  }

  /** Runs, records or checks the launches of one op (inside a step: records or checks each). */
  private void launch(Launch... group) {
    checkOpen();
    if (current == null) {
      runEager(List.of(group));
      return;
    }
    for (Launch l : group) {
      if (recording) current.launches.add(l);
      else checkReplay(l);
    }
  }

  /** A replay must issue the recorded launches again, one by one. */
  private void checkReplay(Launch l) {
    if (replayCursor >= current.launches.size()) {
      throw new IllegalStateException("step \"" + current.name + "\": launch " + l.op() + " is extra, the first run had "
          + current.launches.size() + ": a captured step must repeat the same ops every time");
    }
    Launch recorded = current.launches.get(replayCursor);
    if (!recorded.signature().equals(l.signature())) {
      throw new IllegalStateException("step \"" + current.name + "\" launch " + replayCursor + " differs from the first"
          + " run: " + recorded.signature() + " then, " + l.signature() + " now: a captured step must repeat the same"
          + " ops, buffers and arguments every time");
    }
    replayCursor++;
  }

  private void runOnHost(List<Launch> launches, StepProgram step) {
    residency.beforeHostRun();
    for (Launch l : launches) {
      if (l.prepare() != null) l.prepare().run();
      l.host().submit(hostSink, arena.floats(), arena.ints(), null);
    }
    residency.afterHostRun();
  }

  private void runOnDevice(StepProgram step) {
    DevicePlan plan = planFor(step);
    residency.beforeDeviceRun(plan);
    step.prepare();
    plan.run(step);
    residency.afterDeviceRun(plan);
  }

  /** The step plan, rebuilt with every recorded step when it lacks this one or the arena grew. */
  private DevicePlan planFor(StepProgram step) {
    if (stepPlan != null && stepPlan.valid() && stepPlan.includes(step)) return stepPlan;
    if (stepPlan != null) residency.remove(stepPlan);
    dropStalePlans();
    residency.ensureHostCurrent();
    arena.trim();
    dropStalePlans();
    stepPlan = new DevicePlan(arena, new ArrayList<>(steps.values()), device, stats);
    residency.add(stepPlan);
    return stepPlan;
  }

  /** An op outside steps: on the host, or on the device through a cached one-op plan. */
  private void runEager(List<Launch> group) {
    if (!eagerOnDevice) {
      runOnHost(group, null);
      return;
    }
    List<List<Object>> key = group.stream().map(Launch::signature).toList();
    EagerPlan eager = eagerPlans.get(key);
    if (eager != null && !eager.plan.valid()) {
      dropStalePlans();
      eager = null;
    }
    if (eager == null) {
      if (eagerPlans.size() == EAGER_PLANS) {
        List<List<Object>> eldest = eagerPlans.keySet().iterator().next();
        residency.remove(eagerPlans.remove(eldest).plan);
      }
      residency.ensureHostCurrent();
      arena.trim();
      dropStalePlans();
      StepProgram program = new StepProgram("op " + group.getFirst().op());
      program.launches.addAll(group);
      eager = new EagerPlan(new DevicePlan(arena, List.of(program), device, stats), program);
      residency.add(eager.plan);
      eagerPlans.put(key, eager);
    }
    residency.beforeDeviceRun(eager.plan);
    eager.program.prepare();
    eager.plan.run(eager.program);
    residency.afterDeviceRun(eager.plan);
  }

  /** A one-op device plan for an op outside steps, and the op as its only step. */
  private record EagerPlan(DevicePlan plan, StepProgram program) {}

  /** Closes plans built on replaced arena arrays (the host copy is made current first). */
  private void dropStalePlans() {
    for (DevicePlan p : residency.plans()) {
      if (!p.valid()) {
        residency.remove(p);
        eagerPlans.values().removeIf(e -> e.plan == p);
        if (p == stepPlan) stepPlan = null;
      }
    }
  }

  // ---------------------------------------------------------------- embeddings

  @Override
  public void encoderForward(Slice out, IntBuf inp, Slice wte, Slice wpe, int B, int T, int C) {
    OpChecks.encoderForward(out, inp, wte, wpe, B, T, C);
    checkTokens("encoderForward", inp, B * T, wte.length() / C);
    launch(Launches.encoderForward(off(out), base(inp), off(wte), off(wpe), B, T, C));
  }

  @Override
  public void encoderBackward(Slice dwte, Slice dwpe, Slice dout, IntBuf inp, int B, int T, int C, int V) {
    OpChecks.encoderBackward(dwte, dwpe, dout, inp, B, T, C, V);
    checkTokens("encoderBackward", inp, B * T, V);
    int N = B * T;
    int ordero = orderScratch(inp, N);
    launch(Launches.encoderBackwardPositions(off(dwpe), off(dout), B, T, C),
        Launches.encoderBackwardTokens(off(dwte), off(dout), base(inp), ordero, N, C,
            () -> sortPositionsByToken(base(inp), ordero, N)));
  }

  @Override
  public void encoderDecode(Slice out, IntBuf token, IntBuf pos, Slice wte, Slice wpe, int C) {
    OpChecks.encoderDecode(out, token, pos, wte, wpe, C);
    OpChecks.token("encoderDecode", arena.ints().get(base(token)), wte.length() / C, 0);
    OpChecks.position("encoderDecode", arena.ints().get(base(pos)), wpe.length() / C);
    launch(Launches.encoderDecode(off(out), base(token), base(pos), off(wte), off(wpe), C));
  }

  // ---------------------------------------------------------------- layer norm

  @Override
  public void layernormForward(Slice out, Slice mean, Slice rstd, Slice inp, Slice weight, Slice bias, int N, int C) {
    OpChecks.layernormForward(out, mean, rstd, inp, weight, bias, N, C);
    launch(Launches.layernormForward(off(out), off(mean), off(rstd), off(inp), off(weight), off(bias), N, C));
  }

  @Override
  public void layernormBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight,
      Slice mean, Slice rstd, int N, int C) {
    OpChecks.layernormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
    launch(Launches.layernormBackwardInput(off(dinp), off(dout), off(inp), off(weight), off(mean), off(rstd), N, C),
        Launches.layernormBackwardParams(off(dweight), off(dbias), off(dout), off(inp), off(mean), off(rstd), N, C));
  }

  // ---------------------------------------------------------------- matmul

  @Override
  public void matmulForward(Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC) {
    OpChecks.matmulForward(out, inp, weight, bias, N, C, OC);
    int mode = bias == null ? MatmulKernels.OVERWRITE : MatmulKernels.OVERWRITE_PLUS_BIAS;
    // out (N,OC) = inp (N,C) @ weight^T: A(n,c) = inp[n*C + c], B(c,o) = weight[o*C + c]
    launch(Launches.gemm(tiledMatmul, "matmulForward", off(out), off(inp), C, 1, off(weight), 1, C, off(bias), mode, N, OC, C));
  }

  @Override
  public void matmulBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight, int N,
      int C, int OC) {
    OpChecks.matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
    int acc = MatmulKernels.ACCUMULATE;
    List<Launch> group = new ArrayList<>(3);
    if (dinp != null) {
      // dinp (N,C) += dout (N,OC) @ weight (OC,C)
      group.add(Launches.gemm(tiledMatmul, "matmulBackward.input", off(dinp), off(dout), OC, 1, off(weight), C, 1, -1, acc, N, C,
          OC));
    }
    // dweight (OC,C) += dout^T @ inp: A(o,n) = dout[n*OC + o], B(n,c) = inp[n*C + c]
    group.add(Launches.gemm(tiledMatmul, "matmulBackward.weight", off(dweight), off(dout), 1, OC, off(inp), C, 1, -1, acc, OC, C, N));
    if (dbias != null) group.add(Launches.biasBackward(off(dbias), off(dout), N, OC));
    launch(group.toArray(Launch[]::new));
  }

  // ---------------------------------------------------------------- attention

  @Override
  public void attentionForward(Slice out, Slice att, Slice qkv, int B, int T, int C, int NH) {
    OpChecks.attentionForward(out, att, qkv, B, T, C, NH);
    launch(Launches.attentionForward(off(out), off(att), off(qkv), B, T, C, NH, scale(C, NH)));
  }

  @Override
  public void attentionBackward(Slice dqkv, Slice dout, Slice qkv, Slice att, int B, int T, int C, int NH) {
    OpChecks.attentionBackward(dqkv, dout, qkv, att, B, T, C, NH);
    int dpre = dpreScratch(B * NH * T * T);
    launch(Launches.attentionBackwardScores(dpre, off(dout), off(qkv), off(att), B, T, C, NH, scale(C, NH)),
        Launches.attentionBackwardQuery(off(dqkv), dpre, off(qkv), B, T, C, NH),
        Launches.attentionBackwardKeyValue(off(dqkv), dpre, off(dout), off(qkv), off(att), B, T, C, NH));
  }

  @Override
  public void attentionDecode(Slice out, Slice att, Slice qkv, Slice kcache, Slice vcache, IntBuf pos, int maxT,
      int C, int NH) {
    OpChecks.attentionDecode(out, att, qkv, kcache, vcache, pos, maxT, C, NH);
    OpChecks.position("attentionDecode", arena.ints().get(base(pos)), maxT);
    launch(Launches.attentionDecodeCache(off(qkv), off(kcache), off(vcache), base(pos), C),
        Launches.attentionDecodeScores(off(att), off(qkv), off(kcache), base(pos), maxT, C, NH, scale(C, NH)),
        Launches.attentionDecodeOutput(off(out), off(att), off(vcache), base(pos), maxT, C, NH));
  }

  // ---------------------------------------------------------------- elementwise

  @Override
  public void geluForward(Slice out, Slice inp, int N) {
    OpChecks.elementwise("geluForward", N, out, inp);
    launch(Launches.geluForward(off(out), off(inp), N));
  }

  @Override
  public void geluBackward(Slice dinp, Slice inp, Slice dout, int N) {
    OpChecks.elementwise("geluBackward", N, dinp, inp, dout);
    launch(Launches.geluBackward(off(dinp), off(inp), off(dout), N));
  }

  @Override
  public void residualForward(Slice out, Slice a, Slice b, int N) {
    OpChecks.elementwise("residualForward", N, out, a, b);
    launch(Launches.residualForward(off(out), off(a), off(b), N));
  }

  @Override
  public void accumulate(Slice dst, Slice src, int N) {
    OpChecks.elementwise("accumulate", N, dst, src);
    launch(Launches.accumulate(off(dst), off(src), N));
  }

  @Override
  public void dropoutForward(Slice out, Slice inp, Slice scalars, float p, long seed, int stream, int N) {
    OpChecks.dropout("dropoutForward", scalars, p, N, out, inp);
    launch(Launches.dropoutForward(off(out), off(inp), off(scalars), p, seed, stream, N));
  }

  @Override
  public void dropoutBackward(Slice dinp, Slice dout, Slice scalars, float p, long seed, int stream, int N) {
    OpChecks.dropout("dropoutBackward", scalars, p, N, dinp, dout);
    launch(Launches.dropoutBackward(off(dinp), off(dout), off(scalars), p, seed, stream, N));
  }

  // ---------------------------------------------------------------- softmax and loss

  @Override
  public void softmaxForward(Slice probs, Slice logits, int N, int V, int Vp) {
    OpChecks.softmaxRows("softmaxForward", probs, N, V, Vp);
    OpChecks.softmaxRows("softmaxForward", logits, N, V, Vp);
    launch(Launches.softmaxForward(off(probs), off(logits), N, V, Vp));
  }

  @Override
  public void crossEntropyForwardBackward(Slice losses, Slice logits, IntBuf targets, float dlossScale, int N, int V,
      int Vp) {
    OpChecks.crossEntropy("crossEntropyForwardBackward", losses, logits, targets, N, V, Vp);
    checkTargets("crossEntropyForwardBackward", targets, N, V);
    int stats = statsScratch(2 * N);
    launch(Launches.crossEntropyForward(off(losses), stats, off(logits), base(targets), N, V, Vp),
        Launches.crossEntropyBackward(off(logits), stats, base(targets), dlossScale, N, V, Vp));
  }

  @Override
  public void crossEntropyForward(Slice losses, Slice logits, IntBuf targets, int N, int V, int Vp) {
    OpChecks.crossEntropy("crossEntropyForward", losses, logits, targets, N, V, Vp);
    checkTargets("crossEntropyForward", targets, N, V);
    launch(Launches.crossEntropyForward(off(losses), -1, off(logits), base(targets), N, V, Vp));
  }

  // ---------------------------------------------------------------- optimizer

  @Override
  public void globalNormSquared(Slice scalars, Slice grads, int N) {
    OpChecks.globalNormSquared(scalars, grads, N);
    int partials = partialsScratch();
    launch(Launches.normPartials(partials, off(grads), N), Launches.normFinish(off(scalars), partials));
  }

  @Override
  public void adamw(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1, float beta2, float eps,
      float weightDecay, int N) {
    OpChecks.adamw(params, grads, m, v, scalars, N);
    int factors = factorsScratch();
    launch(Launches.adamwFactors(factors, off(scalars), beta1, beta2),
        Launches.adamw(off(params), off(grads), off(m), off(v), off(scalars), factors, beta1, beta2, eps, weightDecay,
            N));
  }

  // ---------------------------------------------------------------- helpers

  private void checkOpen() {
    if (closed) throw new IllegalStateException("the TornadoVM backend was closed");
  }

  private void noReadInStep() {
    if (current != null) {
      throw new IllegalStateException("read() inside step \"" + current.name + "\": a captured step must not depend on"
          + " a value read back mid-step; read after endStep()");
    }
  }

  private static int base(FloatBuf b) {
    if (b instanceof TornadoFloatBuf t) return t.base;
    throw new IllegalArgumentException("buffer " + b + " belongs to another backend; allocate it with the TornadoVM"
        + " backend");
  }

  private static int base(IntBuf b) {
    if (b instanceof TornadoIntBuf t) return t.base;
    throw new IllegalArgumentException("buffer " + b + " belongs to another backend; allocate it with the TornadoVM"
        + " backend");
  }

  /** Arena offset of a slice; -1 for an absent optional slice. */
  private static int off(Slice s) {
    return s == null ? -1 : base(s.buf()) + s.offset();
  }

  private static boolean overlap(Slice a, Slice b) {
    return a.buf() == b.buf() && a.offset() < b.offset() + b.length() && b.offset() < a.offset() + a.length();
  }

  private static float scale(int C, int NH) {
    return (float) (1.0 / Math.sqrt(C / NH));
  }

  private void checkTokens(String op, IntBuf ids, int n, int V) {
    int b = base(ids);
    for (int i = 0; i < n; i++) OpChecks.token(op, arena.ints().get(b + i), V, i);
  }

  private void checkTargets(String op, IntBuf targets, int n, int V) {
    int b = base(targets);
    for (int i = 0; i < n; i++) OpChecks.target(op, arena.ints().get(b + i), V, i);
  }

  private int dpreScratch(int size) {
    if (size > dpreSize) {
      dpreo = reserveScratch(size, "attention backward scratch");
      dpreSize = size;
    }
    return dpreo;
  }

  private int statsScratch(int size) {
    if (size > statsSize) {
      statso = reserveScratch(size, "cross-entropy scratch");
      statsSize = size;
    }
    return statso;
  }

  private int factorsScratch() {
    if (factorso < 0) factorso = reserveScratch(3, "AdamW factors scratch");
    return factorso;
  }

  private int partialsScratch() {
    if (partialso < 0) partialso = reserveScratch(OptimizerKernels.NORM_PARTS, "gradient norm scratch");
    return partialso;
  }

  private int reserveScratch(int size, String what) {
    residency.beforeHostRun();
    return arena.reserveFloats(size, what);
  }

  /** Int arena room for one encoder backward's sorted positions (one region per call site). */
  private final Map<List<Object>, Integer> orderRegions = new LinkedHashMap<>();

  private int orderScratch(IntBuf inp, int N) {
    return orderRegions.computeIfAbsent(Arrays.asList(inp, N), k -> arena.reserveInts(N, "token order scratch"));
  }

  /** order (N) = positions 0..N sorted by token id (stable), from the ids on the host. */
  private void sortPositionsByToken(int inpo, int ordero, int N) {
    long[] keyed = new long[N];
    for (int i = 0; i < N; i++) keyed[i] = ((long) arena.ints().get(inpo + i) << 32) | i;
    Arrays.sort(keyed);
    for (int i = 0; i < N; i++) arena.ints().set(ordero + i, (int) keyed[i]);
  }

  // ---------------------------------------------------------------- buffers

  static final class TornadoFloatBuf extends FloatBuf {
    final int base; // offset in the float arena

    TornadoFloatBuf(String name, int size, int base) {
      super(name, size);
      this.base = base;
    }
  }

  static final class TornadoIntBuf extends IntBuf {
    final int base; // offset in the int arena

    TornadoIntBuf(String name, int size, int base) {
      super(name, size);
      this.base = base;
    }
  }
}

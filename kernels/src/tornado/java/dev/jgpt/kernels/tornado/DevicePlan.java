package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import uk.ac.manchester.tornado.api.DataRange;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.TornadoProfilerResult;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * One TornadoExecutionPlan whose task graphs share a single device copy of each kind's float array
 * of the arena (parameters, gradients, optimizer state, activations: each its own device buffer):
 * <ol start="0">
 *   <li>"upload": the whole arena host to device ({@link #uploadAll}, after buffers were filled on
 *       the host or when the plan is new);
 *   <li>"writes": small host writes (learning rate, step counters) scattered into the device copy
 *       ({@link #queueWrite}, {@link #flushWrites}): a few hundred bytes instead of the arena. Its
 *       own run only before a read; a step's first graph starts with the same scatter, so the
 *       writes queued before a step go up with it and cost no blocking execution of their own;
 *   <li>the graphs of each captured step ({@link #run}): one per {@link #TASKS_PER_GRAPH} launches, so a
 *       step of any depth fits TornadoVM's per-graph buffers.
 * </ol>
 * Every graph but the first consumes the four arrays from the graph that ran before it and persists
 * them for the next (TornadoVM passes the device buffers along; nothing is copied). TornadoVM takes
 * a consumed buffer from the graph that ran last, so every graph holds all four: each step graph
 * starts with one task over them: the scatter of the queued host writes in its first graph, a
 * {@link TransferKernels#keep} (one work item) in the others. The int arena (token
 * ids, positions) is small and host-owned: each graph that reads it uploads it on every run.
 * Results come down only on request ({@link #download}), or with the step's last graph for the
 * ranges the host read right after the step's recording run ({@link #readStaged}).
 */
final class DevicePlan implements AutoCloseable {
  /** -Djgpt.tornado.profile=true: TornadoVM's profiler counts bytes and kernel time (benchmarks). */
  static final boolean PROFILE = Boolean.getBoolean("jgpt.tornado.profile");

  /**
   * Launches per task graph. TornadoVM 5.2 records each task of a graph in a fixed 8192-byte buffer
   * (TornadoTaskGraph.highLevelCode: 15 + 5 per argument + 1 bytes a task, so at most 91 bytes
   * for our widest kernels, the tiled GEMM and AdamW with 15 arguments) before it compiles the
   * graph to its bytecode ({@code tornado.tvm.maxbytecodesize}); a graph of more than about 95
   * tasks throws BufferOverflowException while it is built. 80 (at most 7,280 bytes) leaves room
   * for the graph's own entries, its keep or scatter task and up to StepProgram.READBACK_RANGES
   * gather tasks (41 bytes each); a 48-layer training step is about 20 graphs, run back to back on
   * the arena's device copies.
   */
  static final int TASKS_PER_GRAPH = 80;

  /** TASKS_PER_GRAPH, or -Djgpt.tornado.tasksPerGraph (tests: many graphs from a small model). */
  static int tasksPerGraph() {
    int n = Integer.getInteger("jgpt.tornado.tasksPerGraph", TASKS_PER_GRAPH);
    if (n < 1 || n > TASKS_PER_GRAPH) {
      throw new IllegalArgumentException("-Djgpt.tornado.tasksPerGraph=" + n + ": use 1.." + TASKS_PER_GRAPH);
    }
    return n;
  }

  /** Floats a "writes" run can carry; larger host writes upload the whole arena instead. */
  static final int WRITE_CAPACITY = 256;

  private static int plans;

  private final Arena arena;
  private final EnumSet<BufferKind> held; // the kinds this plan keeps device copies of
  private final ArenaArrays arrays; // the arena's arrays for held kinds, one-float stand-ins for the others
  private final FloatArray[] floats; // arrays.floats(): BufferKind order
  private final IntArray ints;
  private final int generation;
  private final TornadoExecutionPlan plan;
  private final Map<StepProgram, List<StepGraph>> graphsOf = new HashMap<>(); // a step's graphs, in order
  private final Stats stats;
  private final FloatArray writeValues = new FloatArray(WRITE_CAPACITY);
  private final IntArray writeIndex = new IntArray(2 * WRITE_CAPACITY + 1); // [0] = count, then (kind, offset) pairs
  private final float[] queuedValues = new float[WRITE_CAPACITY];
  private final int[] queuedIndex = new int[WRITE_CAPACITY];
  private final BufferKind[] queuedKind = new BufferKind[WRITE_CAPACITY];
  private int queued;
  private TornadoExecutionResult last;
  private final Map<StepProgram, Boolean> compiled = new HashMap<>();
  private final Map<StepProgram, Readback> readbacks = new HashMap<>();
  private Readback staged; // what the last run brought back, until anything else runs or is written
  private final List<StepProgram> steps;

  /** Whether the device copy holds the latest arena contents (once queued writes are flushed). */
  boolean current;

  /** compilerFlags: the OpenCL build options (DeviceMath), or null for TornadoVM's own. */
  DevicePlan(Arena arena, List<StepProgram> steps, TornadoDevice device, String compilerFlags, Stats stats) {
    long start = System.nanoTime();
    this.arena = arena;
    this.held = kindsUsedBy(steps);
    this.arrays = arena.arrays().keeping(held);
    this.floats = arrays.floats();
    this.ints = arrays.ints();
    this.generation = arena.generation();
    this.stats = stats;
    this.steps = List.copyOf(steps);
    String prefix = "jgpt" + (plans++) + "_";
    GridScheduler grids = new GridScheduler();
    List<ImmutableTaskGraph> graphs = new ArrayList<>();
    graphs.add(new TaskGraph(prefix + "upload")
        .transferToDevice(DataTransferMode.EVERY_EXECUTION, (Object[]) floats)
        .task("t0", TransferKernels::keep, floats[0], floats[1], floats[2], floats[3])
        .persistOnDevice((Object[]) floats)
        .snapshot());
    writeIndex.init(0);
    graphs.add(new TaskGraph(prefix + "writes")
        .consumeFromDevice((Object[]) floats)
        .transferToDevice(DataTransferMode.EVERY_EXECUTION, writeValues, writeIndex)
        .task("t0", TransferKernels::scatter, floats[0], floats[1], floats[2], floats[3], writeValues, writeIndex,
            WRITE_CAPACITY)
        .persistOnDevice((Object[]) floats)
        .snapshot());
    int perGraph = tasksPerGraph();
    for (int s = 0; s < steps.size(); s++) {
      StepProgram step = steps.get(s);
      List<StepGraph> parts = new ArrayList<>();
      List<int[]> reads = List.copyOf(step.readsAfter);
      FloatArray readback = reads.isEmpty() ? null : new FloatArray(reads.stream().mapToInt(r -> r[2]).sum());
      if (readback != null) readbacks.put(step, new Readback(reads, readback));
      for (int from = 0; from < Math.max(1, step.launches.size()); from += perGraph) {
        int to = Math.min(step.launches.size(), from + perGraph);
        List<Launch> launches = step.launches.subList(from, to);
        boolean first = parts.isEmpty();
        boolean lastPart = to >= step.launches.size();
        parts.add(new StepGraph(graphs.size(), launches.stream().anyMatch(Launch::usesInts), launches));
        graphs.add(stepGraph(prefix + "s" + s + "p" + parts.size(), step.name, launches, first,
            lastPart ? reads : List.of(), readback, grids).snapshot());
      }
      graphsOf.put(step, parts);
      stats.graphsPerStep.put(step.name, parts.size());
    }
    plan = new TornadoExecutionPlan(graphs.toArray(ImmutableTaskGraph[]::new));
    if (device != null) plan.withDevice(device);
    if (compilerFlags != null) plan.withCompilerFlags(TornadoVMBackendType.OPENCL, compilerFlags);
    if (!grids.keySet().isEmpty()) plan.withGridScheduler(grids);
    if (PROFILE) plan.withProfiler(ProfilerMode.SILENT);
    stats.planBuilds++;
    stats.planBuildNanos += System.nanoTime() - start;
  }

  /** One of a step's graphs: its index in the plan, and whether it uploads the int arena. */
  private record StepGraph(int index, boolean usesInts, List<Launch> launches) {}

  /** One graph of a step: launches (at most TASKS_PER_GRAPH) in order, over the arena on the device. */
  private TaskGraph stepGraph(String name, String stepName, List<Launch> launches, boolean applyWrites,
      List<int[]> reads, FloatArray readback, GridScheduler grids) {
    TaskGraph g = new TaskGraph(name).consumeFromDevice((Object[]) floats);
    if (launches.stream().anyMatch(Launch::usesInts)) g.transferToDevice(DataTransferMode.EVERY_EXECUTION, ints);
    GraphSink sink = new GraphSink(g);
    if (applyWrites) {
      // A step's first graph applies the queued host writes itself (no "writes" run of its own):
      // one blocking execution fewer per step that follows a write (learning rate, step counters).
      g.transferToDevice(DataTransferMode.EVERY_EXECUTION, writeValues, writeIndex);
      sink.task(TransferKernels::scatter, floats[0], floats[1], floats[2], floats[3], writeValues, writeIndex,
          WRITE_CAPACITY); // also holds every kind in the graph
    } else {
      sink.task(TransferKernels::keep, floats[0], floats[1], floats[2], floats[3]); // every kind in every graph
    }
    for (Launch l : launches) {
      if (l.grid() != null) {
        int[] d = l.grid();
        WorkerGrid2D grid = new WorkerGrid2D(d[0], d[1]);
        grid.setLocalWork(d[2], d[3], 1);
        grids.addWorkerGrid(name + "." + sink.nextTaskId(), grid);
      }
      try {
        l.device().submit(sink, arrays, new KernelContext()); // TornadoVM reads the kernel's bytecode here
      } catch (RuntimeException | Error e) {
        if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError)) throw e;
        throw DeviceFailure.of(stepName, List.of(l), 0, 0, deviceBytes(), e);
      }
    }
    if (!reads.isEmpty()) {
      // The ranges the host reads after this step, into its read-back array, which comes back
      // with this graph's own run: no blocking transfer of their own.
      int at = 0;
      for (int[] r : reads) {
        sink.task(TransferKernels::gather, floats[r[0]], readback, r[1], at, r[2]);
        at += r[2];
      }
      g.transferToHost(DataTransferMode.EVERY_EXECUTION, readback);
    }
    return g.persistOnDevice((Object[]) floats);
  }

  boolean includes(StepProgram step) {
    return graphsOf.containsKey(step);
  }

  /** The steps this plan runs, in graph order. */
  List<StepProgram> steps() {
    return steps;
  }

  /** Whether step's graph ran here before (TornadoVM compiles it on its first run). */
  boolean compiled(StepProgram step) {
    return compiled.containsKey(step);
  }

  /** False once the arena was replaced: the graphs hold the old arrays. */
  boolean valid() {
    return arena.generation() == generation && arena.arrays().sameFor(held, arrays);
  }

  /**
   * The kinds a plan's steps touch (the kinds in their launches' signatures and read-backs), and
   * always the activations (step scalars). A plan holds device copies of these only: a plan of
   * evaluation or sampling steps leaves the gradients and optimizer state out, so each plan beside
   * the training one costs the parameters and activations, not the whole arena.
   */
  static EnumSet<BufferKind> kindsUsedBy(List<StepProgram> steps) {
    EnumSet<BufferKind> kinds = EnumSet.of(BufferKind.ACTIVATIONS);
    for (StepProgram step : steps) {
      for (Launch l : step.launches) {
        for (Object part : l.signature()) {
          if (part instanceof BufferKind k) kinds.add(k);
        }
      }
      for (int[] r : step.readsAfter) kinds.add(BufferKind.values()[r[0]]);
    }
    return kinds;
  }

  /** Whether this plan keeps a device copy of kind (else the host's copy is the one). */
  boolean holds(BufferKind kind) {
    return held.contains(kind);
  }

  /** Bytes of this plan's device copies: every kind's array and the ints. */
  long deviceBytes() {
    long bytes = 4L * ints.getSize();
    for (FloatArray f : floats) bytes += 4L * f.getSize();
    return bytes;
  }

  /** Host arena to device, whole. */
  void uploadAll() {
    last = profiled(plan.withGraph(0).execute());
    stats.graphRuns++;
    for (FloatArray f : floats) stats.bytesUp += 4L * f.getSize();
    stats.fullUploads++;
    queued = 0;
    staged = null;
    current = true;
  }

  /** Queues kind's array [index] = value for the next {@link #flushWrites}; false when the queue is full. */
  boolean queueWrite(BufferKind kind, int index, float value) {
    if (queued == WRITE_CAPACITY) return false;
    staged = null;
    queuedKind[queued] = kind;
    queuedIndex[queued] = index;
    queuedValues[queued] = value;
    queued++;
    return true;
  }

  int queuedWrites() {
    return queued;
  }

  /** Applies the queued host writes on the device (before a read; a step run applies them itself). */
  void flushWrites() {
    if (queued == 0) return;
    stageWrites();
    last = profiled(plan.withGraph(1).execute());
    stats.graphRuns++;
    stats.bytesUp += 4L * (writeValues.getSize() + writeIndex.getSize());
    stats.writeFlushes++;
    staged = null;
  }

  /** The queued writes into the arrays the scatter task uploads; the queue empties. */
  private void stageWrites() {
    writeIndex.set(0, queued);
    for (int i = 0; i < queued; i++) {
      writeIndex.set(1 + 2 * i, queuedKind[i].ordinal());
      writeIndex.set(2 + 2 * i, queuedIndex[i]);
      writeValues.set(i, queuedValues[i]);
    }
    queued = 0;
  }

  /** Runs a step's graphs in order; the int arena goes up with each graph that reads ids. */
  void run(StepProgram step) {
    List<StepGraph> parts = graphsOf.get(step);
    if (parts == null) throw new IllegalStateException("step " + step.name + " is not in this plan");
    boolean first = compiled.put(step, Boolean.TRUE) == null;
    staged = null;
    long start = System.nanoTime();
    stageWrites(); // the first graph scatters them (none: count 0)
    stats.bytesUp += 4L * (writeValues.getSize() + writeIndex.getSize());
    for (int i = 0; i < parts.size(); i++) {
      StepGraph g = parts.get(i);
      try {
        last = profiled(plan.withGraph(g.index()).execute());
      } catch (RuntimeException | Error e) {
        if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError)) throw e;
        throw DeviceFailure.of(step.name, g.launches(), i + 1, parts.size(), deviceBytes(), e);
      }
      stats.graphRuns++;
      if (g.usesInts()) stats.bytesUp += 4L * ints.getSize();
    }
    long nanos = System.nanoTime() - start;
    if (first) {
      stats.firstRunNanos.merge(step.name, nanos, Long::sum);
    }
    stats.deviceRuns++;
    staged = readbacks.get(step);
    if (staged != null) stats.bytesDown += 4L * staged.values.getSize();
  }

  /** What a step's last graph brings back: the ranges ({kind, offset, length}) and their values. */
  private record Readback(List<int[]> ranges, FloatArray values) {}

  /**
   * Serves a read of kind's floats [offset, offset + len) from what the step that ran last brought
   * back, when nothing ran or was written on this plan since and a range holds it; false otherwise.
   */
  boolean readStaged(BufferKind kind, int offset, float[] dst, int dstOffset, int len) {
    if (staged == null) return false;
    int at = 0;
    for (int[] r : staged.ranges) {
      if (r[0] == kind.ordinal() && offset >= r[1] && offset + len <= r[1] + r[2]) {
        MemorySegment.copy(staged.values.getSegment(), ValueLayout.JAVA_FLOAT, 4L * (at + offset - r[1]), dst,
            dstOffset,
            len);
        stats.readsWithStep++;
        return true;
      }
      at += r[2];
    }
    return false;
  }

  private TornadoExecutionResult profiled(TornadoExecutionResult result) {
    if (PROFILE) {
      TornadoProfilerResult p = result.getProfilerResult();
      stats.profiledBytesIn += p.getTotalBytesCopyIn();
      stats.profiledBytesOut += p.getTotalBytesCopyOut();
      stats.profiledKernelNanos += p.getDeviceKernelTime();
      stats.profiledCompileNanos += p.getCompileTime();
    }
    return result;
  }

  /** Device to host: floats [offset, offset + len) of kind's array into the host arena. */
  void download(BufferKind kind, int offset, int len) {
    if (len == 0) return;
    // Always as a range: transferToHost(floats) of a persisted object after withGraph(i) left the
    // host copy unchanged in TornadoVM 5.2 (StepCaptureTest caught it).
    last.transferToHost(new DataRange(arrays.of(kind)).withOffset(offset).withSize(len));
    stats.bytesDown += 4L * len;
    stats.reads++;
  }

  void downloadAll() {
    for (BufferKind kind : held) download(kind, 0, arrays.of(kind).getSize());
    stats.fullDownloads++;
  }

  @Override
  public void close() {
    try {
      plan.close();
    } catch (TornadoExecutionPlanException e) {
      throw new IllegalStateException("TornadoVM: could not free a device plan: " + e.getMessage(), e);
    }
  }
}

package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * Where launches run and which {@link DevicePlan}s exist: a step's recording run on the host (or
 * on the device with {@code compileFirstRun}), its replays on the device through a step plan, and
 * ops outside steps on the host or, with {@code eagerOnDevice}, through small cached one-op plans.
 * {@link Residency} keeps the arena's copies consistent across all of them.
 *
 * <p>Compile once: TornadoVM caches compiled kernels per execution plan, so a plan is never rebuilt
 * to add a step. The first replay builds one plan holding every step recorded so far (in training:
 * train and update (which also zeroes the gradients), which then run back to back on one device copy of the arena); a step
 * recorded later (the first evaluation, the first sample) gets a plan of its own with the other
 * steps recorded since. Switching plans moves the arena down and up once and never recompiles. Each
 * plan keeps its own device copy of the kinds its steps touch (an evaluation or sampling plan: the
 * parameters and activations, not the gradients and optimizer state; TornadoVM 5.2 shares no
 * device buffer between plans, and crashes when a plan whose device
 * memory was freed runs again), so when one more copy would not fit in the device's memory the
 * least recently used plan is closed first and its steps compile again when they next run. That,
 * and a grown arena (a buffer allocated after the first replay), are the only recompilations, and
 * {@link Stats#compilations} shows them.
 */
final class Plans {
  /**
   * Diagnostics: every run of every step on the host, through the kernels' Java form, never on the
   * device. Set with -Djgpt.tornado.hostOnly=true to tell the kernels' summation order (which the
   * host run shares) from the device compiler's arithmetic (fused multiply-adds, relaxed math).
   */
  static final boolean HOST_ONLY = Boolean.getBoolean("jgpt.tornado.hostOnly");

  /** Eager one-op plans kept for reuse on the device (each holds a device copy of the arena). */
  private static final int EAGER_PLANS = 8;

  private final TornadoDevice device;
  private final String compilerFlags; // DeviceMath's choice for device
  private final Arena arena;
  private final Stats stats;
  private final Residency residency;
  private final boolean compileFirstRun;
  private final boolean eagerOnDevice;
  private final HostSink hostSink = new HostSink();
  private final Map<List<List<Object>>, EagerPlan> eagerPlans = new LinkedHashMap<>(16, 0.75f, true);
  private final List<DevicePlan> stepPlans = new ArrayList<>();
  private final List<StepProgram> unplanned = new ArrayList<>(); // recorded, in no plan yet
  private final String deviceName;
  private final DeviceMemory memory;
  private final Consumer<String> notices;

  /** notices: where the one-line "compiling N kernels for DEVICE..." goes. */
  Plans(TornadoDevice device, String deviceName, DeviceMemory memory, Arena arena, Stats stats, Residency residency,
      boolean compileFirstRun, boolean eagerOnDevice, Consumer<String> notices) {
    this.device = device;
    this.compilerFlags = DeviceMath.compilerFlags(device);
    this.deviceName = deviceName;
    this.memory = memory;
    this.notices = notices;
    this.arena = arena;
    this.stats = stats;
    this.residency = residency;
    this.compileFirstRun = compileFirstRun;
    this.eagerOnDevice = eagerOnDevice;
  }

  /** A step's first run, just recorded. */
  void runRecorded(StepProgram step) {
    unplanned.add(step);
    if (compileFirstRun) runOnDevice(step);
    else runOnHost(step.launches);
  }

  /** Whether a step plan holds step (its graphs, and what they read back, are fixed). */
  boolean planned(StepProgram step) {
    for (DevicePlan p : stepPlans) {
      if (p.includes(step)) return true;
    }
    return false;
  }

  /** A replay of a recorded step. */
  void runReplay(StepProgram step) {
    if (HOST_ONLY) runOnHost(step.launches);
    else runOnDevice(step);
  }

  /** An op outside steps: on the host, or on the device through a cached one-op plan. */
  void runEager(List<Launch> group) {
    if (!eagerOnDevice) {
      runOnHost(group);
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
      eager = new EagerPlan(new DevicePlan(arena, List.of(program), device, compilerFlags, stats), program);
      stats.compilations.merge(program.name, 1, Integer::sum);
      residency.add(eager.plan);
      eagerPlans.put(key, eager);
    }
    try {
      residency.beforeDeviceRun(eager.plan);
      eager.program.prepare();
      eager.plan.run(eager.program);
      residency.afterDeviceRun(eager.plan);
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError)) throw e;
      throw DeviceFailure.of(eager.program.name, List.of(), 0, 0, arena.bytesUsed(), e);
    }
  }

  void close() {
    residency.closeAll();
    eagerPlans.clear();
    stepPlans.clear();
  }

  private void runOnHost(List<Launch> launches) {
    residency.beforeHostRun();
    for (Launch l : launches) {
      if (l.prepare() != null) l.prepare().run();
      l.host().submit(hostSink, arena.arrays(), null);
    }
    residency.afterHostRun();
  }

  /** Runs step on its plan; any TornadoVM failure becomes one line naming the step (DeviceFailure). */
  private void runOnDevice(StepProgram step) {
    try {
      runOnPlan(step);
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError)) throw e;
      throw DeviceFailure.of(step.name, List.of(), 0, 0, arena.bytesUsed(), e);
    }
  }

  private void runOnPlan(StepProgram step) {
    DevicePlan plan = existingPlan(step);
    if (plan == null || !plan.compiled(step)) {
      // TornadoVM reads the kernels when the plan is built and compiles them on the graph's first
      // run: seconds to minutes, so say so.
      notices.accept("compiling " + step.launches.size() + " kernels for " + deviceName + " (step " + step.name
          + ")...");
      stats.compilations.merge(step.name, 1, Integer::sum);
    }
    if (plan == null) plan = newPlan(step);
    stepPlans.remove(plan);
    stepPlans.add(plan); // most recently used last
    residency.beforeDeviceRun(plan);
    step.prepare();
    plan.run(step);
    residency.afterDeviceRun(plan);
  }

  /** The valid plan holding step, or null. */
  private DevicePlan existingPlan(StepProgram step) {
    for (DevicePlan p : stepPlans) {
      if (p.includes(step) && p.valid()) return p;
    }
    return null;
  }

  /**
   * A new plan for step: with the steps of its stale plan (built on replaced arena arrays), or
   * else with every step not yet in a plan.
   */
  private DevicePlan newPlan(StepProgram step) {
    List<StepProgram> group = new ArrayList<>();
    for (DevicePlan p : List.copyOf(stepPlans)) {
      if (p.includes(step)) {
        group.addAll(p.steps());
        stepPlans.remove(p);
        residency.remove(p);
      }
    }
    if (group.isEmpty()) {
      group.addAll(unplanned);
      unplanned.clear();
    }
    if (!group.contains(step)) group.add(step);
    makeRoomForOneMoreCopy(group);
    residency.ensureHostCurrent();
    dropStalePlans();
    arena.trim();
    dropStalePlans();
    DevicePlan plan = new DevicePlan(arena, group, device, compilerFlags, stats);
    stats.planDeviceBytes.add(plan.deviceBytes());
    stepPlans.add(plan);
    residency.add(plan);
    return plan;
  }

  /**
   * Closes least recently used step plans (their steps go back to being unplanned) until a plan for
   * group (device copies of the kinds its steps touch) fits in the device's memory beside the
   * remaining ones.
   */
  private void makeRoomForOneMoreCopy(List<StepProgram> group) {
    long copy = 4L * arena.intsUsed();
    for (BufferKind kind : DevicePlan.kindsUsedBy(group)) copy += 4L * arena.floatsUsed(kind);
    while (!stepPlans.isEmpty() && held() + copy > memory.globalMemory()) {
      DevicePlan eldest = stepPlans.removeFirst();
      residency.remove(eldest); // saves the arena to the host first when it holds the only copy
      unplanned.addAll(eldest.steps());
    }
  }

  /** Bytes the step plans' device copies take. */
  private long held() {
    long bytes = 0;
    for (DevicePlan p : stepPlans) bytes += p.deviceBytes();
    return bytes;
  }

  /** A one-op device plan for an op outside steps, and the op as its only step. */
  private record EagerPlan(DevicePlan plan, StepProgram program) {}

  /**
   * Closes eager plans built on replaced arena arrays (the host copy is made current first); stale
   * step plans stay listed so that {@link #newPlan} rebuilds them with the same steps, but their
   * device copies are freed.
   */
  private void dropStalePlans() {
    for (DevicePlan p : residency.plans()) {
      if (!p.valid()) {
        residency.remove(p);
        eagerPlans.values().removeIf(e -> e.plan == p);
      }
    }
  }
}

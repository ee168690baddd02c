package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the latest float arena contents (all kinds together) live: on the host, and/or in the device copies of some
 * {@link DevicePlan}s. The rules:
 * <ul>
 *   <li>a device run makes its plan the only holder (the host copy and other plans go stale);
 *   <li>a host run (recording run, eager op) needs the host copy current and leaves only it current;
 *   <li>a small host write goes to the host copy and is queued for each current plan; a big one
 *       makes the host copy the only holder;
 *   <li>a read copies just the range from the last device run when the host copy is stale.
 * </ul>
 * So in steady state (steps replaying on one plan) nothing moves but what the host writes and reads.
 * A plan keeps copies of the kinds its steps touch only ({@link DevicePlan#holds}): for the other
 * kinds the host copy stays the latest, whatever ran.
 */
final class Residency {
  private final Arena arena;
  private final Stats stats;
  private final List<DevicePlan> plans = new ArrayList<>();
  private boolean hostCurrent = true;
  private DevicePlan lastRun;

  Residency(Arena arena, Stats stats) {
    this.arena = arena;
    this.stats = stats;
  }

  void add(DevicePlan plan) {
    plan.current = false;
    plans.add(plan);
  }

  /** Frees a plan, first saving the arena to the host when the plan holds its only copy. */
  void remove(DevicePlan plan) {
    if (!plans.remove(plan)) return;
    if (plan == lastRun) {
      ensureHostCurrent();
      lastRun = null;
    }
    plan.close();
  }

  List<DevicePlan> plans() {
    return List.copyOf(plans);
  }

  /** Makes the host arena current: downloads it from the plan that ran last when it is not. */
  void ensureHostCurrent() {
    if (hostCurrent) return;
    lastRun.flushWrites();
    lastRun.downloadAll();
    hostCurrent = true;
  }

  /**
   * Before a device run on plan: bring its device copy up to date (queued small writes stay
   * queued: the step's first graph applies them).
   */
  void beforeDeviceRun(DevicePlan plan) {
    if (!plan.current) {
      ensureHostCurrent();
      plan.uploadAll();
    }
  }

  /** After a device run on plan: it alone holds the latest contents. */
  void afterDeviceRun(DevicePlan plan) {
    hostCurrent = false;
    lastRun = plan;
    for (DevicePlan p : plans) {
      if (p != plan) p.current = false;
    }
  }

  /** Before Java code reads or writes the host arena wholesale. */
  void beforeHostRun() {
    ensureHostCurrent();
  }

  /** After Java code changed the host arena: every device copy is stale. */
  void afterHostRun() {
    for (DevicePlan p : plans) p.current = false;
    stats.hostRuns++;
  }

  /** Host to kind's arena floats [offset, offset + len). */
  void write(BufferKind kind, int offset, float[] src, int srcOffset, int len) {
    if (len == 0) return;
    boolean small = len <= DevicePlan.WRITE_CAPACITY;
    if (small) {
      for (DevicePlan p : plans) {
        if (p.current && p.holds(kind) && p.queuedWrites() + len > DevicePlan.WRITE_CAPACITY) {
          small = false;
          break;
        }
      }
    }
    if (!small) {
      // The host copy becomes the only holder: it must be whole first.
      ensureHostCurrent();
      arena.writeFloats(kind, offset, src, srcOffset, len);
      for (DevicePlan p : plans) p.current = false;
      return;
    }
    arena.writeFloats(kind, offset, src, srcOffset, len);
    for (DevicePlan p : plans) {
      if (p.current && p.holds(kind)) {
        for (int i = 0; i < len; i++) p.queueWrite(kind, offset + i, src[srcOffset + i]);
      }
    }
  }

  /** Kind's arena floats [offset, offset + len) to the host. */
  void read(BufferKind kind, int offset, float[] dst, int dstOffset, int len) {
    if (len == 0) return;
    if (!hostCurrent && lastRun.holds(kind)) { // a kind the plan does not hold is current on the host
      if (lastRun.readStaged(kind, offset, dst, dstOffset, len)) return; // came back with the step
      lastRun.flushWrites();
      lastRun.download(kind, offset, len);
    }
    arena.readFloats(kind, offset, dst, dstOffset, len);
  }

  void closeAll() {
    for (DevicePlan p : plans) p.close();
    plans.clear();
    lastRun = null;
    hostCurrent = true;
  }
}

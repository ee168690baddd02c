package dev.jgpt.kernels.tornado;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link TornadoBackend} moved and compiled, for tests (a replayed training step must move
 * only ids up and the loss down) and for benchmarks. Counts since the backend was opened.
 */
public final class Stats {
  /** Bytes host to device: int arena uploads with each graph run, small writes, full uploads. */
  public long bytesUp;
  /** Bytes device to host: reads and full downloads. */
  public long bytesDown;
  /** Whole-arena uploads (new plan, big host write, after a host run). */
  public int fullUploads;
  /** Whole-arena downloads (before a host run or a plan rebuild). */
  public int fullDownloads;
  /** Runs of the small-writes graph. */
  public int writeFlushes;
  /** Step runs on the device (each one or more graph runs). */
  public int deviceRuns;
  /**
   * Blocking task-graph executions of any kind (whole uploads, small-write flushes, step graphs):
   * each waits for the device, so with {@link #reads} they are the host-device sync points.
   */
  public int graphRuns;
  /** Ranges read back from the device on their own (blocking transfers: full downloads, reads). */
  public int reads;
  /** Reads served from what a step's graph brought back with its run (no transfer of their own). */
  public int readsWithStep;
  /** Step or op runs on the host in Java (recording runs, eager ops). */
  public int hostRuns;
  /** Device plans built, and the time spent building them (graph construction, not compilation). */
  public int planBuilds;
  public long planBuildNanos;
  /**
   * With -Djgpt.tornado.profile=true, TornadoVM's own profiler counts (bytes copied in and out by
   * graph runs, device kernel time, compile time); 0 otherwise.
   */
  public long profiledBytesIn, profiledBytesOut, profiledKernelNanos, profiledCompileNanos;
  /**
   * Per step (or eager op): how many times its graph was compiled, that is, first run in a new
   * plan. Once per run is the goal; more means a plan was rebuilt.
   */
  public final Map<String, Integer> compilations = new LinkedHashMap<>();
  /**
   * Per step plan built, in order: the bytes of its device copies (the kinds its steps touch and
   * the ints; one float for each kind it leaves out).
   */
  public final java.util.List<Long> planDeviceBytes = new java.util.ArrayList<>();
  /** Per step: the task graphs it runs as (one per DevicePlan.TASKS_PER_GRAPH launches). */
  public final Map<String, Integer> graphsPerStep = new LinkedHashMap<>();
  /** Per step: the time of each first device run of its graph (TornadoVM compiles it then). */
  public final Map<String, Long> firstRunNanos = new LinkedHashMap<>();

  /** A copy, to subtract from a later snapshot. */
  public Stats snapshot() {
    Stats s = new Stats();
    s.bytesUp = bytesUp;
    s.bytesDown = bytesDown;
    s.fullUploads = fullUploads;
    s.fullDownloads = fullDownloads;
    s.writeFlushes = writeFlushes;
    s.deviceRuns = deviceRuns;
    s.graphRuns = graphRuns;
    s.reads = reads;
    s.readsWithStep = readsWithStep;
    s.hostRuns = hostRuns;
    s.planBuilds = planBuilds;
    s.planBuildNanos = planBuildNanos;
    s.profiledBytesIn = profiledBytesIn;
    s.profiledBytesOut = profiledBytesOut;
    s.profiledKernelNanos = profiledKernelNanos;
    s.profiledCompileNanos = profiledCompileNanos;
    s.firstRunNanos.putAll(firstRunNanos);
    s.compilations.putAll(compilations);
    s.graphsPerStep.putAll(graphsPerStep);
    s.planDeviceBytes.addAll(planDeviceBytes);
    return s;
  }

  @Override
  public String toString() {
    return "up " + bytesUp + " B, down " + bytesDown + " B, full uploads " + fullUploads + ", full downloads "
        + fullDownloads + ", write flushes " + writeFlushes + ", device runs " + deviceRuns + ", graph runs " + graphRuns
        + ", reads " + reads + " (+ " + readsWithStep + " with a step), host runs " + hostRuns + ", plans " + planBuilds;
  }
}

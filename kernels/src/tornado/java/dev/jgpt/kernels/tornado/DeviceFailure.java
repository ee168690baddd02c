package dev.jgpt.kernels.tornado;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A TornadoVM failure, caught where a step ran on the device and told in one line: which step,
 * which of its graphs and kernels, and the likely cause. TornadoVM's own exception stays attached
 * as the cause, so {@code --debug} prints its report under the line.
 */
final class DeviceFailure extends IllegalStateException {
  private DeviceFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * @param step the step that was running
   * @param launches the launches of the graph that failed, or empty when it failed before a graph
   *     ran (building the plan, moving the arena)
   * @param graph which of the step's graphs (1-based), of graphs; 0 when none ran
   * @param arenaBytes the device copy's size, for memory failures
   */
  static DeviceFailure of(String step, List<Launch> launches, int graph, int graphs, long arenaBytes, Throwable e) {
    if (e instanceof DeviceFailure d) return d;
    StringBuilder where = new StringBuilder("TornadoVM failed in step \"" + step + "\"");
    if (graph > 0) where.append(", graph ").append(graph).append(" of ").append(graphs);
    String kernels = kernels(launches, e);
    if (!kernels.isEmpty()) where.append(graph > 0 ? " (" : ", ").append(kernels).append(graph > 0 ? ")" : "");
    return new DeviceFailure(where + ": " + likelyCause(e, arenaBytes) + " [" + firstLine(e) + "]", e);
  }

  /** The kernel a message names (TornadoVM names tasks "graph.tN"), else the graph's kernels. */
  private static String kernels(List<Launch> launches, Throwable e) {
    String text = allMessages(e);
    for (int i = launches.size() - 1; i >= 0; i--) {
      if (text.contains(".t" + i + " ") || text.contains(".t" + i + "]") || text.contains(".t" + i + ",")
          || text.endsWith(".t" + i)) {
        return "kernel " + launches.get(i).op();
      }
    }
    Set<String> ops = new LinkedHashSet<>();
    for (Launch l : launches) ops.add(l.op());
    if (ops.isEmpty()) return "";
    List<String> shown = ops.stream().limit(6).toList();
    return "kernels " + String.join(", ", shown) + (ops.size() > shown.size() ? ", ..." : "");
  }

  /** What most likely went wrong, and what to do about it. */
  static String likelyCause(Throwable e, long arenaBytes) {
    String text = allMessages(e).toLowerCase(Locale.ROOT);
    if (e instanceof OutOfMemoryError || text.contains("out of memory") || text.contains("out_of_resources")
        || text.contains("mem_object_allocation") || text.contains("memory limit") || text.contains("device memory")
        || text.contains("unable to allocate") || text.contains("cannot allocate") || text.contains("failed to allocate")) {
      return String.format(Locale.ROOT, "the device ran out of memory (the arena needs %.2f GiB); lower --batch-size or"
          + " --block-size, or use a smaller model", arenaBytes / (double) (1L << 30));
    }
    if (text.contains("bufferoverflow") || text.contains("maxbytecodesize") || text.contains("buffer overflow")) {
      return "the step's task graph is too large for TornadoVM's buffers (model depth)";
    }
    if (text.contains("bailout") || text.contains("recover option") || text.contains("compil")
        || text.contains("unsupported") || text.contains("build program") || text.contains("cl_build")
        || text.contains("inlin")) { // TornadoInliningException: a helper over TornadoVM's inlining limit
      return "a kernel did not compile for this device (run with --debug for TornadoVM's report)";
    }
    return "an error inside TornadoVM (run with --debug for its report)";
  }

  private static String allMessages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      all.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(' ');
    }
    return all.toString();
  }

  private static String firstLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) root = root.getCause();
    // TornadoVM colours its messages with ANSI escapes: not for a one-line error
    String m = root.getMessage() == null ? "" : root.getMessage().replaceAll("\u001B\\[[0-9;]*m", "").strip();
    int nl = m.indexOf('\n');
    if (nl >= 0) m = m.substring(0, nl);
    if (m.length() > 160) m = m.substring(0, 157) + "...";
    return root.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
  }
}

package dev.jgpt.kernels.tornado;

import java.util.ArrayList;
import java.util.List;

/** The launches of one captured step, in call order, recorded from its first run. */
final class StepProgram {
  final String name;
  final List<Launch> launches = new ArrayList<>();
  /** How many times the step ran (the recording run included). */
  int runs;
  /**
   * Float ranges the host read right after the recording run ({kind ordinal, offset, length}):
   * the step's graph copies them into a small array that comes back with the graph's own run, so
   * reading them after a replay (the losses, the gradient norm, a row of logits) costs no blocking
   * transfer of its own (see DevicePlan).
   */
  final List<int[]> readsAfter = new ArrayList<>();

  /** Most ranges, and floats in all, a step reads back with its graph. */
  static final int READBACK_RANGES = 8, READBACK_FLOATS = 1 << 16;

  /** Adds a read-back range unless it is there already or the read-back is full. */
  void noteReadAfter(int kind, int offset, int len) {
    int floats = 0;
    for (int[] r : readsAfter) {
      if (r[0] == kind && r[1] == offset && r[2] == len) return;
      floats += r[2];
    }
    if (readsAfter.size() < READBACK_RANGES && floats + len <= READBACK_FLOATS) {
      readsAfter.add(new int[] {kind, offset, len});
    }
  }

  StepProgram(String name) {
    this.name = name;
  }

  boolean usesInts() {
    return launches.stream().anyMatch(Launch::usesInts);
  }

  void prepare() {
    for (Launch l : launches) {
      if (l.prepare() != null) l.prepare().run();
    }
  }
}

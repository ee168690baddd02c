package dev.jgpt.kernels.tornado;

import java.util.ArrayList;
import java.util.List;

/** The launches of one captured step, in call order, recorded from its first run. */
final class StepProgram {
  final String name;
  final List<Launch> launches = new ArrayList<>();
  /** How many times the step ran (the recording run included). */
  int runs;

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

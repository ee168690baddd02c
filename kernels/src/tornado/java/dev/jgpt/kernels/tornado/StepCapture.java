package dev.jgpt.kernels.tornado;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step capture: the first run of a named step records its launches into a {@link StepProgram};
 * every later run must issue the same launches again (checked launch by launch, with a one-line
 * error) and replays the recorded program on the device. Launches outside a step run at once.
 */
final class StepCapture {
  private final Plans plans;
  private final Map<String, StepProgram> steps = new LinkedHashMap<>();
  private StepProgram current; // the open step
  private boolean recording; // whether the open step is its first run
  private int replayCursor;
  private StepProgram lastEnded; // the step that ended last, until a float write or the next step

  StepCapture(Plans plans) {
    this.plans = plans;
  }

  void beginStep(String name) {
    if (current != null) throw new IllegalStateException("beginStep(\"" + name + "\") while step \"" + current.name
        + "\" is open: call endStep() first");
    StepProgram step = steps.get(name);
    recording = step == null;
    current = recording ? new StepProgram(name) : step;
    lastEnded = null;
    replayCursor = 0;
  }

  void endStep() {
    if (current == null) throw new IllegalStateException("endStep() without beginStep()");
    StepProgram step = current;
    current = null;
    if (recording) {
      steps.put(step.name, step);
      plans.runRecorded(step);
    } else {
      if (replayCursor != step.launches.size()) {
        throw new IllegalStateException("step \"" + step.name + "\" ran " + replayCursor + " launches, its first run had "
            + step.launches.size() + ": a captured step must repeat the same ops every time");
      }
      plans.runReplay(step);
    }
    step.runs++;
    lastEnded = step;
  }

  /**
   * A float read outside steps: right after a step's recording run (no float write between), the
   * range becomes one the step's graph reads back with its run, if the step has no plan yet.
   */
  void noteRead(int kind, int offset, int len) {
    if (lastEnded != null && lastEnded.runs == 1 && !plans.planned(lastEnded)) {
      lastEnded.noteReadAfter(kind, offset, len);
    }
  }

  /** A float write from the host: later reads are no longer just the last step's results. */
  void noteWrite() {
    lastEnded = null;
  }

  /** Runs, records or checks the launches of one op (inside a step: records or checks each). */
  void launch(Launch... group) {
    if (current == null) {
      plans.runEager(List.of(group));
      return;
    }
    for (Launch l : group) {
      if (recording) current.launches.add(l);
      else checkReplay(l);
    }
  }

  /** Buffers are allocated at setup: an allocation inside a step would change the arena under it. */
  void requireNoStep(String what) {
    if (current != null) throw new IllegalStateException(what + " inside step \"" + current.name
        + "\": allocate buffers before the first step");
  }

  /** A captured step must not depend on a value read back mid-step. */
  void requireNoStepForRead() {
    if (current != null) {
      throw new IllegalStateException("read() inside step \"" + current.name + "\": a captured step must not depend on"
          + " a value read back mid-step; read after endStep()");
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
}

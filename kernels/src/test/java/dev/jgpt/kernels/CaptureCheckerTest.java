package dev.jgpt.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CaptureCheckerTest {
  final CaptureChecker checker = CaptureChecker.wrap(new ReferenceBackend());
  final Backend be = checker.backend();
  final FloatBuf acts = be.allocFloat("acts", 64);
  final FloatBuf params = be.allocFloat("params", 64);
  final IntBuf tokens = be.allocInt("tokens", 4);

  /** A tiny step: tokens go up, an embedding, a matmul, gelu. */
  void step(int matmulOffset, float dropoutP) {
    be.beginStep("train");
    be.write(tokens, 0, new int[] {1, 2, 3, 0}, 0, 4);
    be.encoderForward(acts.slice(0, 8), tokens, params.slice(0, 8), params.slice(8, 8), 1, 4, 2);
    be.matmulForward(acts.slice(8, 8), acts.slice(0, 8), params.slice(matmulOffset, 4), null, 4, 2, 2);
    be.dropoutForward(acts.slice(16, 8), acts.slice(8, 8), params.slice(32, StepScalars.SIZE), dropoutP, 1L, 0, 8);
    be.endStep();
  }

  @Test
  void identicalRunsPassAndAreCounted() {
    for (int i = 0; i < 3; i++) step(16, 0.1f);
    assertEquals(3, checker.completedRuns("train"));
    assertEquals(4, checker.recordedOps("train").size());
    assertTrue(checker.recordedOps("train").get(2).startsWith("matmulForward(acts[8:16], acts[0:8], params[16:20]"),
        checker.recordedOps("train").get(2));
  }

  @Test
  void aDifferentSliceInAReplayFails() {
    step(16, 0.1f);
    var e = assertThrows(IllegalStateException.class, () -> step(20, 0.1f));
    assertTrue(e.getMessage().contains("op 2 differs"), e.getMessage());
    assertTrue(e.getMessage().contains("params[20:24]"), e.getMessage());
  }

  @Test
  void aDifferentScalarArgumentInAReplayFails() {
    step(16, 0.1f);
    var e = assertThrows(IllegalStateException.class, () -> step(16, 0.2f));
    assertTrue(e.getMessage().contains("dropoutForward"), e.getMessage());
  }

  @Test
  void aReadInsideAStepFails() {
    be.beginStep("eval");
    var e = assertThrows(IllegalStateException.class, () -> be.read(acts, 0, new float[1], 0, 1));
    assertTrue(e.getMessage().contains("read() inside a step"), e.getMessage());
  }

  @Test
  void anAllocationInsideAStepFails() {
    be.beginStep("eval");
    var e = assertThrows(IllegalStateException.class, () -> be.allocFloat("scratch", 4));
    assertTrue(e.getMessage().contains("allocate buffers at setup"), e.getMessage());
  }

  @Test
  void aReplayWithFewerOrMoreOpsFails() {
    step(16, 0.1f);
    be.beginStep("train");
    be.write(tokens, 0, new int[] {1, 2, 3, 0}, 0, 4);
    var e = assertThrows(IllegalStateException.class, be::endStep);
    assertTrue(e.getMessage().contains("has 1 ops, the first run had 4"), e.getMessage());
  }

  @Test
  void stepsWithDifferentNamesAreRecordedSeparately() {
    step(16, 0.1f);
    be.beginStep("decode");
    be.zero(acts.slice(0, 4));
    be.endStep();
    be.beginStep("decode");
    be.zero(acts.slice(0, 4));
    be.endStep();
    assertEquals(1, checker.completedRuns("train"));
    assertEquals(2, checker.completedRuns("decode"));
  }

  @Test
  void unbalancedStepMarkersFail() {
    assertThrows(IllegalStateException.class, be::endStep);
    be.beginStep("train");
    assertThrows(IllegalStateException.class, () -> be.beginStep("train"));
  }

  @Test
  void readsOutsideStepsAndTheWrappedResultsPassThrough() {
    step(16, 0f);
    float[] out = new float[8];
    be.read(acts, 16, out, 0, 8);
    float[] direct = new float[8];
    be.read(acts, 8, direct, 0, 8);
    assertEquals(java.util.Arrays.toString(direct), java.util.Arrays.toString(out)); // p = 0 copies
  }
}

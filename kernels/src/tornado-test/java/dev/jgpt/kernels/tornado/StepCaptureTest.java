package dev.jgpt.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.ReferenceBackend;
import dev.jgpt.kernels.Slice;
import dev.jgpt.kernels.StepScalars;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A small training step (embedding, layer norm, tied head, fused cross-entropy, backward, global
 * norm, AdamW) captured on the TornadoVM backend: it matches the reference step for step, and a
 * replay moves only the token ids and the two per-step scalars up and the losses down.
 */
class StepCaptureTest {
  static final int B = 2, T = 8, C = 16, V = 13, Vp = 16, N = B * T;
  static final int STEPS = 5;

  /** The model's buffers on one backend: params and grads laid out as wte | wpe | lnw | lnb. */
  static final class Model {
    final Backend be;
    final FloatBuf params, grads, m, v, acts, scalars;
    final IntBuf tokens, targets;
    final Slice wte, wpe, lnw, lnb, dwte, dwpe, dlnw, dlnb;
    final Slice enc, ln, mean, rstd, logits, losses, dln, denc;
    final int P = Vp * C + T * C + 2 * C;

    Model(Backend be, float[] init) {
      this.be = be;
      params = be.allocFloat("params", P, BufferKind.PARAMETERS);
      grads = be.allocFloat("grads", P, BufferKind.GRADIENTS);
      m = be.allocFloat("m", P, BufferKind.OPTIMIZER_STATE);
      v = be.allocFloat("v", P, BufferKind.OPTIMIZER_STATE);
      scalars = be.allocFloat("scalars", StepScalars.SIZE);
      acts = be.allocFloat("acts", 4 * N * C + 2 * N + N * Vp + N);
      tokens = be.allocInt("tokens", N);
      targets = be.allocInt("targets", N);
      wte = params.slice(0, Vp * C);
      wpe = params.slice(Vp * C, T * C);
      lnw = params.slice(Vp * C + T * C, C);
      lnb = params.slice(Vp * C + T * C + C, C);
      dwte = grads.slice(0, Vp * C);
      dwpe = grads.slice(Vp * C, T * C);
      dlnw = grads.slice(Vp * C + T * C, C);
      dlnb = grads.slice(Vp * C + T * C + C, C);
      int o = 0;
      enc = acts.slice(o, N * C);
      ln = acts.slice(o += N * C, N * C);
      dln = acts.slice(o += N * C, N * C);
      denc = acts.slice(o += N * C, N * C);
      mean = acts.slice(o += N * C, N);
      rstd = acts.slice(o += N, N);
      logits = acts.slice(o += N, N * Vp);
      losses = acts.slice(o + N * Vp, N);
      be.write(params, 0, init, 0, P);
    }

    /** One optimizer step; returns the mean loss (read after the step). */
    float step(int[] ids, int[] next, int t) {
      be.write(tokens, 0, ids, 0, N);
      be.write(targets, 0, next, 0, N);
      be.write(scalars, StepScalars.LR, new float[] {1e-2f, t}, 0, 2); // LR and ADAM_T, before the step
      be.beginStep("train");
      Slice s = scalars.all();
      be.zero(grads.all());
      be.encoderForward(enc, tokens, wte, wpe, B, T, C);
      be.layernormForward(ln, mean, rstd, enc, lnw, lnb, N, C);
      be.matmulForward(logits, ln, wte, null, N, C, Vp);
      be.crossEntropyForwardBackward(losses, logits, targets, 1f / N, N, V, Vp);
      be.zero(dln);
      be.zero(denc);
      be.matmulBackward(dln, dwte, null, logits, ln, wte, N, C, Vp);
      be.layernormBackward(denc, dlnw, dlnb, dln, enc, lnw, mean, rstd, N, C);
      be.encoderBackward(dwte, dwpe, denc, tokens, B, T, C, V);
      be.globalNormSquared(s, grads.all(), P);
      be.adamw(params.all(), grads.all(), m.all(), v.all(), s, 0.9f, 0.95f, 1e-8f, 0.1f, P);
      be.endStep();
      float[] l = new float[N];
      be.read(losses.buf(), losses.offset(), l, 0, N);
      double sum = 0;
      for (float x : l) sum += x;
      return (float) (sum / N);
    }

    float[] params() {
      float[] p = new float[P];
      be.read(params, 0, p, 0, P);
      return p;
    }
  }

  final long seed = dev.jgpt.kernels.TestSeed.get();

  @Test
  void capturedStepsMatchTheReferenceAndMoveOnlyIdsScalarsAndLosses() {
    Random rng = new Random(seed);
    float[] init = new float[Vp * C + T * C + 2 * C];
    for (int i = 0; i < init.length; i++) init[i] = 0.1f * (float) rng.nextGaussian();
    for (int i = Vp * C + T * C; i < Vp * C + T * C + C; i++) init[i] = 1f; // layer-norm weight
    try (Backend ref = new ReferenceBackend(); TornadoBackend dev = TornadoTesting.backend(false)) {
      Model r = new Model(ref, init), d = new Model(dev, init);
      Stats before = null;
      for (int t = 1; t <= STEPS; t++) {
        int[] ids = new int[N], next = new int[N];
        for (int i = 0; i < N; i++) {
          ids[i] = rng.nextInt(V);
          next[i] = rng.nextInt(V);
        }
        if (t == STEPS - 1) before = dev.stats().snapshot();
        float expected = r.step(ids, next, t);
        float actual = d.step(ids, next, t);
        assertEquals(expected, actual, 1e-4 * Math.max(1, Math.abs(expected)), "loss of step " + t + ", seed " + seed);
      }
      Stats after = dev.stats().snapshot();
      DeviceFixture.compare("params after " + STEPS + " steps, seed " + seed, r.params(), d.params(), 1e-3, 0);

      // The last two steps were replays: per step the int arena (ids, targets and the embedding
      // backward's token order) and the small writes went up; only the losses came down.
      int replays = 2;
      assertEquals(0, after.fullUploads - before.fullUploads, "whole-arena uploads during replays");
      assertEquals(0, after.fullDownloads - before.fullDownloads, "whole-arena downloads during replays");
      assertEquals(0, after.hostRuns - before.hostRuns, "host runs during replays");
      // The LR and t writes go up with the step's graph and the losses come down with it: one
      // blocking graph run per step is its only sync point.
      assertEquals(0, after.writeFlushes - before.writeFlushes, "small-write runs of their own (LR, t)");
      assertEquals(replays, after.graphRuns - before.graphRuns, "blocking graph runs");
      assertEquals(0, after.reads - before.reads, "blocking reads of their own");
      assertEquals(replays, after.readsWithStep - before.readsWithStep, "reads that came with the step");
      long writeBytes = 4L * (DevicePlan.WRITE_CAPACITY + 2 * DevicePlan.WRITE_CAPACITY + 1); // values, (kind, offset) pairs
      long intArena = 4L * 3 * N; // tokens, targets, token order
      assertEquals(replays * (intArena + writeBytes), after.bytesUp - before.bytesUp, "bytes up per replay");
      assertEquals(replays * 4L * N, after.bytesDown - before.bytesDown, "bytes down per replay");
    }
  }

  /** Forward only, as a second step kind (the plan is rebuilt with both steps on its second run). */
  static float eval(Model md, int[] ids, int[] next) {
    Backend be = md.be;
    be.write(md.tokens, 0, ids, 0, N);
    be.write(md.targets, 0, next, 0, N);
    be.beginStep("eval");
    be.encoderForward(md.enc, md.tokens, md.wte, md.wpe, B, T, C);
    be.layernormForward(md.ln, md.mean, md.rstd, md.enc, md.lnw, md.lnb, N, C);
    be.matmulForward(md.logits, md.ln, md.wte, null, N, C, Vp);
    be.crossEntropyForward(md.losses, md.logits, md.targets, N, V, Vp);
    be.endStep();
    float[] l = new float[N];
    be.read(md.losses.buf(), md.losses.offset(), l, 0, N);
    double sum = 0;
    for (float x : l) sum += x;
    return (float) (sum / N);
  }

  @Test
  void trainingContinuesCorrectlyAcrossNewStepKindsAndNewBuffers() {
    Random rng = new Random(seed);
    float[] init = new float[Vp * C + T * C + 2 * C];
    for (int i = 0; i < init.length; i++) init[i] = 0.1f * (float) rng.nextGaussian();
    try (Backend ref = new ReferenceBackend(); TornadoBackend dev = TornadoTesting.backend(false)) {
      Model r = new Model(ref, init), d = new Model(dev, init);
      for (int t = 1; t <= 12; t++) {
        int[] ids = new int[N], next = new int[N];
        for (int i = 0; i < N; i++) {
          ids[i] = rng.nextInt(V);
          next[i] = rng.nextInt(V);
        }
        String what = "step " + t + ", seed " + seed;
        if (t % 4 == 0) {
          assertEquals(eval(r, ids, next), eval(d, ids, next), 1e-4, "eval loss before " + what);
          assertEquals(eval(r, ids, next), eval(d, ids, next), 1e-4, "eval loss again before " + what);
        }
        if (t == 6) { // a buffer allocated mid-run (as a sampler does): the arena grows
          ref.allocFloat("late", 100);
          dev.allocFloat("late", 100);
        }
        float expected = r.step(ids, next, t);
        float actual = d.step(ids, next, t);
        assertEquals(expected, actual, 1e-4 * Math.max(1, Math.abs(expected)), "loss of " + what);
      }
    }
  }

  @Test
  void aReplayThatChangesAnOpOrReadsMidStepFailsWithOneLine() {
    try (TornadoBackend dev = TornadoTesting.backend(false)) {
      FloatBuf x = dev.allocFloat("x", 8), y = dev.allocFloat("y", 8);
      dev.beginStep("s");
      dev.residualForward(y.all(), x.all(), x.all(), 8);
      dev.endStep();
      dev.beginStep("s");
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> dev.residualForward(x.all(), y.all(), y.all(), 8));
      assertTrue(e.getMessage().contains("differs from the first run"), e.getMessage());
      e = assertThrows(IllegalStateException.class, () -> dev.read(x, 0, new float[1], 0, 1));
      assertTrue(e.getMessage().contains("inside step"), e.getMessage());
    }
  }
}

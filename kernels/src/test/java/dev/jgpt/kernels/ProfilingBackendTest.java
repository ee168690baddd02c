package dev.jgpt.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.ProfilingBackend.Op;
import dev.jgpt.kernels.ProfilingBackend.OpTotal;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What {@link ProfilingBackend} counts: calls, time and matmul FLOPs per kind of op, and nothing it changes. */
class ProfilingBackendTest {
  private static final int N = 6, C = 8, OC = 5;

  /** inp (N,C), weight (OC,C), bias (OC), out (N,OC) and their gradients on {@code be}, filled from seed 7. */
  private record Matmul(Slice inp, Slice weight, Slice bias, Slice out, Slice dout, Slice dinp, Slice dweight,
      Slice dbias) {
    static Matmul on(Backend be) {
      Random rng = new Random(7);
      return new Matmul(random(be, rng, N * C), random(be, rng, OC * C), random(be, rng, OC),
          be.allocFloat("out", N * OC).all(), random(be, rng, N * OC), be.allocFloat("dinp", N * C).all(),
          be.allocFloat("dweight", OC * C).all(), be.allocFloat("dbias", OC).all());
    }

    void run(Backend be) {
      be.matmulForward(out, inp, weight, bias, N, C, OC);
      be.matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
      be.matmulBackward(null, dweight, null, dout, inp, weight, N, C, OC); // no input gradient: half the work
    }

    private static Slice random(Backend be, Random rng, int n) {
      float[] v = new float[n];
      for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
      FloatBuf b = be.allocFloat("r", n);
      be.write(b, 0, v, 0, n);
      return b.all();
    }
  }

  private static float[] read(Backend be, FloatBuf b) {
    float[] v = new float[b.size()];
    be.read(b, 0, v, 0, v.length);
    return v;
  }

  private static Map<Op, OpTotal> byOp(ProfilingBackend be) {
    return be.totals().stream().collect(Collectors.toMap(OpTotal::op, Function.identity()));
  }

  @Test
  void splitsTheMatmulRowsByShapeInTheOrderFirstCalled() {
    try (ProfilingBackend profiled = new ProfilingBackend(new ReferenceBackend())) {
      Matmul m = Matmul.on(profiled);
      Slice wide = profiled.allocFloat("wide", 3 * C).all(), wideOut = profiled.allocFloat("wo", 3 * 4).all();
      Slice gelu = profiled.allocFloat("g", 3 * 4).all();
      for (int i = 0; i < 2; i++) {
        m.run(profiled);
        profiled.matmulForwardGelu(wideOut, gelu, wide, m.weight().buf().slice(0, 4 * C), null, 3, C, 4);
      }
      List<ProfilingBackend.MatmulShapeTotal> shapes = profiled.matmulShapes();
      assertEquals(List.of(Op.MATMUL_FORWARD, Op.MATMUL_BACKWARD, Op.MATMUL_BACKWARD, Op.MATMUL_FORWARD_GELU),
          shapes.stream().map(ProfilingBackend.MatmulShapeTotal::op).toList(), "with and without dinp apart: " + shapes);
      assertEquals(List.of(2L, 2L, 2L, 2L), shapes.stream().map(ProfilingBackend.MatmulShapeTotal::calls).toList());
      assertEquals(List.of(3, C, 4), List.of(shapes.get(3).N(), shapes.get(3).C(), shapes.get(3).OC()));
      assertEquals(2 * 4.0 * N * C * OC, shapes.get(1).flops());
      assertEquals(2 * 2.0 * N * C * OC, shapes.get(2).flops(), "no input gradient: half the work");
      long shapeNanos = shapes.stream().mapToLong(ProfilingBackend.MatmulShapeTotal::nanos).sum();
      long rowNanos = byOp(profiled).get(Op.MATMUL_FORWARD).nanos() + byOp(profiled).get(Op.MATMUL_BACKWARD).nanos()
          + byOp(profiled).get(Op.MATMUL_FORWARD_GELU).nanos();
      assertEquals(rowNanos, shapeNanos, "the shapes split the op rows");
      profiled.reset();
      assertEquals(List.of(), profiled.matmulShapes());
    }
  }

  @Test
  void countsCallsAndMatmulFlopsPerKindAndComputesWhatItsBackendComputes() {
    try (ReferenceBackend plain = new ReferenceBackend(); ProfilingBackend profiled = new ProfilingBackend(new ReferenceBackend())) {
      Matmul a = Matmul.on(plain), b = Matmul.on(profiled);
      profiled.reset(); // forget the writes that filled the inputs
      a.run(plain);
      b.run(profiled);
      Map<Op, OpTotal> totals = byOp(profiled);
      assertEquals(List.of(Op.MATMUL_FORWARD, Op.MATMUL_BACKWARD), profiled.totals().stream().map(OpTotal::op).toList(),
          "only the kinds called, in Op order");
      assertEquals(1, totals.get(Op.MATMUL_FORWARD).calls());
      assertEquals(2, totals.get(Op.MATMUL_BACKWARD).calls());
      assertEquals(2.0 * N * C * OC, totals.get(Op.MATMUL_FORWARD).flops());
      assertEquals((4.0 + 2.0) * N * C * OC, totals.get(Op.MATMUL_BACKWARD).flops(), "dinp and dweight, then dweight only");
      assertEquals(totals.get(Op.MATMUL_FORWARD).nanos() + totals.get(Op.MATMUL_BACKWARD).nanos(), profiled.totalNanos());
      assertArrayEquals(read(plain, a.out().buf()), read(profiled, b.out().buf()));
      assertArrayEquals(read(plain, a.dinp().buf()), read(profiled, b.dinp().buf()));
      assertEquals(2, byOp(profiled).get(Op.HOST_TRANSFER).calls(), "the two reads above are host transfers");

      profiled.reset();
      assertEquals(List.of(), profiled.totals());
      assertEquals(0, profiled.totalNanos());
    }
  }

  @Test
  void eachCallsTimeLandsInItsOwnKind() {
    // An outer profiler's clock encloses the inner one's around every call: per kind, the outer
    // total is at least the inner total, and the calls agree. Time put under the wrong kind by
    // either would break this for some kind.
    ProfilingBackend inner = new ProfilingBackend(new ReferenceBackend());
    try (ProfilingBackend outer = new ProfilingBackend(inner)) {
      Matmul m = Matmul.on(outer);
      FloatBuf x = outer.allocFloat("x", 64), y = outer.allocFloat("y", 64);
      inner.reset();
      outer.reset();
      for (int i = 0; i < 20; i++) {
        m.run(outer);
        outer.geluForward(y.all(), x.all(), 64);
        outer.residualForward(y.all(), x.all(), y.all(), 64);
        outer.zero(x.all());
        outer.beginStep("s");
        outer.endStep();
      }
      Map<Op, OpTotal> in = byOp(inner), out = byOp(outer);
      assertEquals(in.keySet(), out.keySet());
      assertEquals(List.of(Op.MATMUL_FORWARD, Op.MATMUL_BACKWARD, Op.GELU_FORWARD, Op.RESIDUAL_FORWARD, Op.ZERO,
          Op.STEP_MARKERS), outer.totals().stream().map(OpTotal::op).toList());
      for (Op op : in.keySet()) {
        assertEquals(in.get(op).calls(), out.get(op).calls(), op.label());
        assertTrue(out.get(op).nanos() >= in.get(op).nanos(), op.label() + ": " + out.get(op) + " vs " + in.get(op));
      }
      assertEquals(40, out.get(Op.STEP_MARKERS).calls());
    }
  }

  @Test
  void passesNamesBuffersAndScratchThrough() {
    ReferenceBackend plain = new ReferenceBackend();
    try (ProfilingBackend be = new ProfilingBackend(plain)) {
      assertSame(plain, be.delegate());
      assertEquals(plain.name(), be.name());
      assertEquals(plain.description(), be.description());
      assertEquals(plain.trainingScratchBytes(2, 8, 16, 2, 64), be.trainingScratchBytes(2, 8, 16, 2, 64));
      assertEquals("w", be.allocFloat("w", 3).name());
    }
    assertThrows(IllegalArgumentException.class, () -> new ProfilingBackend(null));
  }

  /**
   * A method of Backend that the profiler did not override would run the interface's default
   * instead of the profiled backend's: a fused op would run as two, and runTogether's default (one
   * work after another) would leave the first half of a data-parallel step helping a second half
   * that never started. Every method must be forwarded.
   */
  @Test
  void everyBackendMethodIsForwarded() throws NoSuchMethodException {
    Forwarding.assertEveryBackendMethodIsOverridden(ProfilingBackend.class);
  }
}

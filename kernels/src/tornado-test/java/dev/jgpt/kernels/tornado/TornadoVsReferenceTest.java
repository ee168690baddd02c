package dev.jgpt.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.kernels.Slice;
import dev.jgpt.kernels.StepScalars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every TornadoVM kernel against the reference kernels on fresh random data (see
 * {@link DeviceFixture}: host run, compiled device run and replay each checked). Shapes are odd so
 * the matmul tiles are ragged and the work grids uneven; few per op, because each compiles a graph.
 */
class TornadoVsReferenceTest {
  /** Float sums in another order than the reference (tiles, device math functions). */
  static final double TOL = 2e-5;
  static final double MATMUL_TOL = 1e-4;
  /**
   * GELU's backward goes through tanh, which the device computes with its own (relaxed-math)
   * function: 2.5e-5 to 4e-5 from Java's on some inputs, seen on PoCL in 2 of 5 random seeds.
   */
  static final double GELU_TOL = 1e-4;

  // Both matmul kernels whatever the device: the tiled KernelContext GEMM (with its CPU twin on the
  // host run, N=1: the matrix-vector kernel; N=130: several blocks each way) and blocked bias sums
  // (N=70: three ragged column blocks), and the @Parallel loops.
  @ParameterizedTest(name = "matmul N={0} C={1} OC={2} tiled={3}")
  @CsvSource({"5, 33, 17, true", "37, 20, 70, true", "37, 20, 70, false", "70, 9, 5, true", "1, 300, 40, true",
      "1, 40, 300, true", "130, 70, 66, true"})
  void matmulForwardAndBackward(int N, int C, int OC, boolean tiled) {
    new DeviceFixture().random("inp", N * C).random("weight", OC * C).random("bias", OC).random("dout", N * OC)
        .random("dinp", N * C).random("dweight", OC * C).random("dbias", OC).random("dweight2", OC * C)
        .poisoned("out", N * OC).poisoned("out2", N * OC)
        .check("matmul", MATMUL_TOL, (be, t) -> {
          be.matmulForward(t.s("out"), t.s("inp"), t.s("weight"), t.s("bias"), N, C, OC);
          be.matmulForward(t.s("out2"), t.s("inp"), t.s("weight"), null, N, C, OC);
          be.matmulBackward(t.s("dinp"), t.s("dweight"), t.s("dbias"), t.s("dout"), t.s("inp"), t.s("weight"), N, C,
              OC);
          be.matmulBackward(null, t.s("dweight2"), null, t.s("dout"), t.s("inp"), t.s("weight"), N, C, OC);
        }, TornadoTesting.backend(false, false, tiled));
  }

  // workGroups: the flash-style forward and backward (T=5: one ragged tile; T=37: three tiles, the
  // last ragged; hs=128: the largest head they take) or one work item per attention row.
  @ParameterizedTest(name = "attention B={0} T={1} C={2} NH={3} workGroups={4}")
  @CsvSource({"2, 5, 12, 3, false", "1, 19, 32, 2, false", "2, 5, 12, 3, true", "2, 37, 48, 3, true",
      "1, 17, 256, 2, true"})
  void attentionForwardAndBackward(int B, int T, int C, int NH, boolean workGroups) {
    new DeviceFixture().random("qkv", B * T * 3 * C).random("dout", B * T * C).random("dqkv", B * T * 3 * C)
        .poisoned("out", B * T * C).poisoned("att", B * NH * T * T)
        .check("attention", TOL, (be, t) -> {
          be.attentionForward(t.s("out"), t.s("att"), t.s("qkv"), B, T, C, NH);
          be.attentionBackward(t.s("dqkv"), t.s("dout"), t.s("qkv"), t.s("att"), B, T, C, NH);
        }, TornadoTesting.backend(false, false, workGroups));
  }

  // Training's form on the flash kernels: att is the backend's attention state (each row's max and
  // sum, 2*B*NH*T floats), no weights are written, and the backward recomputes them; out and dqkv
  // as the reference computes them from its weights.
  @ParameterizedTest(name = "attention without weights B={0} T={1} C={2} NH={3}")
  @CsvSource({"2, 5, 12, 3", "2, 37, 48, 3", "1, 17, 256, 2"})
  void attentionWithTheStateInsteadOfTheWeights(int B, int T, int C, int NH) {
    try (TornadoBackend probe = TornadoTesting.backend(false, false, true)) {
      assertEquals(2L * B * NH * T, probe.attentionStateSize(B, T, C, NH));
    }
    new DeviceFixture().random("qkv", B * T * 3 * C).random("dout", B * T * C).random("dqkv", B * T * 3 * C)
        .poisoned("out", B * T * C).poisoned("att", B * NH * T * T).ownForm("att")
        .check("attention state", TOL, (be, t) -> {
          Slice att = t.s("att").sub(0, Math.toIntExact(be.attentionStateSize(B, T, C, NH)));
          be.attentionForward(t.s("out"), att, t.s("qkv"), B, T, C, NH);
          be.attentionBackward(t.s("dqkv"), t.s("dout"), t.s("qkv"), att, B, T, C, NH);
        }, TornadoTesting.backend(false, false, true));
  }

  @Test
  void attentionDecode() {
    int p = 6, maxT = 9, C = 35, NH = 5;
    new DeviceFixture().random("qkv", 3 * C).random("kcache", maxT * C).random("vcache", maxT * C).ints("pos", p)
        .poisoned("out", C).poisoned("att", NH * maxT)
        .check("attentionDecode", TOL, (be, t) -> be.attentionDecode(t.s("out"), t.s("att"), t.s("qkv"),
            t.s("kcache"), t.s("vcache"), t.i("pos"), maxT, C, NH));
  }

  // workGroups: one work group per row and blocked column sums (GPUs), or one work item per row or
  // column (loops); C above and below RowGroupKernels.GROUP, N over several column blocks.
  @ParameterizedTest(name = "layernorm N={0} C={1} workGroups={2}")
  @CsvSource({"13, 77, false", "13, 77, true", "70, 300, true"})
  void layernormForwardAndBackward(int N, int C, boolean workGroups) {
    new DeviceFixture().random("inp", N * C, 3f).random("weight", C).random("bias", C).random("dout", N * C)
        .random("dinp", N * C).random("dweight", C).random("dbias", C).random("dweight2", C)
        .poisoned("out", N * C).poisoned("mean", N).poisoned("rstd", N).poisoned("out2", N * C)
        .check("layernorm", TOL, (be, t) -> {
          be.layernormForward(t.s("out"), t.s("mean"), t.s("rstd"), t.s("inp"), t.s("weight"), t.s("bias"), N, C);
          be.layernormBackward(t.s("dinp"), t.s("dweight"), t.s("dbias"), t.s("dout"), t.s("inp"), t.s("weight"),
              t.s("mean"), t.s("rstd"), N, C);
          be.layernormForward(t.s("out2"), t.s("mean"), t.s("rstd"), t.s("inp"), t.s("weight"), null, N, C);
          be.layernormBackward(t.s("dinp"), t.s("dweight2"), null, t.s("dout"), t.s("inp"), t.s("weight"),
              t.s("mean"), t.s("rstd"), N, C);
        }, TornadoTesting.backend(false, false, workGroups));
  }

  // One step asks the column-sum scratch for two sizes (a layer norm's, then a wider bias's): every
  // replay must get the regions its recording run got (else "launch differs from the first run").
  @Test
  void columnSumsOfTwoWidthsInOneStep() {
    int N = 40, C = 24, OC = 72;
    new DeviceFixture().random("inp", N * C, 3f).random("weight", C).random("bias", C).random("dout", N * C)
        .random("dinp", N * C).random("dweight", C).random("dbias", C).random("w2", OC * C).random("dout2", N * OC)
        .random("dw2", OC * C).random("db2", OC).poisoned("out", N * C).poisoned("mean", N).poisoned("rstd", N)
        .check("column sums", TOL, (be, t) -> {
          be.layernormForward(t.s("out"), t.s("mean"), t.s("rstd"), t.s("inp"), t.s("weight"), t.s("bias"), N, C);
          be.layernormBackward(t.s("dinp"), t.s("dweight"), t.s("dbias"), t.s("dout"), t.s("inp"), t.s("weight"),
              t.s("mean"), t.s("rstd"), N, C);
          be.matmulBackward(t.s("dinp"), t.s("dw2"), t.s("db2"), t.s("dout2"), t.s("inp"), t.s("w2"), N, C, OC);
        }, TornadoTesting.backend(false, false, true));
  }

  @Test
  void encoderForwardBackwardAndDecode() {
    int B = 3, T = 7, C = 29, V = 11;
    new DeviceFixture().randomInts("tokens", B * T, V).ints("token", V - 1).ints("pos", T - 1)
        .random("wte", V * C).random("wpe", T * C).random("dout", B * T * C).random("dwte", V * C)
        .random("dwpe", T * C).poisoned("out", B * T * C).poisoned("dec", C)
        .check("encoder", TOL, (be, t) -> {
          be.encoderForward(t.s("out"), t.i("tokens"), t.s("wte"), t.s("wpe"), B, T, C);
          be.encoderBackward(t.s("dwte"), t.s("dwpe"), t.s("dout"), t.i("tokens"), B, T, C, V);
          be.encoderDecode(t.s("dec"), t.i("token"), t.i("pos"), t.s("wte"), t.s("wpe"), C);
        });
  }

  @Test
  void geluResidualAccumulateCopyZero() {
    int N = 10007;
    new DeviceFixture().random("x", N, 3f).random("y", N).random("dx", N).random("acc", N).random("z", N)
        .poisoned("gelu", N).poisoned("sum", N).poisoned("copy", N)
        .check("pointwise", GELU_TOL, (be, t) -> {
          be.geluForward(t.s("gelu"), t.s("x"), N);
          be.geluBackward(t.s("dx"), t.s("x"), t.s("y"), N);
          be.residualForward(t.s("sum"), t.s("x"), t.s("y"), N);
          be.accumulate(t.s("acc"), t.s("y"), N);
          be.copy(t.s("copy"), t.s("y"));
          be.zero(t.s("z"));
        });
  }

  @ParameterizedTest(name = "dropout N={0} p={1}")
  @CsvSource({"1003, 0.5", "517, 0.0"})
  void dropoutMasksMatchTheReferenceExactly(int N, float p) {
    float[] scalars = new float[StepScalars.SIZE];
    scalars[StepScalars.RNG_STEP] = 17f;
    // Tolerance 0: the counter-based mask and the scaling are bit-identical on every backend.
    new DeviceFixture().random("x", N).random("dy", N).random("dx", N).values("scalars", scalars).poisoned("y", N)
        .check("dropout", 0.0, (be, t) -> {
          be.dropoutForward(t.s("y"), t.s("x"), t.s("scalars"), p, 1234L, 5, N);
          be.dropoutBackward(t.s("dx"), t.s("dy"), t.s("scalars"), p, 1234L, 5, N);
        });
  }

  @ParameterizedTest(name = "softmax and loss N={0} V={1} Vp={2} workGroups={3}")
  @CsvSource({"7, 1001, 1008, false", "3, 17, 24, false", "7, 1001, 1008, true", "3, 17, 24, true"})
  void softmaxAndCrossEntropy(int N, int V, int Vp, boolean workGroups) {
    new DeviceFixture().random("logits", N * Vp, 4f).random("logits2", N * Vp, 4f).randomInts("targets", N, V)
        .poisoned("probs", N * Vp).poisoned("losses", N).poisoned("losses2", N)
        .check("softmax/crossEntropy", TOL, (be, t) -> {
          be.softmaxForward(t.s("probs"), t.s("logits"), N, V, Vp);
          be.crossEntropyForward(t.s("losses"), t.s("logits"), t.i("targets"), N, V, Vp);
          be.crossEntropyForwardBackward(t.s("losses2"), t.s("logits2"), t.i("targets"), 1f / N, N, V, Vp);
        }, TornadoTesting.backend(false, false, workGroups));
  }

  @ParameterizedTest(name = "adamw N={0} maxNorm={1}")
  @CsvSource({"50001, 1.5", "3, 0"})
  void globalNormAndAdamw(int N, float maxNorm) {
    float[] scalars = new float[StepScalars.SIZE];
    scalars[StepScalars.LR] = 3e-3f;
    scalars[StepScalars.ADAM_T] = 7f;
    scalars[StepScalars.MAX_GRAD_NORM] = maxNorm;
    new DeviceFixture().random("params", N).random("grads", N, 0.1f).values("scalars", scalars)
        .random("m", N, 0.01f).randomAbs("v", N, 1e-4f)
        .check("adamw", TOL, (be, t) -> {
          be.globalNormSquared(t.s("scalars"), t.s("grads"), N);
          be.adamw(t.s("params"), t.s("grads"), t.s("m"), t.s("v"), t.s("scalars"), 0.9f, 0.95f, 1e-8f, 0.1f, N);
        });
  }
}

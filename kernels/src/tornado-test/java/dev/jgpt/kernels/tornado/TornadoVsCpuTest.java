package dev.jgpt.kernels.tornado;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.kernels.StepScalars;
import dev.jgpt.kernels.cpu.CpuBackend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The loop kernels (CPU OpenCL devices) against the CPU backend, bit for bit: the ops whose device
 * kernels take the CPU backend's summation order and rounding (sums split into as many lanes as
 * the CPU's vectors, fma where it fuses, rounded products where it does not, its exp and tanh:
 * matmul, layer norm, GELU, AdamW, cross-entropy (its loss's log by FloatLog), attention and the
 * embedding), on
 * the host run, the compiled device run and a replay (see {@link DeviceFixture}). With strict device
 * math ({@link DeviceMath}, the default on CPU devices); relaxed math would fail these.
 * Shapes: the parity model's (C = 16, 4C = 64, B*T = 16 rows) and ragged ones (a tail after the
 * CPU's whole vectors, a second micro-kernel panel).
 */
class TornadoVsCpuTest {
  static final double EXACT = 0;

  // Skipped, not failed, where the device compiles with TornadoVM's relaxed flags (GPUs by
  // default): those reassociate and approximate by design (scripts/gpu-check.sh runs these tests).
  @BeforeAll
  static void strictDeviceMath() {
    assumeTrue(DeviceMath.compilerFlags(TornadoTesting.device().device()) != null,
        "bit for bit needs strict device math; this device compiles with relaxed math: -Djgpt.tornado.math=strict");
  }

  private static TornadoBackend loops() {
    return TornadoTesting.backend(false, false, false);
  }

  @ParameterizedTest(name = "matmul N={0} C={1} OC={2}")
  @CsvSource({"16, 16, 48", "16, 64, 16", "13, 37, 45"})
  void matmulForwardAndBackward(int N, int C, int OC) {
    new DeviceFixture().random("inp", N * C).random("weight", OC * C).random("bias", OC).random("dout", N * OC)
        .random("dinp", N * C).random("dweight", OC * C).random("dbias", OC).poisoned("out", N * OC)
        .check("matmul", EXACT, (be, t) -> {
          be.matmulForward(t.s("out"), t.s("inp"), t.s("weight"), t.s("bias"), N, C, OC);
          be.matmulBackward(t.s("dinp"), t.s("dweight"), t.s("dbias"), t.s("dout"), t.s("inp"), t.s("weight"), N, C,
              OC);
        }, loops(), new CpuBackend(2));
  }

  @ParameterizedTest(name = "layernorm N={0} C={1}")
  @CsvSource({"16, 16", "13, 37"})
  void layernormForwardAndBackward(int N, int C) {
    new DeviceFixture().random("inp", N * C, 3f).random("weight", C).random("bias", C).random("dout", N * C)
        .random("dinp", N * C).random("dweight", C).random("dbias", C)
        .poisoned("out", N * C).poisoned("mean", N).poisoned("rstd", N)
        .check("layernorm", EXACT, (be, t) -> {
          be.layernormForward(t.s("out"), t.s("mean"), t.s("rstd"), t.s("inp"), t.s("weight"), t.s("bias"), N, C);
          be.layernormBackward(t.s("dinp"), t.s("dweight"), t.s("dbias"), t.s("dout"), t.s("inp"), t.s("weight"),
              t.s("mean"), t.s("rstd"), N, C);
        }, loops(), new CpuBackend(2));
  }

  // The parity model's shape (T = 8: a row shorter than the CPU's vectors), T = 32 (whole vectors:
  // CausalSoftmax's path) and T = 37 (a tail after whole vectors and pairs of them in the dot product).
  @ParameterizedTest(name = "attention B={0} T={1} C={2} NH={3}")
  @CsvSource({"2, 8, 16, 2", "1, 32, 24, 2", "1, 37, 24, 2"})
  void attentionForwardAndBackward(int B, int T, int C, int NH) {
    new DeviceFixture().random("qkv", B * T * 3 * C).random("dout", B * T * C).random("dqkv", B * T * 3 * C)
        .poisoned("out", B * T * C).poisoned("att", B * NH * T * T)
        .check("attention", EXACT, (be, t) -> {
          be.attentionForward(t.s("out"), t.s("att"), t.s("qkv"), B, T, C, NH);
          be.attentionBackward(t.s("dqkv"), t.s("dout"), t.s("qkv"), t.s("att"), B, T, C, NH);
        }, loops(), new CpuBackend(2));
  }

  @ParameterizedTest(name = "gelu N={0}")
  @CsvSource({"1024", "37"})
  void gelu(int N) {
    new DeviceFixture().random("x", N, 3f).random("dx", N).random("y", N).poisoned("out", N)
        .check("gelu", EXACT, (be, t) -> {
          be.geluForward(t.s("out"), t.s("x"), N);
          be.geluBackward(t.s("dx"), t.s("x"), t.s("y"), N);
        }, loops(), new CpuBackend(2));
  }

  @ParameterizedTest(name = "adamw N={0}")
  @CsvSource({"5003"})
  void adamw(int N) {
    float[] scalars = new float[StepScalars.SIZE];
    scalars[StepScalars.LR] = 3e-3f;
    scalars[StepScalars.ADAM_T] = 7f;
    scalars[StepScalars.MAX_GRAD_NORM] = 1f;
    new DeviceFixture().random("params", N).random("grads", N, 0.1f).values("scalars", scalars)
        .random("m", N, 0.01f).randomAbs("v", N, 1e-4f)
        .check("adamw", EXACT, (be, t) -> {
          be.globalNormSquared(t.s("scalars"), t.s("grads"), N);
          be.adamw(t.s("params"), t.s("grads"), t.s("m"), t.s("v"), t.s("scalars"), 0.9f, 0.95f, 1e-8f, 0.1f, N);
        }, loops(), new CpuBackend(2));
  }

  // The loss too: the CPU takes its log in double, the device in FloatLog's floats, to the same float.
  @ParameterizedTest(name = "cross-entropy N={0} V={1} Vp={2}")
  @CsvSource({"16, 32, 32", "7, 45, 48", "64, 1000, 1008"})
  void crossEntropyForwardBackward(int N, int V, int Vp) {
    new DeviceFixture().random("logits", N * Vp, 2f).randomInts("targets", N, V).poisoned("losses", N)
        .check("crossEntropy", EXACT, (be, t) -> be.crossEntropyForwardBackward(t.s("losses"), t.s("logits"),
            t.i("targets"), 1f / N, N, V, Vp), loops(), new CpuBackend(2));
  }

  // The embedding gradients add each position's dout into the gradient in position order, as the CPU
  // backend does: from the gradient's value before the op (the tied head's dweight has already
  // added into dwte), so repeated tokens and a non-zero start show a different order.
  @ParameterizedTest(name = "encoder B={0} T={1} C={2} V={3}")
  @CsvSource({"2, 8, 16, 5", "3, 13, 37, 4"})
  void encoderForwardAndBackward(int B, int T, int C, int V) {
    new DeviceFixture().random("wte", V * C).random("wpe", T * C).random("dwte", V * C).random("dwpe", T * C)
        .random("dout", B * T * C).randomInts("tokens", B * T, V).poisoned("out", B * T * C)
        .check("encoder", EXACT, (be, t) -> {
          be.encoderForward(t.s("out"), t.i("tokens"), t.s("wte"), t.s("wpe"), B, T, C);
          be.encoderBackward(t.s("dwte"), t.s("dwpe"), t.s("dout"), t.i("tokens"), B, T, C, V);
        }, loops(), new CpuBackend(2));
  }
}

package dev.jgpt.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.StepScalars;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The gradient norm's sum of squares is the same float on the device as on the CPU backend, bit
 * for bit (FixedPointSquares: integer sums, so neither the order nor the device compiler's relaxed
 * math changes it); that is what keeps the clip factor, and with it every update, identical.
 */
class GlobalNormParityTest {
  final long seed = dev.jgpt.kernels.TestSeed.get();

  @Test
  void theDeviceNormEqualsTheCpuNormBitForBit() {
    Random rng = new Random(seed);
    int N = 3 * 8192 + 1234; // whole chunks and a short one
    float[] grads = new float[N];
    for (int i = 0; i < N; i++) grads[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(9) - 6));
    try (Backend cpu = Backends.open("cpu", 0, 2); TornadoBackend dev = TornadoTesting.backend(false, true)) {
      assertEquals(Float.floatToIntBits(norm(cpu, grads)), Float.floatToIntBits(norm(dev, grads)), "seed " + seed);
    }
  }

  /** GRAD_NORM_SQ of grads, computed by be (on the device: an eager op, compiled). */
  private static float norm(Backend be, float[] grads) {
    FloatBuf g = be.allocFloat("grads", grads.length, BufferKind.GRADIENTS);
    FloatBuf scalars = be.allocFloat("scalars", StepScalars.SIZE);
    be.write(g, 0, grads, 0, grads.length);
    be.globalNormSquared(scalars.all(), g.all(), grads.length);
    float[] s = new float[StepScalars.SIZE];
    be.read(scalars, 0, s, 0, s.length);
    return s[StepScalars.GRAD_NORM_SQ];
  }
}

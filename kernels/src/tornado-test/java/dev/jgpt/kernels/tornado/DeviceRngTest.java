package dev.jgpt.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.kernels.CounterRng;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** DeviceRng (shift-safe for TornadoVM's OpenCL) draws exactly CounterRng's numbers. */
class DeviceRngTest {
  @Test
  void sameBitsAsCounterRngForRandomAndExtremeInputs() {
    long seed = dev.jgpt.kernels.TestSeed.get();
    Random rng = new Random(seed);
    long[] extremes = {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 63 >> 1, 0x8000_0000L};
    for (long z : extremes) assertEquals(CounterRng.mix64(z), DeviceRng.mix64(z), "mix64(" + z + ")");
    for (int i = 0; i < 100_000; i++) {
      long z = rng.nextLong();
      assertEquals(CounterRng.mix64(z), DeviceRng.mix64(z), "mix64(" + z + "), seed " + seed);
      long s = rng.nextLong(), step = rng.nextInt(1 << 24);
      int stream = rng.nextInt(1000);
      long key = CounterRng.key(s, step, stream);
      assertEquals(key, DeviceRng.key(s, step, stream), "key, seed " + seed);
      long index = rng.nextInt(Integer.MAX_VALUE);
      assertEquals(CounterRng.uniform(key, index), DeviceRng.uniform(key, index), "uniform, seed " + seed);
    }
  }
}

package dev.jgpt.kernels.tornado;

/**
 * {@link dev.jgpt.kernels.CounterRng}'s numbers, bit for bit, in a form TornadoVM 5.2 compiles
 * correctly: its OpenCL code turns Java's unsigned shift {@code >>>} on a long into C's {@code >>}
 * on a signed long (sign-extending), so each {@code x >>> s} is written here as the arithmetic shift
 * with the sign-extended bits masked off. DeviceRngTest checks the equality with CounterRng on the
 * host; the dropout parity test checks it on the device.
 */
public final class DeviceRng {
  private DeviceRng() {}

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  /** CounterRng.mix64: SplitMix64's finaliser; masks keep 64 - s bits after each shift by s. */
  public static long mix64(long z) {
    z = (z ^ ((z >> 30) & 0x3FFFFFFFFL)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ ((z >> 27) & 0x1FFFFFFFFFL)) * 0x94D049BB133111EBL;
    return z ^ ((z >> 31) & 0x1FFFFFFFFL);
  }

  /** CounterRng.key. */
  public static long key(long seed, long step, int stream) {
    long k = mix64(seed + GOLDEN);
    k = mix64(k ^ (step * 0xD1B54A32D192ED03L + GOLDEN));
    return mix64(k ^ ((long) stream * 0xAEF17502108EF2D9L + GOLDEN));
  }

  /** CounterRng.uniform: the top 24 bits of element index's draw, in [0, 1). */
  public static float uniform(long key, long index) {
    long bits = mix64(key + (index + 1) * GOLDEN);
    return ((bits >> 40) & 0xFFFFFFL) * 0x1.0p-24f;
  }
}

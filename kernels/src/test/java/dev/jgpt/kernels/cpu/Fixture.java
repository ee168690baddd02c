package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.ReferenceBackend;
import dev.jgpt.kernels.Slice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Runs one op on the reference backend and on CPU backends with several thread counts, from
 * identical inputs, and compares every buffer afterwards. Each tensor sits at a nonzero offset
 * inside its buffer with sentinel padding around it (writes outside the slice are caught);
 * outputs start as NaN (unwritten elements are caught); CPU results must match the reference
 * within a tolerance and each other bit for bit (the split over threads never changes a sum,
 * and no result depends on whether the JIT has compiled the kernel yet).
 */
final class Fixture {
  static final int PAD = 3;
  static final float SENTINEL = -12345.678f;

  interface Op {
    void run(Backend be, Fixture.Tensors t);
  }

  /** The slices of one backend's copy of the tensors. */
  static final class Tensors {
    private final Map<String, Slice> floats = new LinkedHashMap<>();
    private final Map<String, IntBuf> ints = new LinkedHashMap<>();

    Slice s(String name) {
      Slice s = floats.get(name);
      if (s == null) throw new IllegalArgumentException("no tensor " + name);
      return s;
    }

    IntBuf i(String name) {
      return ints.get(name);
    }
  }

  final long seed = dev.jgpt.kernels.TestSeed.get();
  final Random rng = new Random(seed);
  private final Map<String, float[]> floatInit = new LinkedHashMap<>();
  private final Map<String, int[]> intInit = new LinkedHashMap<>();

  /** Gaussian values (scale 1). */
  Fixture random(String name, int n) {
    return random(name, n, 1f);
  }

  Fixture random(String name, int n, float scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = scale * (float) rng.nextGaussian();
    floatInit.put(name, x);
    return this;
  }

  /** An output: every element NaN until the op writes it. */
  Fixture poisoned(String name, int n) {
    float[] x = new float[n];
    java.util.Arrays.fill(x, Float.NaN);
    floatInit.put(name, x);
    return this;
  }

  Fixture values(String name, float... values) {
    floatInit.put(name, values.clone());
    return this;
  }

  /** A tensor that starts as a copy of {@code from} (defined before it). */
  Fixture copyOf(String from, String name) {
    return values(name, floatInit.get(from));
  }

  Fixture ints(String name, int... values) {
    intInit.put(name, values.clone());
    return this;
  }

  /** Random ids in [0, bound). */
  Fixture randomInts(String name, int n, int bound) {
    int[] x = new int[n];
    for (int i = 0; i < n; i++) x[i] = rng.nextInt(bound);
    intInit.put(name, x);
    return this;
  }

  private Tensors materialise(Backend be) {
    Tensors t = new Tensors();
    floatInit.forEach((name, x) -> {
      FloatBuf b = be.allocFloat(name, x.length + 2 * PAD);
      float[] full = new float[x.length + 2 * PAD];
      java.util.Arrays.fill(full, SENTINEL);
      System.arraycopy(x, 0, full, PAD, x.length);
      be.write(b, 0, full, 0, full.length);
      t.floats.put(name, b.slice(PAD, x.length));
    });
    intInit.forEach((name, x) -> {
      IntBuf b = be.allocInt(name, x.length);
      be.write(b, 0, x, 0, x.length);
      t.ints.put(name, b);
    });
    return t;
  }

  /** Every float buffer, padding included, after running op on be. */
  private Map<String, float[]> runOn(Backend be, Op op) {
    Tensors t = materialise(be);
    op.run(be, t);
    Map<String, float[]> out = new LinkedHashMap<>();
    t.floats.forEach((name, s) -> {
      float[] full = new float[s.buf().size()];
      be.read(s.buf(), 0, full, 0, full.length);
      out.put(name, full);
    });
    return out;
  }

  /**
   * Runs op on the reference and on each CPU backend; every buffer must agree with the reference
   * within rtol (relative to max(1, |expected|)) and across the CPU backends exactly.
   */
  void check(String what, double rtol, List<CpuBackend> cpus, Op op) {
    Map<String, float[]> expected;
    try (Backend ref = new ReferenceBackend()) {
      expected = runOn(ref, op);
    }
    List<Map<String, float[]>> results = new ArrayList<>();
    for (CpuBackend cpu : cpus) {
      Map<String, float[]> actual = runOn(cpu, op);
      String ctx = what + " on " + cpu.threads() + " threads (seed " + seed + ")";
      expected.forEach((name, e) -> compare(ctx + ", " + name, e, actual.get(name), rtol));
      results.add(actual);
    }
    for (int r = 1; r < results.size(); r++) {
      for (String name : expected.keySet()) {
        float[] a = results.get(0).get(name), b = results.get(r).get(name);
        for (int i = 0; i < a.length; i++) {
          if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
            fail(what + ", " + name + "[" + i + "]: " + cpus.get(0).threads() + " threads gave " + a[i] + ", "
                + cpus.get(r).threads() + " threads gave " + b[i] + " (seed " + seed + ")");
          }
        }
      }
    }
  }

  static void compare(String ctx, float[] expected, float[] actual, double rtol) {
    assertEquals(expected.length, actual.length, ctx);
    for (int i = 0; i < expected.length; i++) {
      float e = expected[i], a = actual[i];
      if (Float.isNaN(e) && Float.isNaN(a)) continue; // neither writes it: not part of the op's output
      boolean padding = i < PAD || i >= expected.length - PAD;
      if (padding && a != SENTINEL) fail(ctx + ": wrote outside its slice at buffer index " + i + " (" + a + ")");
      if (Float.isNaN(a)) fail(ctx + "[" + (i - PAD) + "]: not written (still NaN), expected " + e);
      if (!(Math.abs(e - a) <= rtol * Math.max(1.0, Math.abs(e)))) {
        fail(ctx + "[" + (i - PAD) + "]: expected " + e + " got " + a);
      }
    }
  }
}

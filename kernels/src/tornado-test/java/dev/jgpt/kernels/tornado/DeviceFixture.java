package dev.jgpt.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.ReferenceBackend;
import dev.jgpt.kernels.Slice;
import dev.jgpt.kernels.TestSeed;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Runs an op as a captured step on a {@link TornadoBackend} three times, from fresh random inputs
 * each time, and compares every buffer with the {@link ReferenceBackend} on the same inputs:
 * run 1 is the recording run (on the host, through the kernels' Java form and the CPU twins),
 * run 2 compiles the step's task graph and runs it on the device, run 3 replays it. Tensors sit
 * inside their buffers with sentinel padding (writes outside a slice are caught); outputs start as
 * NaN (unwritten elements are caught).
 */
final class DeviceFixture {
  static final int PAD = 3;
  static final float SENTINEL = -12345.678f;
  static final int RUNS = 3;

  interface Op {
    void run(Backend be, Tensors t);
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
      IntBuf b = ints.get(name);
      if (b == null) throw new IllegalArgumentException("no int tensor " + name);
      return b;
    }
  }

  /** How a tensor's values are made for run r. */
  private interface FloatSource {
    float[] make(Random rng);
  }

  private interface IntSource {
    int[] make(Random rng);
  }

  final long seed = TestSeed.get(); // fixed, as every randomised kernel test (-Djgpt.test.seed=N for another)
  private final Map<String, FloatSource> floatSources = new LinkedHashMap<>();
  private final Map<String, IntSource> intSources = new LinkedHashMap<>();
  private final Map<String, Double> tolerances = new LinkedHashMap<>();
  private final Set<String> ownForms = new HashSet<>();

  /**
   * Tensor name holds each backend's own form of a state (the attention state: weights on the
   * reference, row statistics on the device): not compared; the outputs computed from it are.
   */
  DeviceFixture ownForm(String name) {
    ownForms.add(name);
    return this;
  }

  /** Compares tensor name within rtol rather than the check's own tolerance. */
  DeviceFixture tolerance(String name, double rtol) {
    tolerances.put(name, rtol);
    return this;
  }

  DeviceFixture random(String name, int n) {
    return random(name, n, 1f);
  }

  /** Gaussian values times scale, new ones each run. */
  DeviceFixture random(String name, int n, float scale) {
    floatSources.put(name, rng -> {
      float[] x = new float[n];
      for (int i = 0; i < n; i++) x[i] = scale * (float) rng.nextGaussian();
      return x;
    });
    return this;
  }

  /** |Gaussian| times scale (Adam's second moment must be non-negative). */
  DeviceFixture randomAbs(String name, int n, float scale) {
    floatSources.put(name, rng -> {
      float[] x = new float[n];
      for (int i = 0; i < n; i++) x[i] = scale * (float) Math.abs(rng.nextGaussian());
      return x;
    });
    return this;
  }

  /** An output: NaN until the op writes it. */
  DeviceFixture poisoned(String name, int n) {
    floatSources.put(name, rng -> {
      float[] x = new float[n];
      Arrays.fill(x, Float.NaN);
      return x;
    });
    return this;
  }

  /** The same values every run. */
  DeviceFixture values(String name, float... values) {
    floatSources.put(name, rng -> values.clone());
    return this;
  }

  /** Random ids in [0, bound), new ones each run. */
  DeviceFixture randomInts(String name, int n, int bound) {
    intSources.put(name, rng -> {
      int[] x = new int[n];
      for (int i = 0; i < n; i++) x[i] = rng.nextInt(bound);
      return x;
    });
    return this;
  }

  DeviceFixture ints(String name, int... values) {
    intSources.put(name, rng -> values.clone());
    return this;
  }

  /**
   * The kind a tensor is allocated with, from its name, as the model allocates them: weights as
   * parameters, their gradients as gradients, Adam moments as optimizer state, the rest as
   * activations (the TornadoVM backend needs a kernel's role groups in distinct kinds).
   */
  static BufferKind kindOf(String name) {
    return switch (name) {
      case "weight", "bias", "w2", "wte", "wpe", "params" -> BufferKind.PARAMETERS;
      case "dweight", "dweight2", "dbias", "dw2", "db2", "dwte", "dwpe", "grads" -> BufferKind.GRADIENTS;
      case "m", "v" -> BufferKind.OPTIMIZER_STATE;
      default -> BufferKind.ACTIVATIONS;
    };
  }

  private Tensors allocate(Backend be) {
    Tensors t = new Tensors();
    Random sizes = new Random(0);
    floatSources.forEach((name, src) -> {
      FloatBuf b = be.allocFloat(name, src.make(sizes).length + 2 * PAD, kindOf(name));
      t.floats.put(name, b.slice(PAD, b.size() - 2 * PAD));
    });
    intSources.forEach((name, src) -> {
      int n = src.make(sizes).length;
      t.ints.put(name, be.allocInt(name, n));
    });
    return t;
  }

  /** Writes run r's inputs (the same on every backend for the same r). */
  private void fill(Backend be, Tensors t, int run) {
    Random rng = new Random(seed * 31 + run);
    floatSources.forEach((name, src) -> {
      float[] x = src.make(rng);
      float[] full = new float[x.length + 2 * PAD];
      Arrays.fill(full, SENTINEL);
      System.arraycopy(x, 0, full, PAD, x.length);
      Slice s = t.s(name);
      be.write(s.buf(), 0, full, 0, full.length);
    });
    intSources.forEach((name, src) -> {
      int[] x = src.make(rng);
      be.write(t.i(name), 0, x, 0, x.length);
    });
  }

  private Map<String, float[]> readAll(Backend be, Tensors t) {
    Map<String, float[]> out = new LinkedHashMap<>();
    t.floats.forEach((name, s) -> {
      float[] full = new float[s.buf().size()];
      be.read(s.buf(), 0, full, 0, full.length);
      out.put(name, full);
    });
    return out;
  }

  /** Runs op RUNS times on both backends and compares every buffer after each run. */
  void check(String what, double rtol, Op op) {
    check(what, rtol, op, TornadoTesting.backend(false));
  }

  /** As {@link #check(String, double, Op)} on the given backend (closed afterwards). */
  void check(String what, double rtol, Op op, TornadoBackend device) {
    check(what, rtol, op, device, new ReferenceBackend());
  }

  /** As {@link #check(String, double, Op, TornadoBackend)} against reference's results (closed afterwards). */
  void check(String what, double rtol, Op op, TornadoBackend device, Backend reference) {
    try (Backend ref = reference; TornadoBackend dev = device) {
      Tensors rt = allocate(ref);
      Tensors dt = allocate(dev);
      for (int run = 0; run < RUNS; run++) {
        fill(ref, rt, run);
        op.run(ref, rt);
        Map<String, float[]> expected = readAll(ref, rt);
        fill(dev, dt, run);
        dev.beginStep(what);
        op.run(dev, dt);
        dev.endStep();
        Map<String, float[]> actual = readAll(dev, dt);
        String ctx = what + " run " + (run + 1) + (run == 0 ? " (host)" : run == 1 ? " (device, compiled)"
            : " (device, replay)") + " seed " + seed;
        expected.forEach((name, e) -> {
          if (ownForms.contains(name)) return;
          compare(ctx + ", " + name, e, actual.get(name), tolerances.getOrDefault(name, rtol));
        });
      }
      assertEquals(RUNS - 1, dev.stats().deviceRuns, what + ": device runs");
    }
  }

  static void compare(String ctx, float[] expected, float[] actual, double rtol) {
    compare(ctx, expected, actual, rtol, PAD);
  }

  /** Within rtol of max(1, |expected|); the first and last pad elements must hold SENTINEL. */
  static void compare(String ctx, float[] expected, float[] actual, double rtol, int pad) {
    assertEquals(expected.length, actual.length, ctx);
    for (int i = 0; i < expected.length; i++) {
      float e = expected[i], a = actual[i];
      if (Float.isNaN(e) && Float.isNaN(a)) continue; // neither writes it: not part of the op's output
      boolean padding = i < pad || i >= expected.length - pad;
      if (padding && a != SENTINEL) fail(ctx + ": wrote outside its slice at buffer index " + i + " (" + a + ")");
      if (Float.isNaN(a)) fail(ctx + "[" + (i - pad) + "]: not written (still NaN), expected " + e);
      if (!(Math.abs(e - a) <= rtol * Math.max(1.0, Math.abs(e)))) {
        fail(ctx + "[" + (i - pad) + "]: expected " + e + " got " + a);
      }
    }
  }
}

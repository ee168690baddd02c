package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.StepScalars;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every CPU kernel against the reference kernel on fresh random data, with odd sizes that hit
 * the vector tails, the ragged matmul tiles, several K blocks and uneven thread splits; on 1, 2
 * and 3 threads and on the two one-thread shares of a 2-thread backend ({@link CpuBackend#coreShares}),
 * the first with a helper in for the whole class (every op split in one part more than its threads)
 * and the second never helped (fewer parts than its scratch is sized for); all must also agree with
 * each other bit for bit (see {@link Fixture}).
 */
class CpuVsReferenceTest {
  private static final CpuBackend SHARED = new CpuBackend(2);
  private static final CpuBackend HELPED_SHARE = (CpuBackend) SHARED.coreShares(2)[0];
  private static final CpuBackend UNHELPED_SHARE = (CpuBackend) SHARED.coreShares(2)[1];
  private static final AtomicBoolean HELPER_LEAVES = new AtomicBoolean();
  static final List<CpuBackend> CPUS = List.of(new CpuBackend(1), new CpuBackend(2), new CpuBackend(3), HELPED_SHARE,
      UNHELPED_SHARE);
  /** Float sums in a different order than the reference: a few ulps per term. */
  static final double TOL = 2e-5;
  static final double MATMUL_TOL = 1e-4;

  @BeforeAll
  static void lendTheFirstShareAHelper() throws InterruptedException {
    CountDownLatch in = new CountDownLatch(1);
    Thread helper = new Thread(() -> HELPED_SHARE.helpUntil(() -> {
      in.countDown(); // asked first after the helper has come in: from here on every op of the share takes help
      return HELPER_LEAVES.get();
    }), "test-helper");
    helper.setDaemon(true);
    helper.start();
    assertTrue(in.await(10, TimeUnit.SECONDS), "the helper never came in");
  }

  @AfterAll
  static void closeAll() {
    HELPER_LEAVES.set(true);
    for (CpuBackend cpu : CPUS) {
      if (cpu != HELPED_SHARE && cpu != UNHELPED_SHARE) cpu.close();
    }
    SHARED.close(); // closes its shares
  }

  // N rows: below/at the gemv limit, ragged MR tiles, several MC row blocks; C, OC: vector tails, several K blocks
  @ParameterizedTest(name = "matmul N={0} C={1} OC={2}")
  @CsvSource({"1, 19, 37", "4, 64, 16", "5, 33, 17", "7, 300, 45", "130, 16, 16", "261, 37, 270", "97, 129, 33"})
  void matmulForwardWithAndWithoutBias(int N, int C, int OC) {
    new Fixture().random("inp", N * C).random("weight", OC * C).random("bias", OC).poisoned("out", N * OC)
        .poisoned("out2", N * OC)
        .check("matmulForward", MATMUL_TOL, CPUS, (be, t) -> {
          be.matmulForward(t.s("out"), t.s("inp"), t.s("weight"), t.s("bias"), N, C, OC);
          be.matmulForward(t.s("out2"), t.s("inp"), t.s("weight"), null, N, C, OC);
        });
  }

  @ParameterizedTest(name = "matmul backward N={0} C={1} OC={2}")
  @CsvSource({"1, 19, 37", "5, 33, 17", "7, 300, 45", "261, 37, 270", "97, 129, 33"})
  void matmulBackwardWritesDinpAndAddsIntoDweightAndDbias(int N, int C, int OC) {
    // dinp starts as NaN (it is written), the parameter gradients as random values (they are added to)
    new Fixture().random("inp", N * C).random("weight", OC * C).random("dout", N * OC)
        .poisoned("dinp", N * C).random("dweight", OC * C).random("dbias", OC)
        .check("matmulBackward", MATMUL_TOL, CPUS, (be, t) -> be.matmulBackward(t.s("dinp"), t.s("dweight"),
            t.s("dbias"), t.s("dout"), t.s("inp"), t.s("weight"), N, C, OC));
  }

  /**
   * Weights beyond a copy per part ({@link CpuMatmul#OWN_PACK_FLOATS}, at 256 and 512 bits): with
   * many panels of output columns each part packs and computes only its own columns (forward out,
   * backward dinp; dweight by rows for C <= OC, by columns for C > OC); with few, one shared pack
   * and a split by rows.
   */
  @ParameterizedTest(name = "large-weight matmul N={0} C={1} OC={2}")
  @CsvSource({"37, 1000, 1100", "37, 1100, 1000", "9, 12000, 100", "9, 100, 12000"})
  void matmulsWithWeightsTooLargeToCopyPerPart(int N, int C, int OC) {
    new Fixture().random("inp", N * C).random("weight", OC * C).random("bias", OC).poisoned("out", N * OC)
        .check("matmulForward", MATMUL_TOL, CPUS,
            (be, t) -> be.matmulForward(t.s("out"), t.s("inp"), t.s("weight"), t.s("bias"), N, C, OC));
    new Fixture().random("inp", N * C).random("weight", OC * C).random("dout", N * OC)
        .poisoned("dinp", N * C).random("dweight", OC * C).random("dbias", OC)
        .check("matmulBackward", MATMUL_TOL, CPUS, (be, t) -> be.matmulBackward(t.s("dinp"), t.s("dweight"),
            t.s("dbias"), t.s("dout"), t.s("inp"), t.s("weight"), N, C, OC));
  }

  @Test
  void matmulBackwardWithoutInputAndBiasGradients() {
    int N = 21, C = 18, OC = 11;
    new Fixture().random("inp", N * C).random("weight", OC * C).random("dout", N * OC).random("dweight", OC * C)
        .check("matmulBackward(null, null)", MATMUL_TOL, CPUS, (be, t) -> be.matmulBackward(null, t.s("dweight"),
            null, t.s("dout"), t.s("inp"), t.s("weight"), N, C, OC));
  }

  // ragged row tiles and panels (T, hs not multiples of 4, 16), one head, and T = 1024 (rows 4 KiB apart: packed path)
  @ParameterizedTest(name = "attention B={0} T={1} C={2} NH={3}")
  @CsvSource({"1, 1, 8, 2", "2, 5, 12, 3", "2, 37, 105, 3", "3, 40, 64, 1", "1, 1024, 16, 2"})
  void attentionForwardAndBackward(int B, int T, int C, int NH) {
    new Fixture().random("qkv", B * T * 3 * C).poisoned("out", B * T * C).poisoned("att", B * NH * T * T)
        .check("attentionForward", TOL, CPUS,
            (be, t) -> be.attentionForward(t.s("out"), t.s("att"), t.s("qkv"), B, T, C, NH));
    // The backward pass reads att; make a valid one with the reference forward inside the op.
    new Fixture().random("qkv", B * T * 3 * C).random("dout", B * T * C).poisoned("dqkv", B * T * 3 * C)
        .poisoned("out", B * T * C).poisoned("att", B * NH * T * T)
        .check("attentionBackward", TOL, CPUS, (be, t) -> {
          be.attentionForward(t.s("out"), t.s("att"), t.s("qkv"), B, T, C, NH);
          be.attentionBackward(t.s("dqkv"), t.s("dout"), t.s("qkv"), t.s("att"), B, T, C, NH);
        });
  }

  @ParameterizedTest(name = "attention decode p={0} maxT={1} C={2} NH={3}")
  @CsvSource({"0, 4, 8, 2", "6, 9, 35, 5", "150, 200, 256, 4", "31, 32, 48, 3", "40, 64, 128, 4"})
  void attentionDecode(int p, int maxT, int C, int NH) {
    new Fixture().random("qkv", 3 * C).random("kcache", maxT * C).random("vcache", maxT * C).ints("pos", p)
        .poisoned("out", C).poisoned("att", NH * maxT)
        .check("attentionDecode", TOL, CPUS, (be, t) -> be.attentionDecode(t.s("out"), t.s("att"), t.s("qkv"),
            t.s("kcache"), t.s("vcache"), t.i("pos"), maxT, C, NH));
  }

  @ParameterizedTest(name = "layernorm N={0} C={1}")
  // Row blocks of the weight/bias gradient sums (CpuLayernorm.rowBlock): 5 rows one block; 13 two, 17 three,
  // the last ragged; 150 nine of 18 rows, 1000 sixteen of 64, both ragged, split unevenly over 2 and 3 threads;
  // 264 columns: a tail at 16 lanes
  @CsvSource({"1, 5", "13, 77", "300, 19", "17, 264", "150, 264", "5, 264", "1000, 40"})
  void layernormForwardAndBackward(int N, int C) {
    Fixture f = new Fixture().random("inp", N * C, 3f).random("weight", C).random("bias", C).random("dout", N * C)
        .random("dinp", N * C).random("dweight", C).random("dbias", C).random("dweight2", C)
        .poisoned("out", N * C).poisoned("mean", N).poisoned("rstd", N).poisoned("out2", N * C);
    f.check("layernorm", TOL, CPUS, (be, t) -> {
      be.layernormForward(t.s("out"), t.s("mean"), t.s("rstd"), t.s("inp"), t.s("weight"), t.s("bias"), N, C);
      be.layernormBackward(t.s("dinp"), t.s("dweight"), t.s("dbias"), t.s("dout"), t.s("inp"), t.s("weight"),
          t.s("mean"), t.s("rstd"), N, C);
      be.layernormForward(t.s("out2"), t.s("mean"), t.s("rstd"), t.s("inp"), t.s("weight"), null, N, C);
      be.layernormBackward(t.s("dinp"), t.s("dweight2"), null, t.s("dout"), t.s("inp"), t.s("weight"),
          t.s("mean"), t.s("rstd"), N, C);
    });
  }

  @ParameterizedTest(name = "encoder B={0} T={1} C={2} V={3}")
  // the last: above CpuEncoder.MIN_ELEMENTS_PER_WORKER on 2 and 3 threads, so split between workers
  @CsvSource({"1, 1, 3, 2", "3, 7, 29, 50", "4, 16, 40, 9", "8, 64, 264, 300"})
  void encoderForwardBackwardAndDecode(int B, int T, int C, int V) {
    Fixture f = new Fixture();
    f.randomInts("tokens", B * T, V).ints("token", V - 1).ints("pos", T - 1)
        .random("wte", V * C).random("wpe", T * C).random("dout", B * T * C).random("dwte", V * C)
        .random("dwpe", T * C).poisoned("out", B * T * C).poisoned("dec", C)
        .check("encoder", TOL, CPUS, (be, t) -> {
          be.encoderForward(t.s("out"), t.i("tokens"), t.s("wte"), t.s("wpe"), B, T, C);
          be.encoderBackward(t.s("dwte"), t.s("dwpe"), t.s("dout"), t.i("tokens"), B, T, C, V);
          be.encoderDecode(t.s("dec"), t.i("token"), t.i("pos"), t.s("wte"), t.s("wpe"), C);
        });
  }

  @ParameterizedTest(name = "pointwise N={0}")
  @CsvSource({"1", "13", "100003"})
  void geluResidualAccumulateCopyZero(int N) {
    new Fixture().random("x", N, 3f).random("y", N).poisoned("dx", N).random("acc", N).random("z", N)
        .random("acc2", N).random("moved", N).poisoned("gelu", N).poisoned("sum", N).poisoned("copy", N)
        .check("pointwise", TOL, CPUS, (be, t) -> {
          be.geluForward(t.s("gelu"), t.s("x"), N);
          be.geluBackward(t.s("dx"), t.s("x"), t.s("y"), N);
          be.residualForward(t.s("sum"), t.s("x"), t.s("y"), N);
          be.accumulate(t.s("acc"), t.s("y"), N);
          be.accumulateAndClear(t.s("acc2"), t.s("moved"), N); // moved ends all zeros
          be.copy(t.s("copy"), t.s("y"));
          be.zero(t.s("z"));
        });
  }

  @ParameterizedTest(name = "dropout N={0} p={1}")
  @CsvSource({"7, 0.5", "100003, 0.1", "5000, 0.0"})
  void dropoutMasksMatchTheReferenceExactly(int N, float p) {
    float[] scalars = new float[StepScalars.SIZE];
    scalars[StepScalars.RNG_STEP] = 17f;
    // Tolerance 0: the mask and the scaling must be bit-identical on every backend and thread count.
    new Fixture().random("x", N).random("dy", N).poisoned("dx", N).values("scalars", scalars).poisoned("y", N)
        .check("dropout", 0.0, CPUS, (be, t) -> {
          be.dropoutForward(t.s("y"), t.s("x"), t.s("scalars"), p, 1234L, 5, N);
          be.dropoutBackward(t.s("dx"), t.s("dy"), t.s("scalars"), p, 1234L, 5, N);
        });
  }

  @ParameterizedTest(name = "softmax and loss N={0} V={1} Vp={2}")
  @CsvSource({"1, 1, 1", "7, 1001, 1008", "33, 5, 5", "3, 17, 24"})
  void softmaxAndCrossEntropy(int N, int V, int Vp) {
    Fixture f = new Fixture();
    f.random("logits", N * Vp, 4f).random("logits2", N * Vp, 4f).randomInts("targets", N, V)
        .poisoned("probs", N * Vp).poisoned("losses", N).poisoned("losses2", N)
        .check("softmax/crossEntropy", TOL, CPUS, (be, t) -> {
          be.softmaxForward(t.s("probs"), t.s("logits"), N, V, Vp);
          be.crossEntropyForward(t.s("losses"), t.s("logits"), t.i("targets"), N, V, Vp);
          be.crossEntropyForwardBackward(t.s("losses2"), t.s("logits2"), t.i("targets"), 1f / N, N, V, Vp);
        });
  }

  @ParameterizedTest(name = "adamw N={0} maxNorm={1}")
  @CsvSource({"3, 0", "50001, 1.5", "70000, 1000"})
  void globalNormAndAdamw(int N, float maxNorm) {
    float[] scalars = new float[StepScalars.SIZE];
    scalars[StepScalars.LR] = 3e-3f;
    scalars[StepScalars.ADAM_T] = 7f;
    scalars[StepScalars.MAX_GRAD_NORM] = maxNorm;
    Fixture f = new Fixture().random("params", N).random("grads", N, 0.1f).values("scalars", scalars);
    float[] m = new float[N], v = new float[N];
    for (int i = 0; i < N; i++) {
      m[i] = 0.01f * (float) f.rng.nextGaussian();
      v[i] = 1e-4f * (float) Math.abs(f.rng.nextGaussian());
    }
    f.values("m", m).values("v", v).copyOf("params", "params2").copyOf("grads", "grads2").values("m2", m)
        .values("v2", v)
        .check("adamw", TOL, CPUS, (be, t) -> {
          be.globalNormSquared(t.s("scalars"), t.s("grads"), N);
          be.adamw(t.s("params"), t.s("grads"), t.s("m"), t.s("v"), t.s("scalars"), 0.9f, 0.95f, 1e-8f, 0.1f, N);
          // the same step consuming its gradients: the same parameters and moments, grads2 all zeros
          be.adamwAndClearGrads(t.s("params2"), t.s("grads2"), t.s("m2"), t.s("v2"), t.s("scalars"), 0.9f, 0.95f,
              1e-8f, 0.1f, N);
        });
  }
}

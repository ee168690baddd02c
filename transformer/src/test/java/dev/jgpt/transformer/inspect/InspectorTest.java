package dev.jgpt.transformer.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.CaptureChecker;
import dev.jgpt.kernels.CounterRng;
import dev.jgpt.kernels.ReferenceBackend;
import dev.jgpt.transformer.KvCacheModel;
import dev.jgpt.transformer.Gpt;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.ParameterLayout;
import dev.jgpt.transformer.TestWeights;
import dev.jgpt.transformer.TokenProbabilities;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class InspectorTest {
  private static final GptConfig CFG = GptConfig.of(70, 40, 2, 2, 16, true, 0f); // V, T, L, NH, C

  private static int[] randomTokens(int n, int vocab, long seed) {
    int[] t = new int[n];
    long key = CounterRng.key(seed, 1, 9);
    for (int i = 0; i < n; i++) t[i] = CounterRng.nextInt(key, i, vocab);
    return t;
  }

  private static Backend open(String name) {
    return Backends.open(name, 0, 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"reference", "cpu"})
  void attentionRowsAreTheSoftmaxOfThisForwardsQueriesAndKeys(String backendName) {
    int n = 21, C = CFG.nEmbd(), NH = CFG.nHead(), hs = C / NH;
    try (Backend be = open(backendName); KvCacheModel gen = KvCacheModel.withWeights(CFG, be, TestWeights.farFromInit(CFG, 3));
        Inspector inspector = new Inspector(gen)) {
      Inspection ins = inspector.inspect(randomTokens(n, CFG.vocabSize(), 5), n);
      assertEquals(n, ins.length());
      double maxWeight = 0;
      for (int l = 0; l < CFG.nLayer(); l++) {
        float[][] qkv = new float[n][];
        for (int t = 0; t < n; t++) qkv[t] = ins.qkv(l, t);
        for (int h = 0; h < NH; h++) {
          float[][] att = ins.attention(l, h);
          for (int q = 0; q < n; q++) {
            // reference: softmax over keys 0..q of q.k / sqrt(hs), from the q and k this same pass computed
            double[] scores = new double[q + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k <= q; k++) {
              double dot = 0;
              for (int i = 0; i < hs; i++) dot += (double) qkv[q][h * hs + i] * qkv[k][C + h * hs + i];
              scores[k] = dot / Math.sqrt(hs);
              max = Math.max(max, scores[k]);
            }
            double z = 0;
            for (int k = 0; k <= q; k++) z += Math.exp(scores[k] - max);
            double sum = 0;
            for (int k = 0; k < n; k++) {
              String where = "layer " + l + " head " + h + " query " + q + " key " + k;
              if (k > q) {
                assertEquals(0f, att[q][k], where + ": causal");
              } else {
                assertEquals(Math.exp(scores[k] - max) / z, att[q][k], 1e-5, where);
                maxWeight = Math.max(maxWeight, q > 0 ? att[q][k] : 0);
              }
              sum += att[q][k];
            }
            assertEquals(1.0, sum, 1e-5, "row sum, layer " + l + " head " + h + " query " + q);
          }
        }
      }
      assertTrue(maxWeight > 0.5, "weights far from uniform, so the comparison means something: " + maxWeight);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"reference", "cpu"})
  void theLastLensLayerIsTheModelsOwnOutput(String backendName) {
    int n = 13, L = CFG.nLayer(), V = CFG.vocabSize();
    float[] weights = TestWeights.farFromInit(CFG, 4);
    int[] tokens = randomTokens(n, V, 6);
    try (Backend be = open(backendName); KvCacheModel gen = KvCacheModel.withWeights(CFG, be, weights);
        Inspector inspector = new Inspector(gen); Gpt gpt = new Gpt(CFG, be, 1, n)) {
      gpt.writeParams(weights);
      float[] expected = gpt.logits(tokens); // (n, V)
      Inspection ins = inspector.inspect(tokens, n);
      for (int t = 0; t < n; t++) {
        List<TokenProbabilities> lens = ins.lens(t); // runs the lens at every depth, the last one again
        assertEquals(L + 1, lens.size());
        float[] row = Arrays.copyOfRange(expected, t * V, (t + 1) * V);
        TokenProbabilities model = TokenProbabilities.ofModel(row, V, -1);
        float[] logits = ins.lensLogits(L, t);
        for (int i = 0; i < V; i++) {
          assertEquals(row[i], logits[i], 1e-5f * Math.max(1f, Math.abs(row[i])), "position " + t + " logit " + i);
          assertEquals(model.raw(i), lens.get(L).raw(i), 1e-5f, "position " + t + " probability " + i);
        }
        assertTrue(differs(lens.get(0), lens.get(L), V), "the embeddings' lens is not the output");
      }
      float[] next = gen.nextLogits(tokens, n);
      float[] last = ins.logits(n - 1);
      for (int i = 0; i < V; i++) assertEquals(next[i], last[i], 1e-4f * Math.max(1f, Math.abs(next[i])), "generator, logit " + i);
    }
  }

  private static boolean differs(TokenProbabilities a, TokenProbabilities b, int V) {
    for (int i = 0; i < V; i++) if (Math.abs(a.raw(i) - b.raw(i)) > 1e-3) return true;
    return false;
  }

  @Test
  void theEmbeddingsLensIsTheFinalNormAndHeadOfWtePlusWpe() {
    int n = 5, C = CFG.nEmbd(), V = CFG.vocabSize();
    float[] w = TestWeights.farFromInit(CFG, 8);
    ParameterLayout layout = new ParameterLayout(CFG);
    int[] tokens = randomTokens(n, V, 2);
    try (Backend be = open("reference"); KvCacheModel gen = KvCacheModel.withWeights(CFG, be, w);
        Inspector inspector = new Inspector(gen)) {
      Inspection ins = inspector.inspect(tokens, n);
      int t = 3;
      float[] x = new float[C];
      for (int c = 0; c < C; c++) x[c] = w[layout.get("wte").offset() + tokens[t] * C + c] + w[layout.get("wpe").offset() + t * C + c];
      assertEquals(0, Arrays.compare(x, ins.residual(0, t)), "depth 0 is wte + wpe");
      double mean = 0, var = 0;
      for (float v : x) mean += v;
      mean /= C;
      for (float v : x) var += (v - mean) * (v - mean);
      double rstd = 1 / Math.sqrt(var / C + 1e-5);
      double[] ln = new double[C];
      for (int c = 0; c < C; c++) {
        ln[c] = (x[c] - mean) * rstd * w[layout.get("ln_f.weight").offset() + c] + w[layout.get("ln_f.bias").offset() + c];
      }
      float[] lens = ins.lensLogits(0, t);
      for (int v = 0; v < V; v++) {
        double dot = 0;
        for (int c = 0; c < C; c++) dot += ln[c] * w[layout.get("wte").offset() + v * C + c];
        assertEquals(dot, lens[v], 1e-4, "logit " + v);
      }
    }
  }

  @Test
  void aContextLongerThanTheBlockIsTheGeneratorsWindow() {
    int n = 57, V = CFG.vocabSize();
    int[] tokens = randomTokens(n, V, 9);
    try (Backend be = open("cpu"); KvCacheModel gen = KvCacheModel.withWeights(CFG, be, TestWeights.farFromInit(CFG, 1));
        Inspector inspector = new Inspector(gen)) {
      Inspection ins = inspector.inspect(tokens, n);
      assertEquals(gen.windowStart(n), ins.start());
      assertEquals(n - ins.start(), ins.length());
      assertTrue(ins.length() <= CFG.blockSize());
      float[] expected = gen.nextLogits(tokens, n).clone();
      float[] lens = ins.lensLogits(CFG.nLayer(), ins.length() - 1);
      for (int i = 0; i < V; i++) assertEquals(expected[i], lens[i], 1e-4f * Math.max(1f, Math.abs(expected[i])));
    }
  }

  @Test
  void similarTokensPutTheTokenItselfFirstWithSimilarityOne() {
    try (Backend be = open("cpu"); KvCacheModel gen = KvCacheModel.withWeights(CFG, be, TestWeights.farFromInit(CFG, 2));
        Inspector inspector = new Inspector(gen)) {
      for (int id : new int[] {0, 17, 69}) {
        List<Inspector.Similar> top = inspector.similarTokens(id, 10);
        assertEquals(10, top.size());
        assertEquals(id, top.get(0).id());
        assertEquals(1.0, top.get(0).cosine(), 1e-9);
        for (int i = 1; i < top.size(); i++) {
          assertTrue(top.get(i).cosine() <= top.get(i - 1).cosine(), "sorted: " + top);
          assertTrue(top.get(i).cosine() < 1 - 1e-6, "random rows are not parallel: " + top);
        }
      }
      assertThrows(IllegalArgumentException.class, () -> inspector.similarTokens(70, 10));
    }
  }

  @Test
  void anInspectionIsValidUntilTheNextAndInspectingLeavesGenerationAlone() {
    int[] tokens = randomTokens(30, CFG.vocabSize(), 4);
    try (Backend be = open("cpu"); KvCacheModel gen = KvCacheModel.withWeights(CFG, be, TestWeights.farFromInit(CFG, 5));
        Inspector inspector = new Inspector(gen)) {
      float[] before = gen.nextLogits(tokens, 20).clone();
      Inspection first = inspector.inspect(tokens, 10);
      first.attentionRow(0, 0, 9);
      Inspection second = inspector.inspect(tokens, 30); // another row count: another forward-only model
      assertThrows(IllegalStateException.class, () -> first.attentionRow(0, 0, 9));
      second.lens(29);
      assertEquals(0, Arrays.compare(before, gen.nextLogits(tokens, 20)), "the generator's cache and weights are untouched");
      assertThrows(IndexOutOfBoundsException.class, () -> second.attentionRow(0, 2, 0));
      assertThrows(IndexOutOfBoundsException.class, () -> second.residual(3, 0));
    }
  }

  @Test
  void inspectionStepsAreCaptureSafe() {
    CaptureChecker checker = CaptureChecker.wrap(new ReferenceBackend());
    int[] tokens = randomTokens(20, CFG.vocabSize(), 3);
    try (KvCacheModel gen = KvCacheModel.withWeights(CFG, checker.backend(), TestWeights.farFromInit(CFG, 6));
        Inspector inspector = new Inspector(gen)) {
      for (int n : new int[] {9, 14, 20}) inspector.inspect(tokens, n).lens(n - 1); // 16 rows, then 32
      assertEquals(2, checker.completedRuns("inspect-16"));
      assertEquals(1, checker.completedRuns("inspect-32"));
      assertEquals(2, checker.completedRuns("lens-16-0"));
    }
  }
}

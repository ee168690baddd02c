package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
  private static final int[] NO_CONTEXT = new int[0];

  /** Logits whose softmax is exactly {@code probs} (up to float rounding). */
  private static float[] logitsOf(double... probs) {
    float[] l = new float[probs.length];
    for (int i = 0; i < probs.length; i++) l[i] = (float) Math.log(probs[i]);
    return l;
  }

  private static double[] softmax(float[] logits, int v, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < v; i++) max = Math.max(max, logits[i] / temperature);
    double[] p = new double[v];
    double sum = 0;
    for (int i = 0; i < v; i++) sum += p[i] = Math.exp(logits[i] / temperature - max);
    for (int i = 0; i < v; i++) p[i] /= sum;
    return p;
  }

  private static SamplerSettings plain() {
    return SamplerSettings.defaults().withTemperature(1.0);
  }

  private static float[] randomLogits(int v, long seed) {
    java.util.Random r = new java.util.Random(seed);
    float[] l = new float[v];
    for (int i = 0; i < v; i++) l[i] = (float) (r.nextGaussian() * 2);
    return l;
  }

  private static Set<Integer> kept(TokenProbabilities tp) {
    Set<Integer> s = new java.util.TreeSet<>();
    for (int i = 0; i < tp.vocabSize(); i++) if (tp.filtered(i) > 0) s.add(i);
    return s;
  }

  @Test
  void rawProbabilitiesAreTheSoftmaxOfTheLogitsAndSumToOne() {
    float[] logits = randomLogits(300, 1);
    Sampler sampler = new Sampler(300);
    TokenProbabilities tp = sampler.sample(logits, plain().withTopK(5), NO_CONTEXT, 0, 0);
    double[] expected = softmax(logits, 300, 1);
    double rawSum = 0, filteredSum = 0;
    for (int i = 0; i < 300; i++) {
      assertEquals(expected[i], tp.raw(i), 1e-6 * Math.max(1, expected[i] * 10));
      assertEquals(Math.log(expected[i]), tp.rawLogprob(i), 1e-5);
      rawSum += tp.raw(i);
      filteredSum += tp.filtered(i);
    }
    assertEquals(1.0, rawSum, 1e-5);
    assertEquals(1.0, filteredSum, 1e-5);
  }

  @Test
  void withoutFiltersTheSamplerDistributionIsTheSoftmaxAtTheTemperature() {
    float[] logits = randomLogits(50, 2);
    for (double t : new double[] {0.5, 1.0, 1.7}) {
      TokenProbabilities tp = new Sampler(50).distribution(logits, plain().withTemperature(t), NO_CONTEXT, 0);
      double[] expected = softmax(logits, 50, t);
      for (int i = 0; i < 50; i++) assertEquals(expected[i], tp.filtered(i), 1e-6, "T=" + t + " token " + i);
      assertEquals(-1, tp.chosen());
    }
  }

  @Test
  void atGpt2sVocabularyTheFloatSoftmaxIsTheDoubleOneWithinFloatError() {
    // 50,257 = 3,141 vectors of 16 and a tail of 1: the vector exp's tail lanes included
    int v = 50_257;
    float[] logits = randomLogits(v, 12);
    logits[v - 1] = 9f; // the last, tail, token is the most likely
    TokenProbabilities tp = new Sampler(v).distribution(logits, SamplerSettings.defaults(), NO_CONTEXT, 0);
    double[] expected = softmax(logits, v, 0.8);
    double sum = 0;
    for (int i = 0; i < v; i++) {
      assertEquals(expected[i], tp.filtered(i), 1e-5 * expected[i] + 1e-30, "token " + i);
      sum += tp.filtered(i);
    }
    assertEquals(1.0, sum, 1e-5);
  }

  @Test
  void aTinyTemperatureOrAHugeBiasStillGivesADistributionWithoutNaN() {
    float[] logits = {0.5f, 2f, -1f, 1.5f};
    TokenProbabilities cold = new Sampler(4).distribution(logits, plain().withTemperature(1e-300), NO_CONTEXT, 0);
    assertEquals(1.0, cold.filtered(1), 1e-12, "a temperature whose inverse overflows a float: all mass on the argmax");
    // a penalty of 1e-40 divides token 1's logit 2 up to 2e40, past the largest float
    SamplerSettings huge = plain().withRepetitionPenalty(1e-40).withLogitBias(Map.of(3, Float.MAX_VALUE));
    TokenProbabilities pushed = new Sampler(4).distribution(logits, huge, new int[] {1}, 1);
    for (int i = 0; i < 4; i++) assertTrue(Float.isFinite(pushed.filtered(i)), "token " + i);
    assertEquals(0.5, pushed.filtered(1), 1e-6, "logits past the largest float are held at it: a tie with the bias");
    assertEquals(0.5, pushed.filtered(3), 1e-6);
  }

  @Test
  void temperatureZeroIsGreedyAndPutsAllMassOnTheArgmax() {
    float[] logits = {0.1f, 2.5f, 2.4f, -1f};
    Sampler sampler = new Sampler(4);
    SamplerSettings greedy = plain().withTemperature(0);
    for (long draw = 0; draw < 20; draw++) {
      TokenProbabilities tp = sampler.sample(logits, greedy, NO_CONTEXT, 0, draw);
      assertEquals(1, tp.chosen());
      assertArrayEquals(new float[] {0, 1, 0, 0}, tp.filteredProbabilities());
      assertEquals(0.0, tp.filteredEntropyBits(), 0);
    }
    // The bias acts before the argmax.
    assertEquals(2, sampler.sample(logits, greedy.withLogitBias(Map.of(2, 0.5f)), NO_CONTEXT, 0, 0).chosen());
  }

  @Test
  void topKKeepsExactlyTheKMostLikelyWithTheirRenormalisedMass() {
    float[] logits = randomLogits(200, 3);
    double[] p = softmax(logits, 200, 1);
    Integer[] byProb = new Integer[200];
    for (int i = 0; i < 200; i++) byProb[i] = i;
    java.util.Arrays.sort(byProb, (a, b) -> Double.compare(p[b], p[a]));
    for (int k : new int[] {1, 2, 7, 199, 200}) {
      TokenProbabilities tp = new Sampler(200).distribution(logits, plain().withTopK(k), NO_CONTEXT, 0);
      Set<Integer> expected = new java.util.TreeSet<>(java.util.Arrays.asList(byProb).subList(0, k));
      assertEquals(expected, kept(tp), "k=" + k);
      double mass = 0;
      for (int id : expected) mass += p[id];
      for (int id : expected) assertEquals(p[id] / mass, tp.filtered(id), 1e-6, "k=" + k + " id " + id);
    }
  }

  @Test
  void topPKeepsTheShortestPrefixThatReachesTheMass() {
    float[] logits = logitsOf(0.05, 0.5, 0.15, 0.3);
    Sampler sampler = new Sampler(4);
    assertEquals(Set.of(1), kept(sampler.distribution(logits, plain().withTopP(0.45), NO_CONTEXT, 0)));
    assertEquals(Set.of(1, 3), kept(sampler.distribution(logits, plain().withTopP(0.75), NO_CONTEXT, 0)));
    assertEquals(Set.of(1, 2, 3), kept(sampler.distribution(logits, plain().withTopP(0.9), NO_CONTEXT, 0)));
    assertEquals(Set.of(0, 1, 2, 3), kept(sampler.distribution(logits, plain().withTopP(0.99), NO_CONTEXT, 0)));
    TokenProbabilities tp = sampler.distribution(logits, plain().withTopP(0.75), NO_CONTEXT, 0);
    assertEquals(0.5 / 0.8, tp.filtered(1), 1e-6);
    assertEquals(0.3 / 0.8, tp.filtered(3), 1e-6);
  }

  @Test
  void topPOnRandomLogitsKeepsAtLeastPAndDroppingTheLeastKeptFallsBelow() {
    for (long seed = 10; seed < 30; seed++) {
      float[] logits = randomLogits(100, seed);
      double[] p = softmax(logits, 100, 1);
      double topP = 0.05 + 0.9 * ((seed * 37) % 100) / 100.0;
      Set<Integer> kept = kept(new Sampler(100).distribution(logits, plain().withTopP(topP), NO_CONTEXT, 0));
      double mass = 0, least = 1, bestOutside = 0;
      for (int i = 0; i < 100; i++) {
        if (kept.contains(i)) {
          mass += p[i];
          least = Math.min(least, p[i]);
        } else {
          bestOutside = Math.max(bestOutside, p[i]);
        }
      }
      assertTrue(mass >= topP - 1e-6, "kept mass " + mass + " < top-p " + topP);
      assertTrue(mass - least < topP + 1e-6, "a shorter prefix already reached " + topP);
      assertTrue(bestOutside <= least, "a dropped token is more likely than a kept one");
    }
  }

  @Test
  void topPActsOnWhatTopKLeft() {
    float[] logits = logitsOf(0.4, 0.3, 0.2, 0.1);
    // top-k 2 leaves 0.4/0.7 = 0.571 and 0.3/0.7 = 0.429; top-p 0.55 keeps only the first.
    var tp = new Sampler(4).distribution(logits, plain().withTopK(2).withTopP(0.55), NO_CONTEXT, 0);
    assertEquals(Set.of(0), kept(tp));
    tp = new Sampler(4).distribution(logits, plain().withTopK(2).withTopP(0.6), NO_CONTEXT, 0);
    assertEquals(Set.of(0, 1), kept(tp));
  }

  @Test
  void minPKeepsTokensAtLeastMTimesTheMostLikely() {
    float[] logits = randomLogits(500, 4);
    double[] p = softmax(logits, 500, 1);
    double max = 0;
    for (double v : p) max = Math.max(max, v);
    for (double minP : new double[] {0.01, 0.1, 0.5, 1.0}) {
      TokenProbabilities tp = new Sampler(500).distribution(logits, plain().withMinP(minP), NO_CONTEXT, 0);
      double mass = 0;
      for (int i = 0; i < 500; i++) if (p[i] >= minP * max) mass += p[i];
      for (int i = 0; i < 500; i++) {
        // Exactly at the threshold float rounding may go either way; skip a hair around it.
        if (Math.abs(p[i] - minP * max) < 1e-9) continue;
        double expected = p[i] >= minP * max ? p[i] / mass : 0;
        assertEquals(expected, tp.filtered(i), 1e-6, "min-p " + minP + " token " + i);
      }
    }
  }

  @Test
  void drawsFollowTheFilteredDistributionAndNeverPickARemovedToken() {
    float[] logits = logitsOf(0.02, 0.4, 0.1, 0.25, 0.2, 0.03);
    SamplerSettings s = plain().withTopK(4).withTemperature(0.9);
    Sampler sampler = new Sampler(6);
    TokenProbabilities first = sampler.distribution(logits, s, NO_CONTEXT, 0);
    int n = 40_000;
    int[] hits = new int[6];
    for (int d = 0; d < n; d++) hits[sampler.sample(logits, s, NO_CONTEXT, 0, d).chosen()]++;
    for (int i = 0; i < 6; i++) {
      double q = first.filtered(i);
      if (q == 0) {
        assertEquals(0, hits[i], "token " + i + " was filtered out but drawn");
        continue;
      }
      double sigma = Math.sqrt(n * q * (1 - q));
      assertEquals(n * q, hits[i], 5 * sigma, "token " + i + ": expected " + n * q + " draws");
    }
  }

  @Test
  void theSameSeedAndDrawGiveTheSameTokenAndOtherSeedsDiffer() {
    float[] logits = randomLogits(64, 5);
    Sampler sampler = new Sampler(64);
    int[] a = new int[200], b = new int[200], c = new int[200];
    for (int d = 0; d < 200; d++) {
      a[d] = sampler.sample(logits, plain().withSeed(42), NO_CONTEXT, 0, d).chosen();
      b[d] = new Sampler(64).sample(logits, plain().withSeed(42), NO_CONTEXT, 0, d).chosen();
      c[d] = sampler.sample(logits, plain().withSeed(43), NO_CONTEXT, 0, d).chosen();
    }
    assertArrayEquals(a, b);
    assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
  }

  @Test
  void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
    float[] logits = {2f, -1f, 0.5f, 1f};
    int[] context = {0, 1, 0};
    TokenProbabilities tp = new Sampler(4)
        .distribution(logits, plain().withRepetitionPenalty(2.0), context, context.length);
    double[] expected = softmax(new float[] {1f, -2f, 0.5f, 1f}, 4, 1);
    for (int i = 0; i < 4; i++) assertEquals(expected[i], tp.filtered(i), 1e-6);
  }

  @Test
  void presenceAndFrequencyPenaltiesFollowOpenAisFormula() {
    float[] logits = {1f, 1f, 1f, 1f};
    int[] context = {2, 0, 2, 2};
    SamplerSettings s = plain().withPresencePenalty(0.5).withFrequencyPenalty(0.25);
    TokenProbabilities tp = new Sampler(4).distribution(logits, s, context, context.length);
    // token 0: once -> 1 - 0.5 - 0.25; token 2: three times -> 1 - 0.5 - 0.75.
    double[] expected = softmax(new float[] {0.25f, 1f, -0.25f, 1f}, 4, 1);
    for (int i = 0; i < 4; i++) assertEquals(expected[i], tp.filtered(i), 1e-6);
  }

  @Test
  void penaltiesOnlyLookAtTheLastNContextTokens() {
    float[] logits = {1f, 1f};
    int[] context = {0, 1, 1};
    SamplerSettings s = plain().withPresencePenalty(1.0).withPenaltyLastN(2);
    TokenProbabilities tp = new Sampler(2).distribution(logits, s, context, context.length);
    double[] expected = softmax(new float[] {1f, 0f}, 2, 1);
    assertEquals(expected[0], tp.filtered(0), 1e-6);
    // Calling again gives the same answer (the occurrence counts are reset between calls).
    assertEquals(tp.filtered(0), new Sampler(2).distribution(logits, s, context, 3).filtered(0), 0);
  }

  @Test
  void bannedTokensAreNeverDrawnAndBanningEverythingIsAnError() {
    float[] logits = {5f, 0f, 0f};
    Sampler sampler = new Sampler(3);
    SamplerSettings s = plain().withBannedTokens(Set.of(0));
    for (int d = 0; d < 500; d++) assertNotEquals(0, sampler.sample(logits, s, NO_CONTEXT, 0, d).chosen());
    assertEquals(0f, sampler.distribution(logits, s, NO_CONTEXT, 0).filtered(0));
    // The raw distribution still shows what the model thought.
    assertTrue(sampler.distribution(logits, s, NO_CONTEXT, 0).raw(0) > 0.9f);
    var all = s.withBannedTokens(Set.of(0, 1, 2));
    var e = assertThrows(IllegalArgumentException.class, () -> sampler.sample(logits, all, NO_CONTEXT, 0, 0));
    assertTrue(e.getMessage().contains("banned"), e.getMessage());
  }

  @Test
  void biasOrBansOnIdsOutsideTheVocabularyAreAnErrorNotIgnored() {
    float[] logits = new float[128]; // V = 65, padded
    Sampler sampler = new Sampler(65);
    var banned = assertThrows(IllegalArgumentException.class,
        () -> sampler.sample(logits, plain().withBannedTokens(Set.of(3, 65)), NO_CONTEXT, 0, 0));
    assertEquals("banned token id 65 is not in the model's vocabulary 0..64; look ids up with :tok or"
        + " 'jgpt tokenizer encode'", banned.getMessage());
    var biased = assertThrows(IllegalArgumentException.class,
        () -> sampler.distribution(logits, plain().withLogitBias(Map.of(100, 1f)), NO_CONTEXT, 0));
    assertTrue(biased.getMessage().startsWith("logit bias token id 100 "), biased.getMessage());
    assertThrows(IllegalArgumentException.class, () -> sampler.force(logits, plain(), NO_CONTEXT, 0, 65));
    assertEquals(64, sampler.force(logits, plain(), NO_CONTEXT, 0, 64).chosen());
  }

  @Test
  void paddedLogitsBeyondTheVocabularyAreNeverDrawn() {
    float[] logits = new float[128]; // V = 65 padded to 128; padding is huge on purpose
    java.util.Arrays.fill(logits, 65, 128, 100f);
    Sampler sampler = new Sampler(65);
    for (int d = 0; d < 300; d++) assertTrue(sampler.sample(logits, plain(), NO_CONTEXT, 0, d).chosen() < 65);
    assertEquals(65, sampler.distribution(logits, plain(), NO_CONTEXT, 0).vocabSize());
  }

  @Test
  void nonFiniteLogitsAreAClearError() {
    float[] logits = {0f, Float.NaN};
    var e = assertThrows(IllegalStateException.class, () -> new Sampler(2).sample(logits, plain(), NO_CONTEXT, 0, 0));
    assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
  }

  @Test
  void topListRanksEntropyAndForcedTokens() {
    float[] logits = logitsOf(0.25, 0.25, 0.25, 0.25);
    TokenProbabilities uniform = new Sampler(4).distribution(logits, plain(), NO_CONTEXT, 0);
    assertEquals(2.0, uniform.rawEntropyBits(), 1e-5);
    assertEquals(2.0, uniform.filteredEntropyBits(), 1e-5);

    float[] skewed = logitsOf(0.1, 0.6, 0.3);
    TokenProbabilities tp = new Sampler(3).force(skewed, plain(), NO_CONTEXT, 0, 0);
    assertEquals(0, tp.chosen());
    assertEquals(3, tp.rawRank(0));
    assertEquals(1, tp.rawRank(1));
    var top = tp.top(2);
    assertEquals(2, top.size());
    assertEquals(1, top.get(0).id());
    assertEquals(2, top.get(1).id());
    assertEquals(2, top.get(1).rank());
    assertEquals(0.3f, top.get(1).raw(), 1e-6);
    assertEquals(3, tp.top(10).size());
  }

  @Test
  void eachWithMethodChangesItsSettingAndNothingElse() {
    SamplerSettings d = SamplerSettings.defaults();
    var bias = Map.of(3, -2f);
    var banned = Set.of(7);
    var stops = java.util.List.of("END");
    assertEquals(new SamplerSettings(0.8, 0, 1.0, 0.0, 1.0, 0.0, 0.0, 64, Map.of(), Set.of(), 1337, 500,
        java.util.List.of()), d, "the defaults");
    assertEquals(new SamplerSettings(0.3, 5, 0.9, 0.05, 1.2, 0.5, 0.25, 32, bias, banned, 9, 40, stops),
        d.withTemperature(0.3).withTopK(5).withTopP(0.9).withMinP(0.05).withRepetitionPenalty(1.2)
            .withPresencePenalty(0.5).withFrequencyPenalty(0.25).withPenaltyLastN(32).withLogitBias(bias)
            .withBannedTokens(banned).withSeed(9).withMaxNewTokens(40).withStopStrings(stops));
    assertEquals(d.withSeed(9).withTopK(5), d.withTopK(5).withSeed(9), "each changes one field");
    assertEquals(0.8, d.withTopK(5).temperature());
  }

  @Test
  void settingsRejectImpossibleValuesWithOneLineMessages() {
    SamplerSettings d = SamplerSettings.defaults();
    assertThrows(IllegalArgumentException.class, () -> d.withTemperature(-1));
    assertThrows(IllegalArgumentException.class, () -> d.withTopP(0));
    assertThrows(IllegalArgumentException.class, () -> d.withTopP(1.5));
    assertThrows(IllegalArgumentException.class, () -> d.withMinP(2));
    assertThrows(IllegalArgumentException.class, () -> d.withTopK(-3));
    assertThrows(IllegalArgumentException.class, () -> d.withRepetitionPenalty(0));
    assertThrows(IllegalArgumentException.class, () -> d.withStopStrings(java.util.List.of("")));
    assertTrue(String.join("\n", d.withTemperature(0).describe()).contains("greedy"));
  }
}

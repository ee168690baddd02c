package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainConfigTest {

  @Test
  void configFileKeysOverrideTheBase() {
    Map<TrainConfigKey, Object> file = TrainConfig.parseJson(
        "{\"n_layer\": 6, \"n-head\": 4, \"learning_rate\": 3e-4, \"bias\": true, \"corpus\": \"x.txt\"}", "c.json");
    TrainConfig c = Presets.get("tiny").withAll(file).validate();
    assertEquals(6, c.nLayer());
    assertEquals(4, c.nHead());
    assertEquals(3e-4, c.learningRate());
    assertTrue(c.bias());
    assertEquals("x.txt", c.corpus());
    assertEquals(16, c.nEmbd()); // untouched tiny value
  }

  @Test
  void corpusGlobsAreListsOfStrings() {
    Map<TrainConfigKey, Object> file = TrainConfig.parseJson("{\"include\": [\"*.md\", \"*.txt\"], \"exclude\": \"drafts/**\"}",
        "my.json");
    TrainConfig c = TrainConfig.defaults().withAll(file);
    assertEquals(List.of("*.md", "*.txt"), c.include());
    assertEquals(List.of("drafts/**"), c.exclude(), "one string is a list of one");
    assertEquals(List.of(), TrainConfig.defaults().include());
    assertEquals(c, TrainConfig.defaults().withAll(TrainConfig.parseJson(c.toJson(), "config.json")), "round trip");
    var e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parseJson("{\"include\": [1]}", "my.json"));
    assertEquals("my.json: \"include\" should be a list of strings, got [1]", e.getMessage());
  }

  @Test
  void theBackendAndThreadsOfOldRunsAreReadPastAndNeverWritten() {
    // config.json and state.json of runs saved when backend and threads were training settings
    Map<TrainConfigKey, Object> old = TrainConfig.parseJson(
        "{\"n_layer\": 3, \"threads\": 2, \"backend\": \"cpu\", \"seed\": 7}", "config.json");
    assertEquals(Map.of(TrainConfigKey.N_LAYER, 3, TrainConfigKey.SEED, 7), old);
    String written = TrainConfig.defaults().withAll(old).toJson();
    assertFalse(written.contains("threads") || written.contains("backend"), written);
  }

  @Test
  void theDefaultsAndRulesAreTheDeclaredOnes() {
    TrainConfig d = TrainConfig.defaults();
    for (TrainConfigKey k : TrainConfigKey.values()) assertEquals(k.defaultValue(), d.get(k), k.json());
    assertEquals(1337L, d.seed());
    var zero = assertThrows(IllegalArgumentException.class, () -> d.with(TrainConfigKey.MAX_ITERS, 0).validate());
    assertEquals("--max-iters must be >= 1, got 0 (was 0)", zero.getMessage());
    var dropout = assertThrows(IllegalArgumentException.class, () -> d.with(TrainConfigKey.DROPOUT, 1.0).validate());
    assertEquals("--dropout must be in [0, 1) (was 1.0)", dropout.getMessage());
    var vocab = assertThrows(IllegalArgumentException.class, () -> d.with(TrainConfigKey.VOCAB_SIZE, 12).validate());
    assertEquals("--vocab-size must be between 256 (bytes only) and 1048576 (was 12)", vocab.getMessage());
    var clip = assertThrows(IllegalArgumentException.class, () -> d.with(TrainConfigKey.GRAD_CLIP, -1.0).validate());
    assertEquals("--grad-clip must be >= 0 (0 = no clipping) (was -1.0)", clip.getMessage());
  }

  @Test
  void unknownKeysAreRejectedWithTheValidOnes() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.parseJson("{\"n_layers\": 6}", "my.json"));
    assertTrue(e.getMessage().startsWith("my.json: unknown key \"n_layers\"; valid keys are corpus, include, exclude, tokenizer, vocab_size"),
        e.getMessage());
    assertTrue(e.getMessage().contains("n_layer,"), e.getMessage());
  }

  @Test
  void wrongTypesAndBadJsonAreRejected() {
    var type = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parseJson("{\"n_layer\": \"six\"}", "c.json"));
    assertEquals("c.json: \"n_layer\" should be an integer, got \"six\"", type.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrainConfig.parseJson("{\"n_layer\": 2.5}", "c.json"));
    assertThrows(IllegalArgumentException.class, () -> TrainConfig.parseJson("{\"bias\": 1}", "c.json"));
    var json = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parseJson("{\"n_layer\": ", "c.json"));
    assertTrue(json.getMessage().startsWith("c.json is not a valid JSON config"), json.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrainConfig.parseJson("[1, 2]", "c.json"));
  }

  @Test
  void configJsonRoundTrips() {
    TrainConfig c = Presets.get("baby-gpt").with(TrainConfigKey.SEED, 7);
    TrainConfig back = TrainConfig.defaults().withAll(TrainConfig.parseJson(c.toJson(), "config.json"));
    assertEquals(c, back);
    assertEquals("", c.differences(back, false));
  }

  @Test
  void impossibleShapesSayWhatToChange() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.defaults().with(TrainConfigKey.N_EMBD, 100).with(TrainConfigKey.N_HEAD, 3).validate());
    assertEquals("n_embd (100) must be divisible by n_head (3); e.g. --n-head 2 or --n-embd 102", e.getMessage());
    var v = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.defaults().with(TrainConfigKey.VOCAB_SIZE, 100).validate());
    assertTrue(v.getMessage().startsWith("--vocab-size must be between 256"), v.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults().with(TrainConfigKey.BATCH_SIZE, 0).validate());
    assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults().with(TrainConfigKey.DROPOUT, 1.0).validate());
    assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.defaults().with(TrainConfigKey.LR_SCHEDULE, "exp").validate());
  }

  @Test
  void flagTextIsConverted() {
    TrainConfig c = TrainConfig.defaults().with(TrainConfigKey.MAX_ITERS, "2_000").with(TrainConfigKey.DROPOUT, "0.1")
        .with(TrainConfigKey.BIAS, "TRUE");
    assertEquals(2000, c.maxIters());
    assertEquals(0.1, c.dropout());
    assertTrue(c.bias());
  }

  @Test
  void lrDecayItersZeroMeansMaxIters() {
    TrainConfig c = TrainConfig.defaults().with(TrainConfigKey.MAX_ITERS, 500).with(TrainConfigKey.LR_DECAY_ITERS, 0);
    assertEquals(500, c.lrDecayIters());
    assertEquals(500, c.lrSchedule().decayIters());
    TrainConfig shorterThanWarmup = c.with(TrainConfigKey.MAX_ITERS, 5).with(TrainConfigKey.WARMUP_ITERS, 10);
    assertEquals(11, shorterThanWarmup.lrDecayIters());
    assertThrows(IllegalArgumentException.class,
        () -> shorterThanWarmup.with(TrainConfigKey.LR_DECAY_ITERS, 10).validate());
  }

  @Test
  void resolvingLrDecayItersFixesItToTheCurrentMaxIters() {
    TrainConfig c = TrainConfig.defaults().with(TrainConfigKey.MAX_ITERS, 500).withResolvedLrDecayIters();
    assertEquals(500, c.intValue(TrainConfigKey.LR_DECAY_ITERS));
    assertEquals(500, c.with(TrainConfigKey.MAX_ITERS, 900).lrDecayIters(), "a longer run keeps the decay length");
    TrainConfig explicit = c.with(TrainConfigKey.LR_DECAY_ITERS, 300);
    assertEquals(300, explicit.withResolvedLrDecayIters().intValue(TrainConfigKey.LR_DECAY_ITERS));
    TrainConfig shorterThanWarmup = TrainConfig.defaults().with(TrainConfigKey.MAX_ITERS, 5)
        .with(TrainConfigKey.WARMUP_ITERS, 10).withResolvedLrDecayIters();
    assertEquals(11, shorterThanWarmup.intValue(TrainConfigKey.LR_DECAY_ITERS));
    shorterThanWarmup.validate();
  }

  @Test
  void presetsAreValidAndUnknownOnesListTheChoices() {
    for (Presets.Preset p : Presets.all()) Presets.get(p.name()).validate();
    TrainConfig cpu = Presets.get("nanogpt-cpu");
    assertEquals(4, cpu.nLayer());
    assertEquals(64, cpu.blockSize());
    assertEquals(12, cpu.batchSize());
    assertEquals(0.99, cpu.beta2());
    assertEquals(2000, cpu.lrDecayIters());
    var e = assertThrows(IllegalArgumentException.class, () -> Presets.get("huge"));
    assertEquals("unknown preset 'huge'; use one of tiny, default, nanogpt-cpu, fast-cpu, baby-gpt, finetune", e.getMessage());
  }

  /** JSON has no NaN, but 1e999 reads as Infinity, and a check like weight_decay >= 0 would let it through. */
  @Test
  void aNumberTooLargeForADoubleIsRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parseJson("{\"weight_decay\": 1e999}", "c.json"));
    assertTrue(e.getMessage().contains("\"weight_decay\" should be a finite number"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrainConfig.parseJson("{\"learning_rate\": \"NaN\"}", "c.json"));
  }
}

package dev.jgpt.transformer.run;

import static dev.jgpt.transformer.TrainConfigKey.INIT_FROM;
import static dev.jgpt.transformer.TrainConfigKey.MAX_ITERS;
import static dev.jgpt.transformer.TrainConfigKey.N_EMBD;
import static dev.jgpt.transformer.TrainConfigKey.N_LAYER;
import static dev.jgpt.transformer.TrainConfigKey.SEED;
import static dev.jgpt.transformer.TrainConfigKey.TOKENIZER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.Presets;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.TrainConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resume policy: which configuration a fresh or a resumed run trains with. */
class TrainSetupTest {
  @TempDir Path run;

  @Test
  void aFreshRunTakesThePresetThenTheFileThenTheFlags() throws IOException {
    TrainSetup s = TrainSetup.fresh(new TrainRequest("tiny", Map.of(N_LAYER, 3, SEED, 5), Map.of(N_LAYER, 2)));
    assertEquals(2, s.config().nLayer(), "a flag beats the file");
    assertEquals(5, s.config().seed(), "the file beats the preset");
    assertEquals(16, s.config().nEmbd(), "the preset beats the default");
    assertEquals(20, s.config().intValue(TrainConfigKey.LR_DECAY_ITERS), "resolved to max_iters");
    assertNull(s.initialWeights(), "random init without --init-from");
    var finetune = assertThrows(IllegalArgumentException.class,
        () -> TrainSetup.fresh(new TrainRequest("finetune", Map.of(), Map.of())));
    assertEquals("the finetune preset starts from a trained model: add --init-from DIR (a jgpt run or a Hugging Face "
        + "GPT-2 folder)", finetune.getMessage());
  }

  @Test
  void aResumedRunKeepsItsShapesAndTokenizerAndTakesTheOtherSettings() throws IOException {
    TrainConfig saved = Presets.get("tiny").withResolvedLrDecayIters();
    RunDirectory.writeConfig(run, saved);
    List<String> notes = new ArrayList<>();
    TrainSetup longer = TrainSetup.resumed(run, new TrainRequest(null, Map.of(TOKENIZER, "other.json"),
        Map.of(MAX_ITERS, 40)), notes::add);
    assertEquals(40, longer.config().maxIters());
    assertEquals(20, longer.config().lrDecayIters(), "the decay keeps the length the run started with");
    assertEquals("", longer.config().tokenizer(), "a --config file's tokenizer is ignored: the run has its own");
    assertEquals(List.of("max_iters 20 -> 40: the learning rate decays to min_lr at step 20 as the run started with "
        + "(change it with --lr-decay-iters)"), notes);

    var shapes = assertThrows(IllegalStateException.class, () -> resume(Map.of(N_EMBD, 32)));
    assertEquals("cannot resume " + run + " with other model shapes (n_embd 16 -> 32); start a new run with another --out",
        shapes.getMessage());
    assertThrows(IllegalArgumentException.class, () -> resume(Map.of(TOKENIZER, "other.json")));
    assertThrows(IllegalArgumentException.class, () -> resume(Map.of(INIT_FROM, "runs/x")));
    assertThrows(IllegalArgumentException.class, () -> resume(Map.of(MAX_ITERS, 0)), "a bad flag is a usage error");
    assertThrows(IllegalArgumentException.class,
        () -> TrainSetup.resumed(run, new TrainRequest("tiny", Map.of(), Map.of()), line -> {}));
  }

  private TrainSetup resume(Map<TrainConfigKey, Object> flags) throws IOException {
    return TrainSetup.resumed(run, new TrainRequest(null, Map.of(), flags), line -> {});
  }

  @Test
  void aResumeNeedsACheckpointAndAFreshRunNeedsAFolderWithoutOne() throws IOException {
    var none = assertThrows(NoSuchFileException.class, () -> TrainSetup.requireCheckpoint(run));
    assertEquals(run.resolve(Checkpoint.STATE) + " (no checkpoint in " + run
        + ": train one with jgpt train --out " + run + ")", none.getMessage());
    TrainSetup.requireNoRun(run); // an empty folder takes a fresh run
    Files.createDirectories(run.resolve("fold-0"));
    var folds = assertThrows(IllegalArgumentException.class, () -> TrainSetup.requireNoRun(run));
    assertEquals(run + " already holds a run; continue it with --resume " + run + " or choose another --out",
        folds.getMessage());
  }
}

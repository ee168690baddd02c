package dev.jgpt.transformer.interop;

import dev.jgpt.kernels.Backends;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.ReferenceBackend;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.CheckpointState;
import dev.jgpt.transformer.KvCacheModel;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.MemoryCheck;
import dev.jgpt.transformer.MemoryEstimate;
import dev.jgpt.transformer.ParameterLayout;
import dev.jgpt.transformer.Presets;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.TestWeights;
import dev.jgpt.transformer.TinyRun;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.TrainConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one way a model folder is opened to generate with: a jgpt run or a Hugging Face folder, memory checked first. */
class LoadedModelTest {
  private static final long GB = 1_000_000_000L;
  /** A heap a few kilobytes large: nothing fits. */
  private static final HeapBudget TINY_HEAP = new HeapBudget(4096, 4096, 16 * GB);

  @TempDir Path tmp;

  @Test
  void aRunOpensWithItsCheckpointStateAndTheLogitsOfItsWeights() throws IOException {
    Path dir = TinyRun.shared();
    RunDirectory.Run run = ModelFolder.load(dir);
    int[] context = {1, 2, 3};
    try (LoadedModel m = LoadedModel.open(dir, Backends.choose("reference"), 0, 1);
        var backend = new ReferenceBackend();
        var direct = KvCacheModel.withWeights(run.model(), backend, run.params())) {
      assertInstanceOf(KvCacheModel.class, m.model());
      assertEquals(run.state().step(), m.state().step());
      assertEquals(run.tokenizer().hash(), m.tokenizer().hash());
      assertArrayEquals(direct.nextLogits(context, 3), m.model().nextLogits(context, 3));
      assertTrue(m.description().startsWith(dir + ": "), m.description());
    }
  }

  @Test
  void aHuggingFaceFolderStreamsInAndIsARunAtStepZero() throws IOException {
    Path dir = HfGpt2Test.fixture(tmp);
    GptConfig cfg = HfGpt2.readConfig(dir);
    int[] context = {464, 2068, 7586};
    try (LoadedModel m = LoadedModel.open(dir, Backends.choose("reference"), 0, 1);
        var backend = new ReferenceBackend();
        var copied = KvCacheModel.withWeights(cfg, backend, HfGpt2.readWeights(dir, cfg))) {
      assertEquals(0, m.state().step());
      assertArrayEquals(copied.nextLogits(context, 3), m.model().nextLogits(context, 3));
    }
  }

  @Test
  void aModelBeyondTheHeapIsRefusedInOneLineForRunsAndHuggingFaceFolders() throws IOException {
    for (Path dir : new Path[] {TinyRun.shared(), HfGpt2Test.fixture(tmp)}) {
      MemoryCheck.DoesNotFit e = assertThrows(MemoryCheck.DoesNotFit.class,
          () -> LoadedModel.open(dir, Backends.choose("reference"), 0, 1, TINY_HEAP));
      assertTrue(e.getMessage().startsWith("this model needs "), e.getMessage());
      assertTrue(e.getMessage().endsWith(": give the JVM more memory with JGPT_JAVA_OPTS=-Xmx1g"), e.getMessage());
      assertEquals(1, e.getMessage().lines().count());
    }
  }

  @Test
  void whatTheModelNeedsIsToldBeforeItLoadsOrIsRefused() throws IOException {
    for (Path dir : new Path[] {TinyRun.shared(), HfGpt2Test.fixture(tmp)}) {
      List<MemoryEstimate> told = new ArrayList<>();
      try (LoadedModel m = LoadedModel.open(dir, Backends.choose("reference"), 0, 1, HeapBudget.current(),
          (need, heap) -> told.add(need))) {
        assertEquals(1, told.size(), dir.toString());
        assertTrue(told.get(0).totalBytes() > 0);
      }
      told.clear();
      assertThrows(MemoryCheck.DoesNotFit.class,
          () -> LoadedModel.open(dir, Backends.choose("reference"), 0, 1, TINY_HEAP, (need, heap) -> told.add(need)));
      assertEquals(1, told.size(), "told before the refusal: " + dir);
    }
  }

  /** A run folder with weights far from init in every tensor (biases too), as import leaves one. */
  private Path runWithWeightsEverywhere(Path dir) throws IOException {
    Tokenizer tok = Tokenizer.bytesOnly();
    TrainConfig config = Presets.get("tiny").with(TrainConfigKey.BIAS, true).with(TrainConfigKey.BLOCK_SIZE, 64)
        .with(TrainConfigKey.N_LAYER, 2).validate();
    GptConfig cfg = RunDirectory.modelConfig(config, tok.vocabSize());
    Files.createDirectories(dir);
    RunDirectory.writeConfig(dir, config);
    RunDirectory.writeTokenizer(dir, tok);
    Checkpoint.saveWeights(dir, cfg, TestWeights.farFromInit(cfg, 5),
        new CheckpointState(12, 0, Double.NaN, Double.POSITIVE_INFINITY, -1, 0, 0, 1, 0, 0, tok.hash(), config, Map.of()));
    return dir;
  }

  @Test
  void aRunStreamedIntoTheBackendGivesBitForBitTheLogitsOfItsWeightsLoadedWhole() throws IOException {
    for (Path dir : new Path[] {TinyRun.shared(), runWithWeightsEverywhere(tmp.resolve("run"))}) {
      RunDirectory.Run run = RunDirectory.load(dir); // the old way: all weights in one host array, then copied
      int[] tokens = new int[40];
      for (int i = 0; i < tokens.length; i++) tokens[i] = (i * 37 + 11) % run.model().vocabSize();
      try (LoadedModel m = LoadedModel.open(dir, Backends.choose("reference"), 0, 1);
          var backend = new ReferenceBackend();
          var whole = KvCacheModel.withWeights(run.model(), backend, run.params())) {
        assertEquals(run.state(), m.state());
        assertEquals(run.model(), ((KvCacheModel) m.model()).config());
        // a prefill of 30 tokens, then decode steps one position each
        for (int n = 30; n <= tokens.length; n++) {
          assertArrayEquals(whole.nextLogits(tokens, n), m.model().nextLogits(tokens, n), dir + ", " + n + " tokens");
        }
      }
    }
  }

  @Test
  void aRunTooLargeForTheHeapIsRefusedBeforeItsWeightsAreRead() throws IOException {
    Path dir = tmp.resolve("run");
    Checkpoint.copy(TinyRun.shared(), dir);
    Path model = dir.resolve(Checkpoint.MODEL);
    byte[] half = java.util.Arrays.copyOf(Files.readAllBytes(model), (int) Files.size(model) / 2);
    Files.write(model, half); // truncated: any read of the weights fails on it
    MemoryCheck.DoesNotFit refused = assertThrows(MemoryCheck.DoesNotFit.class,
        () -> LoadedModel.open(dir, Backends.choose("reference"), 0, 1, TINY_HEAP));
    assertTrue(refused.getMessage().startsWith("this model needs "), refused.getMessage());
    IOException damaged = assertThrows(IOException.class,
        () -> LoadedModel.open(dir, Backends.choose("reference"), 0, 1, HeapBudget.current()));
    assertTrue(damaged.getMessage().contains(model + " is damaged or belongs to another checkpoint"),
        damaged.getMessage());
  }

  @Test
  void theMemoryARunNeedsCountsOneTensorAsReadNotASecondCopyOfItsWeights() throws IOException {
    Path dir = runWithWeightsEverywhere(tmp.resolve("run"));
    List<MemoryEstimate> told = new ArrayList<>();
    try (LoadedModel m = LoadedModel.open(dir, Backends.choose("reference"), 0, 1, HeapBudget.current(),
        (need, heap) -> told.add(need))) {
      ParameterLayout layout = new ParameterLayout(((KvCacheModel) m.model()).config());
      long asRead = told.get(0).parts().stream().filter(p -> p.name().equals("parameters as read"))
          .mapToLong(MemoryEstimate.Part::bytes).sum();
      assertEquals(Checkpoint.floatsHeldWhileStreaming(layout) * Float.BYTES, asRead);
      assertTrue(asRead < (long) layout.totalCount() * Float.BYTES / 2, asRead + " bytes as read");
    }
  }
}

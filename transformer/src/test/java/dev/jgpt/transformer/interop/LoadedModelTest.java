package dev.jgpt.transformer.interop;

import dev.jgpt.kernels.Backends;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.ReferenceBackend;
import dev.jgpt.transformer.KvCacheModel;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.MemoryCheck;
import dev.jgpt.transformer.MemoryEstimate;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.TinyRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
}

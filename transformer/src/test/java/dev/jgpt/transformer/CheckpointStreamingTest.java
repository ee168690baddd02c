package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.kernels.Backends;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.interop.LoadedModel;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's weights stream from its checkpoint into a backend one tensor at a time (what generate
 * does): the run's shape is read first without touching model.safetensors, then the checked file
 * is read tensor by tensor instead of being held on the heap whole.
 */
class CheckpointStreamingTest {
  @TempDir Path tmp;

  private final Tokenizer tokenizer = Tokenizer.bytesOnly();
  private final TrainConfig config = TrainerTestSupport.tinyConfig().with(TrainConfigKey.BIAS, true);
  private final GptConfig cfg = RunDirectory.modelConfig(config, tokenizer.vocabSize());
  private final ParameterLayout layout = new ParameterLayout(cfg);

  private CheckpointState state(long step, TrainConfig c) {
    return new CheckpointState(step, step * 64, 2.5, 2.4, step, 0, step, 1337, step, 1.5, tokenizer.hash(), c, Map.of());
  }

  /** A weights-only run folder as import or a trainer leaves it, weights far from init. */
  private Path run(String name, long seed) throws IOException {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    RunDirectory.writeConfig(dir, config);
    RunDirectory.writeTokenizer(dir, tokenizer);
    Checkpoint.saveWeights(dir, cfg, TestWeights.farFromInit(cfg, seed), state(seed, config));
    return dir;
  }

  private record Written(int offset, int length) {}

  @Test
  void eachStoredTensorIsWrittenOnceAtItsOffsetAndTheyAddUpToTheWeightsReadWhole() throws IOException {
    Path dir = run("run", 1);
    CheckpointReader.Committed checkpoint = CheckpointReader.read(dir, Set.of(Checkpoint.MODEL));
    float[] streamed = new float[layout.totalCount()];
    List<Written> writes = new ArrayList<>();
    Checkpoint.writeParams(checkpoint, layout, (offset, data, from, length) -> {
      writes.add(new Written(offset, length));
      System.arraycopy(data, from, streamed, offset, length);
    });
    List<Written> expected = new ArrayList<>();
    long most = 0;
    for (TensorSpec t : layout.tensors()) {
      int stored = t.name().equals("wte") ? cfg.vocabSize() * cfg.nEmbd() : t.size(); // padded rows not stored
      expected.add(new Written(t.offset(), stored));
      most = Math.max(most, stored);
    }
    assertEquals(expected, writes);
    assertEquals(most, Checkpoint.floatsHeldWhileStreaming(layout));
    assertArrayEquals(TestWeights.farFromInit(cfg, 1), streamed);
    assertArrayEquals(Checkpoint.params(checkpoint, layout), streamed);
  }

  @Test
  void aStreamingReadGivesTheSameWeightsFromTheFileThatWasCheckedEvenWhenASaveReplacesIt() throws IOException {
    Path dir = run("run", 1), other = run("other", 2);
    CheckpointReader.Committed streaming = CheckpointReader.readStreaming(dir, Set.of(Checkpoint.MODEL));
    Files.move(other.resolve(Checkpoint.MODEL), dir.resolve(Checkpoint.MODEL),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    assertArrayEquals(TestWeights.farFromInit(cfg, 1), Checkpoint.params(streaming, layout));
  }

  @Test
  void aStreamingReadLeavesTheTensorsInTheFileInsteadOfOnTheHeap() throws IOException {
    Path dir = run("run", 1);
    CheckpointReader.Committed streaming = CheckpointReader.readStreaming(dir, Set.of(Checkpoint.MODEL));
    CheckpointReader.Committed inMemory = CheckpointReader.read(dir, Set.of(Checkpoint.MODEL));
    // no save ever writes into a committed file; truncating it in place only shows where each read's tensors live
    try (FileChannel ch = FileChannel.open(dir.resolve(Checkpoint.MODEL), StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 2);
    }
    assertArrayEquals(TestWeights.farFromInit(cfg, 1), Checkpoint.params(inMemory, layout));
    IOException e = assertThrows(IOException.class, () -> Checkpoint.params(streaming, layout));
    assertTrue(e.getMessage().contains("is truncated at tensor"), e.getMessage());
  }

  @Test
  void theHeaderOfARunIsReadWithoutItsWeights() throws IOException {
    Path dir = run("run", 3);
    Files.write(dir.resolve(Checkpoint.MODEL), new byte[] {1, 2, 3}); // damaged: only the weights read would see it
    RunDirectory.Header header = RunDirectory.readHeader(dir);
    assertEquals(cfg, header.model());
    assertEquals(config, header.config());
    assertEquals(3, header.state().step());
    assertEquals(tokenizer.hash(), header.tokenizer().hash());
    IOException e = assertThrows(IOException.class, () -> RunDirectory.readWeights(header));
    assertTrue(e.getMessage().contains("model.safetensors is damaged or belongs to another checkpoint"), e.getMessage());
  }

  @Test
  void weightsCommittedAfterTheHeaderAreTakenWhenTheModelIsTheSame() throws IOException {
    Path dir = run("run", 1);
    RunDirectory.Header header = RunDirectory.readHeader(dir);
    Checkpoint.saveWeights(dir, cfg, TestWeights.farFromInit(cfg, 2), state(9, config.with(TrainConfigKey.DROPOUT, 0.1)));
    CheckpointReader.Committed checkpoint = RunDirectory.readWeights(header);
    assertEquals(9, checkpoint.state().step(), "the state of the weights that were read");
    assertArrayEquals(TestWeights.farFromInit(cfg, 2), Checkpoint.params(checkpoint, layout));
  }

  @Test
  void weightsOfAnotherShapeCommittedAfterTheHeaderAreRefused() throws IOException {
    Path dir = run("run", 1);
    RunDirectory.Header header = RunDirectory.readHeader(dir);
    TrainConfig deeper = config.with(TrainConfigKey.N_LAYER, config.nLayer() + 1);
    GptConfig deeperCfg = RunDirectory.modelConfig(deeper, tokenizer.vocabSize());
    Checkpoint.saveWeights(dir, deeperCfg, TestWeights.farFromInit(deeperCfg, 2), state(9, deeper));
    IOException e = assertThrows(IOException.class, () -> RunDirectory.readWeights(header));
    assertTrue(e.getMessage().endsWith("changed to another model while it was opened (a run was restarted in it); "
        + "open it again"), e.getMessage());
  }

  /** How many of this process's open file descriptors point at {@code file} (Linux's /proc). */
  private static long openHandles(Path file) throws IOException {
    Path fds = Path.of("/proc/self/fd");
    assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux)");
    Path target = file.toRealPath();
    try (Stream<Path> links = Files.list(fds)) {
      return links.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).equals(target);
        } catch (IOException | UnsupportedOperationException e) {
          return false; // closed meanwhile (the listing's own descriptor), or not a link
        }
      }).count();
    }
  }

  @Test
  void closingAStreamingReadClosesItsFile() throws IOException {
    Path dir = run("run", 1);
    Path model = dir.resolve(Checkpoint.MODEL);
    CheckpointReader.Committed streaming = CheckpointReader.readStreaming(dir, Set.of(Checkpoint.MODEL));
    assertEquals(1, openHandles(model), "the checked file stays open for the tensors");
    streaming.close();
    assertEquals(0, openHandles(model));
    assertThrows(IOException.class, () -> Checkpoint.params(streaming, layout), "closed: nothing left to read from");
  }

  @Test
  void aReadThatFailsAfterOpeningAFileClosesIt() throws IOException {
    Path dir = run("run", 1); // weights only: no optimizer.safetensors, which is asked for second
    Set<String> files = new LinkedHashSet<>(List.of(Checkpoint.MODEL, Checkpoint.OPTIMIZER));
    IOException e = assertThrows(IOException.class, () -> CheckpointReader.readStreaming(dir, files));
    assertTrue(e.getMessage().contains("holds no optimizer.safetensors"), e.getMessage());
    assertEquals(0, openHandles(dir.resolve(Checkpoint.MODEL)));
  }

  @Test
  void anOpenedRunHoldsNoFileOpenOnceItsWeightsAreInTheBackend() throws IOException {
    Path dir = run("run", 1);
    try (LoadedModel m = LoadedModel.open(dir, Backends.choose("reference"), 0, 1)) {
      assertEquals(0, openHandles(dir.resolve(Checkpoint.MODEL)));
    }
  }
}

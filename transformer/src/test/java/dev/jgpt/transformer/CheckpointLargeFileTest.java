package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint files too large for one Java array (over 2 GiB: an imported or fine-tuned GPT-2
 * large or xl) are checked through the open file and their tensors read from it. The limit is
 * lowered here so a tiny checkpoint takes that path.
 */
class CheckpointLargeFileTest {
  @TempDir Path tmp;

  private final TrainConfig config = TrainerTestSupport.tinyConfig().with(TrainConfigKey.BIAS, true);
  private final GptConfig cfg = RunDirectory.modelConfig(config, 257);
  private final ParameterLayout layout = new ParameterLayout(cfg);
  private long limit;

  @BeforeEach
  void everyFileIsLarge() {
    limit = CheckpointReader.inMemoryLimit;
    CheckpointReader.inMemoryLimit = 0;
  }

  @AfterEach
  void restoreTheLimit() {
    CheckpointReader.inMemoryLimit = limit;
  }

  /** Random weights, as a checkpoint holds them (the padded vocabulary rows of wte are not stored: zero). */
  private float[] params(long seed) throws IOException {
    float[] p = new float[layout.totalCount()];
    java.util.Random r = new java.util.Random(seed);
    for (int i = 0; i < p.length; i++) p[i] = (float) r.nextGaussian();
    Path scratch = tmp.resolve("scratch-" + seed);
    Checkpoint.saveWeights(scratch, cfg, p, state(1));
    CheckpointReader.inMemoryLimit = limit;
    try {
      return Checkpoint.readParams(scratch, layout); // the files that fit in memory: read whole, as before
    } finally {
      CheckpointReader.inMemoryLimit = 0;
    }
  }

  private CheckpointState state(long step) {
    return new CheckpointState(step, step * 64, 2.5, 2.4, step, 0, step, 1337, step, 1.5, "hash", config, Map.of());
  }

  @Test
  void aLargeModelFileReadsBackBitForBit() throws IOException {
    Path run = tmp.resolve("run");
    float[] saved = params(1);
    Checkpoint.saveWeights(run, cfg, saved, state(3));
    assertArrayEquals(saved, Checkpoint.readParams(run, layout));
  }

  @Test
  void aLargeFileIsReadFromTheFileThatWasCheckedEvenWhenASaveReplacesIt() throws IOException {
    Path run = tmp.resolve("run"), other = tmp.resolve("other");
    float[] first = params(1);
    Checkpoint.saveWeights(run, cfg, first, state(3));
    Checkpoint.saveWeights(other, cfg, params(2), state(4));
    CheckpointReader.Committed read = CheckpointReader.read(run, Set.of(Checkpoint.MODEL));
    // a save lands after the checksum was checked, before the tensors are copied
    Files.move(other.resolve(Checkpoint.MODEL), run.resolve(Checkpoint.MODEL), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    assertArrayEquals(first, Checkpoint.params(read, layout));
  }

  @Test
  void aDamagedLargeFileIsOneLineNamingIt() throws IOException {
    Path run = tmp.resolve("run");
    Checkpoint.saveWeights(run, cfg, params(1), state(3));
    Path model = run.resolve(Checkpoint.MODEL);
    byte[] bytes = Files.readAllBytes(model);
    bytes[bytes.length - 1] ^= 1;
    Files.write(model, bytes);
    IOException e = assertThrows(IOException.class, () -> Checkpoint.readParams(run, layout));
    assertTrue(e.getMessage().contains(model + " is damaged or belongs to another checkpoint (CRC-32C"), e.getMessage());
  }
}

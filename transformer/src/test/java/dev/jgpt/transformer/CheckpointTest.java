package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  private final TrainConfig config = TrainerTestSupport.tinyConfig().with(TrainConfigKey.BIAS, true);

  private Gpt model(TrainConfig c, long seed) {
    Gpt m = new Gpt(RunDirectory.modelConfig(c, 257), TrainerTestSupport.backend(), c.batchSize(), c.blockSize());
    m.initWeights(seed);
    // give Adam state distinct values so the round trip checks them too
    float[] v = m.readParams();
    for (int i = 0; i < v.length; i++) v[i] = v[i] * v[i];
    m.writeAdamV(v);
    m.writeAdamM(m.readParams());
    return m;
  }

  private CheckpointState state(long step) {
    return new CheckpointState(step, step * 64, 2.5, 2.4, step, 0, step, 1337, step, 1.5, "hash", config, Map.of());
  }

  @Test
  void roundTripRestoresWeightsAndAdamStateBitForBit() throws IOException {
    Gpt a = model(config, 1);
    Checkpoint.save(dir, a, state(7), true);
    Gpt b = model(config, 2);
    Checkpoint.restore(dir, b);
    assertArrayEquals(a.readParams(), b.readParams());
    assertArrayEquals(a.readAdamM(), b.readAdamM());
    assertArrayEquals(a.readAdamV(), b.readAdamV());
    CheckpointState s = Checkpoint.readState(dir);
    assertEquals(7, s.step());
    assertEquals(config, s.config());
    assertEquals("hash", s.tokenizerHash());
    assertEquals(List.of(Checkpoint.MODEL, Checkpoint.OPTIMIZER), List.copyOf(s.fileChecksums().keySet()));
  }

  @Test
  void weightsUseNanoGptNamesAndTheRealVocabulary() throws IOException {
    Gpt a = model(config, 1);
    Checkpoint.save(dir, a, state(1), false);
    Safetensors st = Safetensors.read(dir.resolve(Checkpoint.MODEL));
    assertArrayEquals(new int[] {257, 16}, st.entry("transformer.wte.weight").shape(), "padded rows are not stored");
    assertArrayEquals(new int[] {16, 16}, st.entry("transformer.wpe.weight").shape());
    assertArrayEquals(new int[] {48, 16}, st.entry("transformer.h.0.attn.c_attn.weight").shape());
    assertArrayEquals(new int[] {48}, st.entry("transformer.h.0.attn.c_attn.bias").shape());
    assertArrayEquals(new int[] {16}, st.entry("transformer.ln_f.bias").shape());
    assertEquals("257", st.metadata().get("vocab_size"));
    assertFalse(Files.exists(dir.resolve(Checkpoint.OPTIMIZER)));
  }

  @Test
  void damagedTensorFileIsDetected() throws IOException {
    Checkpoint.save(dir, model(config, 1), state(1), true);
    Path f = dir.resolve(Checkpoint.MODEL);
    byte[] bytes = Files.readAllBytes(f);
    bytes[bytes.length - 5] ^= 0x40;
    Files.write(f, bytes);
    IOException e = assertThrows(IOException.class, () -> Checkpoint.readState(dir));
    assertTrue(e.getMessage().contains("model.safetensors is damaged or belongs to another checkpoint"), e.getMessage());
  }

  @Test
  void truncatedTensorFileIsDetected() throws IOException {
    Checkpoint.save(dir, model(config, 1), state(1), true);
    Path f = dir.resolve(Checkpoint.OPTIMIZER);
    byte[] bytes = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(bytes, bytes.length / 2));
    assertThrows(IOException.class, () -> Checkpoint.readState(dir));
    IOException direct = assertThrows(IOException.class, () -> Checkpoint.restore(dir, model(config, 1)));
    assertTrue(direct.getMessage().contains("optimizer.safetensors is damaged"), direct.getMessage());
  }

  @Test
  void damagedStateIsAOneLineError() throws IOException {
    Checkpoint.save(dir, model(config, 1), state(1), true);
    Files.writeString(dir.resolve(Checkpoint.STATE), "{\"format\": \"jgpt-checkpoint\", \"version\": 1, \"step\": ");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.readState(dir));
    assertTrue(e.getMessage().contains("state.json is damaged"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void missingCheckpointSaysHowToMakeOne() {
    IOException e = assertThrows(IOException.class, () -> Checkpoint.readState(dir));
    assertTrue(e.getMessage().contains("no checkpoint in"), e.getMessage());
  }

  @Test
  void otherShapesAreRejected() throws IOException {
    Checkpoint.save(dir, model(config, 1), state(1), true);
    TrainConfig wider = config.with(TrainConfigKey.N_EMBD, 32);
    IOException e = assertThrows(IOException.class, () -> Checkpoint.restore(dir, model(wider, 1)));
    assertTrue(e.getMessage().contains("different model configuration"), e.getMessage());
  }

  @Test
  void aCommittedSaveIsReadByReadersAndFinishedOnlyByRecovery() throws IOException {
    Gpt a = model(config, 1);
    Checkpoint.save(dir, a, state(1), true);
    byte[] oldModel = Files.readAllBytes(dir.resolve(Checkpoint.MODEL));

    // a save killed before its commit point: only a new model file exists
    Gpt b = model(config, 2);
    Path other = dir.resolve("other");
    Checkpoint.save(other, b, state(2), true);
    Files.copy(other.resolve(Checkpoint.MODEL), dir.resolve(Checkpoint.MODEL + ".new"));
    assertEquals(1, Checkpoint.readState(dir).step(), "readers ignore an uncommitted save");
    assertTrue(Files.exists(dir.resolve(Checkpoint.MODEL + ".new")), "and leave it alone");
    Checkpoint.recover(dir);
    assertArrayEquals(oldModel, Files.readAllBytes(dir.resolve(Checkpoint.MODEL)));
    assertFalse(Files.exists(dir.resolve(Checkpoint.MODEL + ".new")), "the trainer's recovery discards it");

    // a save killed after its commit point: state.json.new exists, the renames did not happen
    for (String f : List.of(Checkpoint.MODEL, Checkpoint.OPTIMIZER, Checkpoint.STATE)) {
      Files.copy(other.resolve(f), dir.resolve(f + ".new"));
    }
    assertEquals(2, Checkpoint.readState(dir).step(), "the committed save is the newest checkpoint");
    Gpt c = model(config, 3);
    Checkpoint.restore(dir, c);
    assertArrayEquals(b.readParams(), c.readParams());
    assertTrue(Files.exists(dir.resolve(Checkpoint.STATE + ".new")), "readers do not finish it");
    assertArrayEquals(oldModel, Files.readAllBytes(dir.resolve(Checkpoint.MODEL)));

    Checkpoint.recover(dir);
    assertFalse(Files.exists(dir.resolve(Checkpoint.STATE + ".new")), "the trainer's recovery finishes it");
    assertEquals(2, Checkpoint.readState(dir).step());
  }

  @Test
  void recoveryRemovesTheTempFilesOfWritesKilledMidway() throws IOException {
    Gpt a = model(config, 1);
    Checkpoint.save(dir, a, state(1), true);
    // what kill -9 during a checkpoint leaves: hidden temporary files of the dead process
    List<String> leftovers = List.of(".model.safetensors.new.tmp-4242", ".optimizer.safetensors.new.tmp-4242",
        ".state.json.new.tmp-77", ".config.json.new.tmp-77", ".metrics.jsonl.tmp-1",
        ".tokenizer.json.4242.3.tmp"); // the last one: AtomicFile's name (the run's tokenizer)
    for (String f : leftovers) Files.write(dir.resolve(f), new byte[1000]);
    Files.writeString(dir.resolve("notes.tmp-1.txt"), "not ours");
    Files.writeString(dir.resolve(RunLock.FILE), "4242\n");

    Checkpoint.readState(dir);
    for (String f : leftovers) assertTrue(Files.exists(dir.resolve(f)), "a reader removes nothing: " + f);

    Checkpoint.recover(dir);
    for (String f : leftovers) assertFalse(Files.exists(dir.resolve(f)), f);
    assertTrue(Files.exists(dir.resolve("notes.tmp-1.txt")), "other files stay");
    assertTrue(Files.exists(dir.resolve(RunLock.FILE)));
    Gpt b = model(config, 2);
    Checkpoint.restore(dir, b);
    assertArrayEquals(a.readParams(), b.readParams(), "the checkpoint is intact");
  }

  @Test
  void weightsLoadWithoutTheOptimizerFileButResumingNeedsIt() throws IOException {
    Gpt a = model(config, 1);
    Checkpoint.save(dir, a, state(3), true);
    Files.delete(dir.resolve(Checkpoint.OPTIMIZER));
    assertArrayEquals(a.readParams(), Checkpoint.readParams(dir, a.layout()), "readers verify only what they read");
    IOException e = assertThrows(IOException.class, () -> Checkpoint.restore(dir, model(config, 2)));
    assertTrue(e.getMessage().contains("optimizer.safetensors is missing"), e.getMessage());
  }

  @Test
  void configJsonChangesOnlyWithACommittedCheckpoint() throws IOException {
    Checkpoint.save(dir, model(config, 1), state(1), true);
    assertEquals(config, TrainConfig.defaults().withAll(TrainConfig.parseJson(
        Files.readString(dir.resolve(Checkpoint.CONFIG)), "config.json")));
    TrainConfig longer = config.with(TrainConfigKey.MAX_ITERS, 99);
    CheckpointState next = new CheckpointState(2, 2, 2.5, 2.4, 2, 0, 2, 1337, 2, 1.5, "hash", longer, Map.of());
    Checkpoint.save(dir, model(config, 1), next, true);
    assertEquals(99, RunDirectory.readConfig(dir).maxIters());
  }
}

package dev.jgpt.transformer;

import dev.jgpt.common.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Saves and restores the tensors and training state of a run folder: {@code model.safetensors}
 * (weights under nanoGPT's state_dict names, loadable by other tools), {@code
 * optimizer.safetensors} (Adam m and v), {@code config.json} and {@code state.json}.
 *
 * <p>A save is a small journal so that a kill at any instant leaves one whole checkpoint: the new
 * files are first written completely under {@code *.new} names, then {@code state.json.new}
 * (holding the CRC-32C of the new tensor files) is written, which commits the save; then each
 * {@code .new} file is renamed over its old one, state last. config.json travels in the same
 * journal, so it changes only when a checkpoint commits (a resume with other flags that fails
 * before its first checkpoint leaves the run's configuration as it was).
 *
 * <p>Two kinds of users: the trainer, which holds the {@link RunLock} and alone calls
 * {@link #save} and {@link #recover} (finishing a committed save, discarding an uncommitted one,
 * removing temporary files of killed writes); and readers ({@link #readState}, {@link
 * #readParams}, {@link #restore}, {@link RunDirectory#load}), which go through {@link
 * CheckpointReader} and never write. Every load checks the checksums of the files it reads, so
 * mixed or damaged files are an error rather than wrong weights.
 */
public final class Checkpoint {
  private Checkpoint() {}

  public static final String CONFIG = "config.json";
  public static final String TOKENIZER = "tokenizer.json";
  public static final String MODEL = "model.safetensors";
  public static final String OPTIMIZER = "optimizer.safetensors";
  public static final String STATE = "state.json";
  public static final String METRICS = "metrics.jsonl";
  /** The sample printed at each evaluation, one {"step", "text"} line each (written like metrics.jsonl). */
  public static final String SAMPLES = "samples.jsonl";
  /** The suffix of a save's files before they are renamed into place (read by CheckpointReader too). */
  static final String PENDING = ".new";

  /**
   * Told each point of a save where a kill or a reader can find the folder, in order (tests
   * pause a save there to read the folder at every point).
   */
  @FunctionalInterface
  interface SavePoints {
    SavePoints NONE = point -> {};

    void reached(String point) throws IOException;
  }

  // ------------------------------------------------------------------ names

  /**
   * nanoGPT's state_dict name of a layout tensor: "wte" -> "transformer.wte.weight",
   * "h.0.ln_1.weight" -> "transformer.h.0.ln_1.weight". The tied lm_head is not stored (as in
   * Hugging Face's GPT-2 files).
   */
  public static String tensorName(TensorSpec t) {
    String n = t.name();
    return "transformer." + (n.equals("wte") || n.equals("wpe") ? n + ".weight" : n);
  }

  /**
   * The shape stored in model.safetensors: the layout's, except that wte keeps only the real
   * vocabulary's rows (the padded rows are always zero), so other tools see (vocab_size, n_embd).
   */
  static int[] storedShape(TensorSpec t, GptConfig cfg) {
    int[] s = t.shape();
    if (t.name().equals("wte")) s[0] = cfg.vocabSize();
    return s;
  }

  // ------------------------------------------------------------------ saving

  /**
   * Saves the model's weights (and, with {@code withOptimizer}, its Adam state) with
   * {@code state} into {@code dir}, replacing the previous checkpoint there atomically. For the
   * folder's trainer only (see {@link RunLock}).
   */
  public static void save(Path dir, Gpt model, CheckpointState state, boolean withOptimizer) throws IOException {
    save(dir, model, state, withOptimizer, SavePoints.NONE);
  }

  /**
   * Saves weights that are not on a backend (an imported model) as a weights-only checkpoint,
   * with the same journal as a trainer's save.
   */
  public static void saveWeights(Path dir, GptConfig cfg, float[] params, CheckpointState state) throws IOException {
    save(dir, cfg, params, null, state, SavePoints.NONE);
  }

  static void save(Path dir, Gpt model, CheckpointState state, boolean withOptimizer, SavePoints points)
      throws IOException {
    save(dir, model.config(), model.readParams(), withOptimizer ? model : null, state, points);
  }

  // adam: where the Adam moments are read from (after the weights are written), or null for weights only
  private static void save(Path dir, GptConfig cfg, float[] params, Gpt adam, CheckpointState state, SavePoints points)
      throws IOException {
    boolean withOptimizer = adam != null;
    Files.createDirectories(dir);
    recover(dir);
    ParameterLayout layout = new ParameterLayout(cfg);
    Map<String, String> checksums = new LinkedHashMap<>();
    try {
      List<Safetensors.Tensor> weights = new ArrayList<>();
      for (TensorSpec t : layout.tensors()) {
        weights.add(new Safetensors.Tensor(tensorName(t), storedShape(t, cfg), params, t.offset()));
      }
      Path modelNew = dir.resolve(MODEL + PENDING);
      CheckpointFiles.write(modelNew, Safetensors.content(weights, modelMetadata(cfg, state.step())));
      checksums.put(MODEL, CheckpointFiles.crc32c(modelNew));
      points.reached("wrote " + MODEL + PENDING);
      if (withOptimizer) {
        float[] m = adam.readAdamM();
        float[] v = adam.readAdamV();
        List<Safetensors.Tensor> moments = new ArrayList<>();
        for (TensorSpec t : layout.tensors()) moments.add(new Safetensors.Tensor("exp_avg." + tensorName(t), t.shape(), m, t.offset()));
        for (TensorSpec t : layout.tensors()) moments.add(new Safetensors.Tensor("exp_avg_sq." + tensorName(t), t.shape(), v, t.offset()));
        Path optNew = dir.resolve(OPTIMIZER + PENDING);
        CheckpointFiles.write(optNew, Safetensors.content(moments, Map.of("format", "pt", "adam_step", Long.toString(state.step()))));
        checksums.put(OPTIMIZER, CheckpointFiles.crc32c(optNew));
        points.reached("wrote " + OPTIMIZER + PENDING);
      }
      CheckpointFiles.writeString(dir.resolve(CONFIG + PENDING), state.config().toJson());
      points.reached("wrote " + CONFIG + PENDING);
      // the commit point: once state.json.new exists, the new checkpoint is the valid one
      CheckpointFiles.writeString(dir.resolve(STATE + PENDING), state.withChecksums(checksums).toJson());
      points.reached("wrote " + STATE + PENDING + " (committed)");
    } catch (IOException | RuntimeException e) {
      discardPending(dir);
      throw e;
    }
    if (!withOptimizer && Files.deleteIfExists(dir.resolve(OPTIMIZER))) { // it would belong to an older state
      points.reached("removed " + OPTIMIZER);
    }
    finishCommittedSave(dir, points);
  }

  private static Map<String, String> modelMetadata(GptConfig cfg, long step) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("format", "pt");
    m.put("producer", "jgpt");
    m.put("vocab_size", Integer.toString(cfg.vocabSize()));
    m.put("block_size", Integer.toString(cfg.blockSize()));
    m.put("n_layer", Integer.toString(cfg.nLayer()));
    m.put("n_head", Integer.toString(cfg.nHead()));
    m.put("n_embd", Integer.toString(cfg.nEmbd()));
    m.put("bias", Boolean.toString(cfg.bias()));
    m.put("step", Long.toString(step));
    return m;
  }

  /**
   * Finishes a save that was committed but not yet renamed into place, discards one that was not
   * committed, and removes the temporary files of writes that were killed. Only for the folder's
   * trainer, holding its {@link RunLock}: run by a reader it would race the trainer's own save.
   * A no-op for a tidy folder.
   */
  public static void recover(Path dir) throws IOException {
    CheckpointFiles.removeTempFiles(dir);
    finishCommittedSave(dir, SavePoints.NONE);
  }

  private static void finishCommittedSave(Path dir, SavePoints points) throws IOException {
    Path stateNew = dir.resolve(STATE + PENDING);
    if (!Files.exists(stateNew)) {
      discardPending(dir);
      return;
    }
    for (String f : List.of(MODEL, OPTIMIZER, CONFIG)) {
      Path pending = dir.resolve(f + PENDING);
      if (Files.exists(pending)) {
        Files.move(pending, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        points.reached("renamed " + f);
      }
    }
    Files.move(stateNew, dir.resolve(STATE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    points.reached("renamed " + STATE);
  }

  private static void discardPending(Path dir) throws IOException {
    for (String f : List.of(MODEL, OPTIMIZER, CONFIG, STATE)) Files.deleteIfExists(dir.resolve(f + PENDING));
  }

  /** Copies a committed checkpoint's files (and config/tokenizer) to {@code to}, e.g. a snapshot. */
  public static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    recover(to);
    // tensors first, state last: the state's checksums name the files it belongs to
    for (String f : List.of(CONFIG, TOKENIZER, MODEL, OPTIMIZER, STATE)) {
      Path src = from.resolve(f);
      if (!Files.exists(src)) {
        Files.deleteIfExists(to.resolve(f));
        continue;
      }
      CheckpointFiles.write(to.resolve(f), out -> Files.copy(src, out));
    }
  }

  // ------------------------------------------------------------------ loading

  /** Whether {@code dir} holds a checkpoint (a state.json, committed or pending). */
  public static boolean exists(Path dir) {
    return Files.exists(dir.resolve(STATE)) || Files.exists(dir.resolve(STATE + PENDING));
  }

  /**
   * Reads the newest committed checkpoint's state, checking that the tensor files it lists are
   * the ones it was written with. Read-only: a save in progress is left alone.
   */
  public static CheckpointState readState(Path dir) throws IOException {
    try (CheckpointReader.Committed checkpoint = CheckpointReader.readListed(dir)) {
      return checkpoint.state();
    }
  }

  /** The parameters of the newest committed checkpoint in dir, laid out for {@code layout}. */
  public static float[] readParams(Path dir, ParameterLayout layout) throws IOException {
    try (CheckpointReader.Committed checkpoint = CheckpointReader.read(dir, Set.of(MODEL))) {
      return params(checkpoint, layout);
    }
  }

  /** The parameters of a checkpoint that was read, laid out for {@code layout}. */
  public static float[] params(CheckpointReader.Committed checkpoint, ParameterLayout layout) throws IOException {
    float[] params = new float[layout.totalCount()]; // (P) wte's padded rows stay zero: they are not stored
    writeParams(checkpoint, layout, WeightSink.into(params));
    return params;
  }

  /**
   * The weights of a checkpoint that was read, one tensor at a time into {@code sink} at its
   * offset in {@code layout}, so a model can load straight into its backend buffer: the heap
   * holds one tensor ({@link #floatsHeldWhileStreaming}) and, for a checkpoint read in memory,
   * the file's bytes. wte's padded vocabulary rows are not stored, so not written (a new buffer
   * holds zeros there).
   */
  public static void writeParams(CheckpointReader.Committed checkpoint, ParameterLayout layout, WeightSink sink)
      throws IOException {
    Safetensors st = checkpoint.tensors(MODEL);
    Path file = checkpoint.dir().resolve(MODEL);
    GptConfig cfg = layout.config();
    float[] tensor = new float[Math.toIntExact(floatsHeldWhileStreaming(layout))]; // (largest stored tensor) reused
    for (TensorSpec t : layout.tensors()) {
      int[] shape = storedShape(t, cfg);
      st.readInto(tensorName(t), shape, tensor, 0);
      sink.write(t.offset(), tensor, 0, Math.toIntExact(numel(shape)));
    }
    int expected = layout.tensors().size();
    if (st.entries().size() != expected) {
      throw new IOException(file + " holds " + st.entries().size() + " tensors but the model has " + expected
          + "; the checkpoint belongs to a different model configuration");
    }
  }

  /**
   * Floats {@link #writeParams} holds on the heap at once: the largest tensor as stored (wte
   * without its padded rows, or a (4C, C) block matrix).
   */
  public static long floatsHeldWhileStreaming(ParameterLayout layout) {
    long most = 0;
    for (TensorSpec t : layout.tensors()) most = Math.max(most, numel(storedShape(t, layout.config())));
    return most;
  }

  private static long numel(int[] shape) {
    long n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  /**
   * Writes the newest committed checkpoint's weights and Adam state into {@code model} (checked
   * against its shapes) and returns its state.
   */
  public static CheckpointState restore(Path dir, Gpt model) throws IOException {
    try (CheckpointReader.Committed checkpoint = CheckpointReader.read(dir, Set.of(MODEL, OPTIMIZER))) {
      ParameterLayout layout = model.layout();
      model.writeParams(params(checkpoint, layout));
      Safetensors st = checkpoint.tensors(OPTIMIZER);
      float[] m = new float[layout.totalCount()];
      float[] v = new float[layout.totalCount()];
      for (TensorSpec t : layout.tensors()) {
        st.readInto("exp_avg." + tensorName(t), t.shape(), m, t.offset());
        st.readInto("exp_avg_sq." + tensorName(t), t.shape(), v, t.offset());
      }
      model.writeAdamM(m);
      model.writeAdamV(v);
      return checkpoint.state();
    }
  }
}

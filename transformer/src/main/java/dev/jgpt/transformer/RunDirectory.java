package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.common.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * A run folder ({@code runs/NAME}) as {@code jgpt train} leaves it: config.json, tokenizer.json,
 * model.safetensors, optimizer.safetensors, state.json, metrics.jsonl, and {@code best/} with the
 * best-validation weights. {@link #load} opens one with its weights in a host array (export,
 * fine-tuning); generation reads its {@link #readHeader} first, checks memory, then streams
 * {@link #readWeights} into a backend.
 */
public final class RunDirectory {
  private RunDirectory() {}

  /**
   * A trained model ready to use: its configuration, tokenizer and weights.
   *
   * @param dir the folder it was loaded from
   * @param state step, losses and the rest of state.json
   * @param params the flat parameters, laid out by {@code new ParameterLayout(model)}
   */
  public record Run(Path dir, TrainConfig config, GptConfig model, Tokenizer tokenizer, CheckpointState state,
      float[] params) {

    /** A model on {@code backend} for batches of B x T (T <= block_size) with these weights. */
    public Gpt newModel(Backend backend, int B, int T) {
      Gpt gpt = new Gpt(model, backend, B, T);
      gpt.writeParams(params);
      return gpt;
    }
  }

  /**
   * The model shape a training configuration describes for a tokenizer of {@code vocabSize} ids
   * (the tokenizer's own count, special tokens included: bytes only is 256 + end-of-text).
   */
  public static GptConfig modelConfig(TrainConfig config, int vocabSize) {
    return GptConfig.of(vocabSize, config.blockSize(), config.nLayer(), config.nHead(), config.nEmbd(),
        config.bias(), (float) config.dropout()).validate();
  }

  /**
   * A run as its small files describe it, before any weights are read: enough to check memory
   * and to open a backend for it.
   *
   * @param dir the run folder
   * @param state the state.json it was read from (the newest committed checkpoint's)
   * @param model the model shape: the configuration with the tokenizer's vocabulary
   */
  public record Header(Path dir, TrainConfig config, GptConfig model, Tokenizer tokenizer, CheckpointState state) {}

  /**
   * Loads a run folder (or its {@code best/}); {@code path} may also name a file inside it. Checks
   * that config, tokenizer and weights belong together. Read-only, so it is safe while the run
   * trains: it loads the newest committed checkpoint and needs only its weights (not
   * optimizer.safetensors). The configuration is the one saved with that checkpoint in its
   * state.json, so it always matches the weights.
   */
  public static Run load(Path path) throws IOException {
    Path dir = runFolder(path);
    try (CheckpointReader.Committed checkpoint = CheckpointReader.read(dir, Set.of(Checkpoint.MODEL))) {
      Header header = header(dir, checkpoint);
      float[] params = Checkpoint.params(checkpoint, new ParameterLayout(header.model()));
      return new Run(dir, header.config(), header.model(), header.tokenizer(), header.state(), params);
    }
  }

  /**
   * The newest committed checkpoint's state, configuration and tokenizer, as {@link #load} checks
   * them, without reading model.safetensors: a model too large for memory is refused before
   * gigabytes of weights are read. {@link #readWeights} reads them after.
   */
  public static Header readHeader(Path path) throws IOException {
    Path dir = runFolder(path);
    try (CheckpointReader.Committed checkpoint = CheckpointReader.read(dir, Set.of())) {
      return header(dir, checkpoint);
    }
  }

  /**
   * The checked weights of the run {@code header} describes, to stream into a backend with {@link
   * Checkpoint#writeParams}: model.safetensors is checked against its CRC-32C through the open
   * file and its tensors are read from that file one at a time, not read whole onto the heap.
   * The checkpoint is the newest committed one again: when a trainer committed another since the
   * header was read, it must be the same model (shape and tokenizer), and its state is the one to
   * report ({@link CheckpointReader.Committed#state}). The caller closes it (the file stays open
   * until then).
   */
  public static CheckpointReader.Committed readWeights(Header header) throws IOException {
    CheckpointReader.Committed checkpoint = CheckpointReader.readStreaming(header.dir(), Set.of(Checkpoint.MODEL));
    CheckpointState state = checkpoint.state();
    if (!sameModel(header, state)) {
      checkpoint.close();
      throw new IOException(header.dir() + " changed to another model while it was opened (a run was restarted in "
          + "it); open it again");
    }
    return checkpoint;
  }

  // the same tokenizer and parameter shapes (dropout, which generation does not use, may differ after a resume)
  private static boolean sameModel(Header header, CheckpointState state) {
    String hash = state.tokenizerHash();
    boolean sameTokenizer = hash == null || hash.isEmpty() || hash.equals(header.tokenizer().hash());
    GptConfig model;
    try {
      model = modelConfig(state.config().validate(), header.tokenizer().vocabSize());
    } catch (IllegalArgumentException e) {
      return false;
    }
    GptConfig opened = header.model();
    return sameTokenizer && model.equals(GptConfig.of(opened.vocabSize(), opened.blockSize(), opened.nLayer(),
        opened.nHead(), opened.nEmbd(), opened.bias(), model.dropout()));
  }

  // the folder path names, or the folder of the file it names; refused when it holds no checkpoint
  private static Path runFolder(Path path) throws IOException {
    Path dir = Files.isRegularFile(path) ? path.toAbsolutePath().getParent() : path;
    if (!Files.isDirectory(dir)) throw new NoSuchFileException(path + " (not a run folder: train one with jgpt train)");
    if (!Checkpoint.exists(dir)) {
      throw new IOException(dir + " holds no trained model (no state.json); train one with: jgpt train --out " + dir);
    }
    return dir;
  }

  // the configuration saved with the checkpoint, and the tokenizer checked against it
  private static Header header(Path dir, CheckpointReader.Committed checkpoint) throws IOException {
    CheckpointState state = checkpoint.state();
    TrainConfig config;
    try {
      config = state.config().validate();
    } catch (IllegalArgumentException e) {
      throw new IOException(checkpoint.stateFile() + ": " + e.getMessage(), e);
    }
    Tokenizer tokenizer = readTokenizer(dir, state.tokenizerHash());
    return new Header(dir, config, modelConfig(config, tokenizer.vocabSize()), tokenizer, state);
  }

  /** Reads config.json (unknown keys are an error, as for --config). */
  public static TrainConfig readConfig(Path dir) throws IOException {
    Path f = dir.resolve(Checkpoint.CONFIG);
    if (!Files.exists(f)) throw new NoSuchFileException(f + " (the run folder is incomplete)");
    try {
      return TrainConfig.defaults().withAll(TrainConfig.parseJson(JsonFiles.readText(f), f.toString())).validate();
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Reads tokenizer.json and checks it against the hash the checkpoint was trained with. */
  public static Tokenizer readTokenizer(Path dir, String expectedHash) throws IOException {
    Path f = dir.resolve(Checkpoint.TOKENIZER);
    if (!Files.exists(f)) throw new NoSuchFileException(f + " (the run folder is incomplete)");
    Tokenizer tokenizer;
    try {
      tokenizer = Tokenizer.load(f);
    } catch (IllegalArgumentException e) {
      throw new IOException(f + " is damaged: " + e.getMessage(), e);
    }
    if (expectedHash != null && !expectedHash.isEmpty() && !expectedHash.equals(tokenizer.hash())) {
      throw new IOException(f + " is not the tokenizer this model was trained with (hash " + tokenizer.hash()
          + ", the checkpoint expects " + expectedHash + "); restore the run's own tokenizer.json");
    }
    return tokenizer;
  }

  /**
   * Writes config.json atomically, for a new run before its first checkpoint; afterwards
   * config.json changes only with a committed checkpoint ({@link Checkpoint#save}).
   */
  public static void writeConfig(Path dir, TrainConfig config) throws IOException {
    CheckpointFiles.writeString(dir.resolve(Checkpoint.CONFIG), config.toJson());
  }

  /** Writes tokenizer.json atomically ({@link Tokenizer#save} writes to a temporary name, then renames). */
  public static void writeTokenizer(Path dir, Tokenizer tokenizer) throws IOException {
    tokenizer.save(dir.resolve(Checkpoint.TOKENIZER));
  }

  /** {@code runs/base}, or {@code runs/base-2}, {@code -3}... when that already holds a run. */
  public static Path freshRunDir(Path runsRoot, String base) {
    Path dir = runsRoot.resolve(base);
    for (int i = 2; Files.exists(dir) && !isEmptyDir(dir); i++) dir = runsRoot.resolve(base + "-" + i);
    return dir;
  }

  /** Empty, or holding only the lock file a run that failed before writing anything left. */
  public static boolean isEmptyDir(Path dir) {
    try (var list = Files.list(dir)) {
      return list.allMatch(p -> p.getFileName().toString().equals(RunLock.FILE));
    } catch (IOException e) {
      return false;
    }
  }
}

package dev.jgpt.transformer;

import dev.jgpt.common.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code state.json} holds besides the tensors: where training stands (step, tokens, data
 * cursor, RNG counters, early-stopping counters) and what it belongs to (configuration, tokenizer
 * hash, checksums of the tensor files written with it). Everything a resumed run needs to
 * continue bit for bit.
 *
 * @param step optimizer steps completed
 * @param tokensSeen training tokens consumed
 * @param trainLoss loss of the last step (NaN before the first)
 * @param bestValLoss best validation loss so far (+infinity before the first evaluation)
 * @param bestStep step of that evaluation, -1 before the first
 * @param evalsWithoutImprovement the early-stopping counter
 * @param loaderPosition the training batch loader's cursor
 * @param seed the run's seed (initialization, data order, dropout)
 * @param rngStep the dropout counter the next micro-batch uses
 * @param elapsedSeconds training time so far, summed over resumed sessions
 * @param tokenizerHash hash of the tokenizer the model was trained with
 * @param config the configuration of the run
 * @param fileChecksums CRC-32C of each tensor file, by file name
 */
public record CheckpointState(long step, long tokensSeen, double trainLoss, double bestValLoss, long bestStep,
    int evalsWithoutImprovement, long loaderPosition, long seed, long rngStep, double elapsedSeconds,
    String tokenizerHash, TrainConfig config, Map<String, String> fileChecksums) {

  static final String FORMAT = "jgpt-checkpoint";
  static final int VERSION = 1;

  public CheckpointState {
    fileChecksums = Map.copyOf(fileChecksums);
  }

  /** The same state with other file checksums (set when the tensor files are written). */
  public CheckpointState withChecksums(Map<String, String> checksums) {
    return new CheckpointState(step, tokensSeen, trainLoss, bestValLoss, bestStep, evalsWithoutImprovement,
        loaderPosition, seed, rngStep, elapsedSeconds, tokenizerHash, config, checksums);
  }

  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("version", VERSION);
    m.put("step", step);
    m.put("tokens_seen", tokensSeen);
    m.put("train_loss", trainLoss);
    m.put("best_val_loss", bestValLoss);
    m.put("best_step", bestStep);
    m.put("evals_without_improvement", evalsWithoutImprovement);
    m.put("elapsed_s", elapsedSeconds);
    Map<String, Object> rng = new LinkedHashMap<>();
    rng.put("seed", seed);
    rng.put("step", rngStep);
    m.put("rng", rng);
    m.put("loader", Map.of("position", loaderPosition));
    m.put("tokenizer_hash", tokenizerHash);
    m.put("files", new LinkedHashMap<>(fileChecksums));
    m.put("config", config.toMap());
    return Json.writePretty(m);
  }

  /** Parses state.json; {@code source} names the file in errors. */
  public static CheckpointState parse(String text, String source) {
    try {
      Map<String, Object> m = Json.parseObject(text);
      if (!FORMAT.equals(m.get("format")))
        throw new IllegalArgumentException("it is not a jgpt checkpoint state (format " + m.get("format") + ")");
      long version = Json.getLong(m, "version", -1);
      if (version != VERSION)
        throw new IllegalArgumentException("it has version " + version + " but this jgpt reads version " + VERSION);
      Map<String, Object> rng = require(Json.getObject(m, "rng"), "rng");
      Map<String, Object> loader = require(Json.getObject(m, "loader"), "loader");
      Map<String, Object> files = require(Json.getObject(m, "files"), "files");
      Map<String, String> checksums = new LinkedHashMap<>();
      files.forEach((k, v) -> checksums.put(k, String.valueOf(v)));
      TrainConfig config = TrainConfig.defaults()
          .withAll(TrainConfig.parseJson(Json.write(require(Json.getObject(m, "config"), "config")), "config"));
      return new CheckpointState(
          requireLong(m, "step"),
          Json.getLong(m, "tokens_seen", 0),
          Json.getDouble(m, "train_loss", Double.NaN),
          Json.getDouble(m, "best_val_loss", Double.POSITIVE_INFINITY),
          Json.getLong(m, "best_step", -1),
          Json.getInt(m, "evals_without_improvement", 0),
          requireLong(loader, "position"),
          requireLong(rng, "seed"),
          requireLong(rng, "step"),
          Json.getDouble(m, "elapsed_s", 0),
          Json.getString(m, "tokenizer_hash", ""),
          config,
          checksums);
    } catch (IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException(source + " is damaged: " + e.getMessage()
          + "; use another checkpoint or start a new run");
    }
  }

  private static Map<String, Object> require(Map<String, Object> m, String key) {
    if (m == null) throw new IllegalArgumentException("\"" + key + "\" is missing");
    return m;
  }

  private static long requireLong(Map<String, Object> m, String key) {
    if (!m.containsKey(key)) throw new IllegalArgumentException("\"" + key + "\" is missing");
    return Json.getLong(m, key, 0);
  }
}

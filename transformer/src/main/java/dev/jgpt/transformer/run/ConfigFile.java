package dev.jgpt.transformer.run;

import dev.jgpt.common.Json;
import dev.jgpt.common.JsonFiles;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.TrainConfigKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code --config} file: JSON of training settings, keys as in config.json. An old run's
 * config.json holds backend and threads too, which are no longer training settings: such a file
 * is still accepted, and {@link #note} says where those went.
 *
 * @param settings the training settings the file gives
 * @param note one line for the user when the file sets backend or threads, else empty
 */
public record ConfigFile(Map<TrainConfigKey, Object> settings, Optional<String> note) {

  /** Reads {@code file}; an IllegalArgumentException names a key or value the file gets wrong. */
  public static ConfigFile read(Path file) throws IOException {
    String text = JsonFiles.readText(file);
    Map<TrainConfigKey, Object> settings = TrainConfig.parseJson(text, file.toString()); // the JSON is valid from here
    boolean backendOptions = Json.parseObject(text).keySet().stream().anyMatch(TrainConfig.RETIRED_KEYS::contains);
    return new ConfigFile(settings, backendOptions ? Optional.of("config " + file
        + ": backend and threads are not training settings; use --backend/--threads") : Optional.empty());
  }
}

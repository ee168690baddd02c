package dev.jgpt.transformer.run;

import dev.jgpt.transformer.TrainConfigKey;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the user asked of {@code jgpt train}: a preset name (null: none given), the settings of a
 * {@code --config} file, and the settings given as flags, which override the file's.
 */
public record TrainRequest(String preset, Map<TrainConfigKey, Object> fromFile, Map<TrainConfigKey, Object> fromFlags) {

  /** The file's settings, then the flags' over them. */
  public Map<TrainConfigKey, Object> overrides() {
    Map<TrainConfigKey, Object> o = new LinkedHashMap<>(fromFile);
    o.putAll(fromFlags);
    return o;
  }

  /** Whether the user gave {@code key} (as a flag or in --config), rather than a preset or default. */
  public boolean explicitlySet(TrainConfigKey key) {
    return fromFile.containsKey(key) || fromFlags.containsKey(key);
  }
}

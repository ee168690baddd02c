package dev.jgpt.transformer;

import dev.jgpt.common.Json;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The complete, immutable configuration of a training run: one value for every
 * {@link TrainConfigKey} (where the keys and their rules are declared). Built from {@link #defaults()}, a {@link Presets preset}, a config file
 * and command-line flags, each overriding the one before; saved as the run's {@code config.json}
 * (the same flat format {@code --config} reads, so a run's config reproduces it).
 */
public final class TrainConfig {

  private final EnumMap<TrainConfigKey, Object> values;

  private TrainConfig(EnumMap<TrainConfigKey, Object> values) {
    this.values = values;
  }

  /** Every key at its declared default ({@link TrainConfigKey#defaultValue()}). */
  public static TrainConfig defaults() {
    EnumMap<TrainConfigKey, Object> v = new EnumMap<>(TrainConfigKey.class);
    for (TrainConfigKey k : TrainConfigKey.values()) v.put(k, k.defaultValue());
    return new TrainConfig(v);
  }

  /** A copy with {@code key} set; the value is converted to the key's type (or rejected). */
  public TrainConfig with(TrainConfigKey key, Object value) {
    EnumMap<TrainConfigKey, Object> v = new EnumMap<>(values);
    v.put(key, convert(key, value));
    return new TrainConfig(v);
  }

  /** A copy with every entry of {@code overrides} set. */
  public TrainConfig withAll(Map<TrainConfigKey, ?> overrides) {
    EnumMap<TrainConfigKey, Object> v = new EnumMap<>(values);
    overrides.forEach((k, value) -> v.put(k, convert(k, value)));
    return new TrainConfig(v);
  }

  /**
   * Keys that runs saved before the backend options left the training settings hold in their
   * config.json and state.json: they are read past, so those runs still load and resume.
   */
  public static final Set<String> RETIRED_KEYS = Set.of("backend", "threads");

  /**
   * Reads the keys of a JSON config object. Unknown keys are rejected with the list of valid
   * ones; keys may be spelled {@code n_layer} or {@code n-layer}. {@code source} names the file
   * in messages.
   */
  public static Map<TrainConfigKey, Object> parseJson(String text, String source) {
    Map<String, Object> obj;
    try {
      obj = Json.parseObject(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + " is not a valid JSON config: " + e.getMessage());
    }
    Map<TrainConfigKey, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : obj.entrySet()) {
      if (RETIRED_KEYS.contains(e.getKey())) continue;
      TrainConfigKey key = TrainConfigKey.find(e.getKey());
      if (key == null) {
        throw new IllegalArgumentException(source + ": unknown key \"" + e.getKey() + "\"; valid keys are "
            + TrainConfigKey.validNames());
      }
      try {
        out.put(key, convert(key, e.getValue()));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(source + ": " + ex.getMessage());
      }
    }
    return out;
  }

  /** Converts a JSON value or a flag's text to the key's type. */
  static Object convert(TrainConfigKey key, Object value) {
    if (value == null) {
      if (key.type() == TrainConfigKey.Type.STRING) return "";
      if (key.type() == TrainConfigKey.Type.STRINGS) return List.of();
      throw new IllegalArgumentException("\"" + key.json() + "\" needs a value");
    }
    String bad = "\"" + key.json() + "\" should be ";
    switch (key.type()) {
      case INT -> {
        if (value instanceof Integer i) return i;
        if (value instanceof Long l && l == l.intValue()) return l.intValue();
        if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) return d.intValue();
        if (value instanceof String s) {
          try {
            return Integer.parseInt(s.strip().replace("_", ""));
          } catch (NumberFormatException e) {
            // fall through to the error below
          }
        }
        throw new IllegalArgumentException(bad + "an integer, got " + Json.write(value));
      }
      case FLOAT -> {
        double d = Double.NaN;
        if (value instanceof Number n) d = n.doubleValue();
        if (value instanceof String s) {
          try {
            d = Double.parseDouble(s.strip());
          } catch (NumberFormatException e) {
            // fall through to the error below
          }
        }
        // NaN and Infinity (1e999 in JSON) would pass range checks such as weight_decay >= 0
        if (Double.isFinite(d)) return d;
        throw new IllegalArgumentException(bad + "a finite number, got " + (value instanceof String ? Json.write(value) : value));
      }
      case BOOL -> {
        if (value instanceof Boolean b) return b;
        if (value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")))
          return Boolean.parseBoolean(s);
        throw new IllegalArgumentException(bad + "true or false, got " + Json.write(value));
      }
      case STRINGS -> {
        // one string is a list of one: "include": "*.md" as well as ["*.md", "*.txt"]
        if (value instanceof String s) return s.isEmpty() ? List.of() : List.of(s);
        if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
          return list.stream().map(String.class::cast).toList();
        }
        throw new IllegalArgumentException(bad + "a list of strings, got " + Json.write(value));
      }
      default -> {
        if (value instanceof String s) return s;
        throw new IllegalArgumentException(bad + "a string, got " + Json.write(value));
      }
    }
  }

  // ------------------------------------------------------------------ checks

  /** Rejects values no run can use, with the key's flag and what to do. */
  public TrainConfig validate() {
    for (TrainConfigKey k : TrainConfigKey.values()) {
      String problem = k.rangeProblem(values.get(k));
      if (problem != null) throw invalid(k, problem);
    }
    if (nEmbd() % nHead() != 0)
      throw new IllegalArgumentException("n_embd (" + nEmbd() + ") must be divisible by n_head (" + nHead()
          + "); e.g. --n-head " + largestDivisorUpTo(nEmbd(), nHead()) + " or --n-embd " + (nEmbd() / nHead() + 1) * nHead());
    long tokensPerMicroBatch = (long) batchSize() * blockSize();
    if (tokensPerMicroBatch > Integer.MAX_VALUE / 64)
      throw new IllegalArgumentException("batch_size x block_size (" + tokensPerMicroBatch + ") is too large; lower --batch-size");
    lrSchedule(); // checks the learning rates and iteration counts
    return this;
  }

  private IllegalArgumentException invalid(TrainConfigKey k, String what) {
    return new IllegalArgumentException(k.flag() + " " + what + " (was " + values.get(k) + ")");
  }

  private static int largestDivisorUpTo(int n, int max) {
    for (int d = Math.min(n, max); d > 1; d--) if (n % d == 0) return d;
    return 1;
  }

  // ------------------------------------------------------------------ typed access

  public Object get(TrainConfigKey k) {
    return values.get(k);
  }

  public int intValue(TrainConfigKey k) {
    return (Integer) values.get(k);
  }

  public double doubleValue(TrainConfigKey k) {
    return (Double) values.get(k);
  }

  public String string(TrainConfigKey k) {
    return (String) values.get(k);
  }

  @SuppressWarnings("unchecked")
  public List<String> strings(TrainConfigKey k) {
    return (List<String>) values.get(k);
  }

  public String corpus() { return string(TrainConfigKey.CORPUS); }
  public List<String> include() { return strings(TrainConfigKey.INCLUDE); }
  public List<String> exclude() { return strings(TrainConfigKey.EXCLUDE); }
  public String tokenizer() { return string(TrainConfigKey.TOKENIZER); }
  public String initFrom() { return string(TrainConfigKey.INIT_FROM); }
  public int vocabSize() { return intValue(TrainConfigKey.VOCAB_SIZE); }
  public int blockSize() { return intValue(TrainConfigKey.BLOCK_SIZE); }
  public int nLayer() { return intValue(TrainConfigKey.N_LAYER); }
  public int nHead() { return intValue(TrainConfigKey.N_HEAD); }
  public int nEmbd() { return intValue(TrainConfigKey.N_EMBD); }
  public boolean bias() { return (Boolean) values.get(TrainConfigKey.BIAS); }
  public double dropout() { return doubleValue(TrainConfigKey.DROPOUT); }
  public int batchSize() { return intValue(TrainConfigKey.BATCH_SIZE); }
  public int gradAccum() { return intValue(TrainConfigKey.GRAD_ACCUM); }
  public int maxIters() { return intValue(TrainConfigKey.MAX_ITERS); }
  public double learningRate() { return doubleValue(TrainConfigKey.LEARNING_RATE); }
  public double minLr() { return doubleValue(TrainConfigKey.MIN_LR); }
  public int warmupIters() { return intValue(TrainConfigKey.WARMUP_ITERS); }
  public double weightDecay() { return doubleValue(TrainConfigKey.WEIGHT_DECAY); }
  public double beta1() { return doubleValue(TrainConfigKey.BETA1); }
  public double beta2() { return doubleValue(TrainConfigKey.BETA2); }
  public double gradClip() { return doubleValue(TrainConfigKey.GRAD_CLIP); }
  public int evalInterval() { return intValue(TrainConfigKey.EVAL_INTERVAL); }
  public int evalIters() { return intValue(TrainConfigKey.EVAL_ITERS); }
  public int logInterval() { return intValue(TrainConfigKey.LOG_INTERVAL); }
  public int patience() { return intValue(TrainConfigKey.PATIENCE); }
  public int keepLast() { return intValue(TrainConfigKey.KEEP_LAST); }
  public int sampleTokens() { return intValue(TrainConfigKey.SAMPLE_TOKENS); }
  public long seed() { return intValue(TrainConfigKey.SEED); }

  /**
   * lr_decay_iters, with 0 meaning max_iters (nanoGPT: "should be ~= max_iters"), but at least
   * one step past the warmup so a run shorter than its warmup still has a schedule.
   */
  public int lrDecayIters() {
    int d = intValue(TrainConfigKey.LR_DECAY_ITERS);
    return d == 0 ? Math.max(maxIters(), warmupIters() + 1) : d;
  }

  /**
   * A copy whose lr_decay_iters 0 is replaced by the step it stands for now ({@link #lrDecayIters()}).
   * A run saves this resolved value, so resuming it with a larger max_iters keeps the original
   * decay length instead of moving it with max_iters.
   */
  public TrainConfig withResolvedLrDecayIters() {
    return intValue(TrainConfigKey.LR_DECAY_ITERS) == 0 ? with(TrainConfigKey.LR_DECAY_ITERS, lrDecayIters()) : this;
  }

  public LrSchedule lrSchedule() {
    return new LrSchedule(LrSchedule.Kind.parse(string(TrainConfigKey.LR_SCHEDULE)), learningRate(), minLr(),
        warmupIters(), lrDecayIters());
  }

  /** Tokens consumed per optimizer step. */
  public long tokensPerStep() {
    return (long) batchSize() * blockSize() * gradAccum();
  }

  // ------------------------------------------------------------------ output

  /** Key -> value in key order, JSON-ready. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    values.forEach((k, v) -> m.put(k.json(), v));
    return Collections.unmodifiableMap(m);
  }

  /** The config.json text. */
  public String toJson() {
    return Json.writePretty(toMap());
  }

  /** Keys whose values differ from {@code other}'s, e.g. "n_layer 4 -> 6, seed 1 -> 2". */
  public String differences(TrainConfig other, boolean shapeKeysOnly) {
    StringBuilder sb = new StringBuilder();
    for (TrainConfigKey k : TrainConfigKey.values()) {
      if (shapeKeysOnly && !k.shape()) continue;
      if (!values.get(k).equals(other.values.get(k))) {
        sb.append(sb.isEmpty() ? "" : ", ").append(k.json()).append(' ').append(values.get(k))
            .append(" -> ").append(other.values.get(k));
      }
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainConfig t && t.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return Json.write(toMap());
  }
}

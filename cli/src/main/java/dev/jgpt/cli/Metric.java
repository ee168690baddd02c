package dev.jgpt.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A column of metrics.jsonl that {@code jgpt plot} draws. Metrics of one {@link #chart} share a
 * y axis (train and validation loss are both nats per token); each other chart stands alone, so
 * a learning rate is never squashed flat under a loss.
 */
enum Metric {
  TRAIN_LOSS("train_loss", "train loss", "loss (nats/token)"),
  VAL_LOSS("val_loss", "val loss", "loss (nats/token)"),
  VAL_BPB("val_bpb", "val bits/byte", "validation loss (bits/byte)"),
  LR("lr", "lr", "learning rate"),
  GRAD_NORM("grad_norm", "grad norm", "gradient norm"),
  TOKENS_PER_S("tokens_per_s", "tokens/s", "tokens/s"),
  MS_PER_STEP("ms_per_step", "ms/step", "ms/step");

  /** The key in metrics.jsonl, which is also the --metric name. */
  final String key;
  final String label;
  /** The y-axis title of the chart this metric is drawn in. */
  final String chart;

  Metric(String key, String label, String chart) {
    this.key = key;
    this.label = label;
    this.chart = chart;
  }

  /** "loss" is shorthand for both losses, the chart most runs are looked at for. */
  static final String LOSS = "loss";

  static String names() {
    StringBuilder sb = new StringBuilder(LOSS);
    for (Metric m : values()) sb.append(", ").append(m.key);
    return sb.toString();
  }

  /**
   * The metrics named in {@code names} (each may be a comma list), in order, without repeats.
   *
   * @throws IllegalArgumentException naming an unknown one and the accepted names
   */
  static List<Metric> parse(List<String> names) {
    Set<Metric> out = new LinkedHashSet<>();
    for (String name : names) {
      String n = name.strip().toLowerCase(java.util.Locale.ROOT);
      if (n.equals(LOSS)) {
        out.add(TRAIN_LOSS);
        out.add(VAL_LOSS);
        continue;
      }
      Metric found = null;
      for (Metric m : values()) if (m.key.equals(n)) found = m;
      if (found == null) throw new IllegalArgumentException("--metric: unknown metric '" + name + "' (accepted: " + names() + ")");
      out.add(found);
    }
    return new ArrayList<>(out);
  }
}

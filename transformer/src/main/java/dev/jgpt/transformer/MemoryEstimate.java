package dev.jgpt.transformer;

import java.util.List;
import java.util.Locale;

/**
 * The Java heap a model needs, counted part by part before anything is allocated, so a command
 * can say up front that a configuration cannot fit instead of dying half-way with an
 * OutOfMemoryError. Each part is sized by the same layout code that later allocates it.
 *
 * @param parts what is counted, in the order the model allocates it
 */
public record MemoryEstimate(List<Part> parts) {

  /** One kind of buffer ("activations") and its size in bytes. */
  public record Part(String name, long bytes) {}

  public MemoryEstimate {
    parts = List.copyOf(parts);
  }

  public long totalBytes() {
    long total = 0;
    for (Part p : parts) total += p.bytes();
    return total;
  }

  /** "activations 3.7 GB, activation gradients 453 MB, ...": the parts of at least 1% of the total. */
  public String breakdown() {
    long total = totalBytes();
    StringBuilder s = new StringBuilder();
    for (Part p : parts) {
      if (p.bytes() * 100 < total) continue;
      s.append(s.isEmpty() ? "" : ", ").append(p.name()).append(' ').append(bytes(p.bytes()));
    }
    return s.toString();
  }

  /** Bytes in decimal units with two or three significant digits: "512 KB", "3.7 GB", "18.0 GB". */
  public static String bytes(long b) {
    if (b < 1_000) return b + " B";
    String[] units = {"KB", "MB", "GB", "TB"};
    double v = b;
    int u = -1;
    while (v >= 1_000 && u < units.length - 1) {
      v /= 1_000;
      u++;
    }
    return String.format(Locale.ROOT, v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
  }
}

package dev.jgpt.kernels.tornado;

import java.util.Locale;

/** Byte sizes given as system properties ({@code 64m}, {@code 12g}); no TornadoVM class involved. */
final class SizeProperty {
  private SizeProperty() {}

  /** A size property: bytes, or with a k, m or g suffix (binary units); fallback when unset. */
  static long bytes(String property, long fallback) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) return fallback;
    String s = v.strip().toLowerCase(Locale.ROOT);
    if (s.endsWith("b")) s = s.substring(0, s.length() - 1);
    long unit = 1;
    char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
    if (last == 'k' || last == 'm' || last == 'g' || last == 't') {
      unit = switch (last) {
        case 'k' -> 1L << 10;
        case 'm' -> 1L << 20;
        case 'g' -> 1L << 30;
        default -> 1L << 40;
      };
      s = s.substring(0, s.length() - 1);
    }
    try {
      return Math.multiplyExact(Long.parseLong(s.strip()), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("-D" + property + "=" + v + ": use a size like 512m or 12g");
    }
  }
}

package dev.jgpt.cli;

import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads every floating-point flag of every command (learning rate, dropout, temperature,
 * top-p...): a number and finite. Java reads "NaN", "Infinity" and "1e999" as numbers, and a
 * range check such as {@code weightDecay >= 0} lets Infinity through, so the one place that
 * turns flag text into a double or float refuses them, as a usage error naming the flag (exit 2).
 */
final class FiniteNumbers {
  private FiniteNumbers() {}

  /** Makes {@code cl} and all its subcommands read double and float flags with {@link #parseDouble}. */
  static void register(CommandLine cl) {
    cl.registerConverter(Double.class, FiniteNumbers::parseDouble);
    cl.registerConverter(Double.TYPE, FiniteNumbers::parseDouble);
    cl.registerConverter(Float.class, FiniteNumbers::parseFloat);
    cl.registerConverter(Float.TYPE, FiniteNumbers::parseFloat);
  }

  /** {@code text} as a finite double; picocli adds the flag's name to the message. */
  static double parseDouble(String text) {
    double value;
    try {
      value = Double.parseDouble(text.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + text + "' is not a number");
    }
    if (!Double.isFinite(value)) throw new TypeConversionException("'" + text + "' is not a finite number; give one like 0.1");
    return value;
  }

  /** {@code text} as a finite float (1e39 is too large for one). */
  static float parseFloat(String text) {
    float value = (float) parseDouble(text);
    if (!Float.isFinite(value)) throw new TypeConversionException("'" + text + "' is too large for a float");
    return value;
  }
}

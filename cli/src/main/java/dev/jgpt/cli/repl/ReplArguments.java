package dev.jgpt.cli.repl;

import java.util.Locale;
import java.util.function.Function;

/** Reads the argument of a REPL command; what is wrong becomes a one-line error that names the command. */
final class ReplArguments {
  private ReplArguments() {}

  static String required(String cmd, String arg, String what) {
    if (arg.isBlank()) throw new IllegalArgumentException(cmd + " needs " + what);
    return arg;
  }

  static double number(String cmd, String arg) {
    return parse(cmd, arg, "a number", Double::parseDouble);
  }

  static int integer(String cmd, String arg) {
    return parse(cmd, arg, "a whole number", Integer::parseInt);
  }

  static long longInteger(String cmd, String arg) {
    return parse(cmd, arg, "a whole number", Long::parseLong);
  }

  /** {@code arg} read by {@code parser}; a one-line error saying what {@code cmd} needs when it is not {@code what}. */
  private static <T> T parse(String cmd, String arg, String what, Function<String, T> parser) {
    try {
      return parser.apply(required(cmd, arg, what).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(cmd + " needs " + what + ", got '" + arg.strip() + "'");
    }
  }

  static boolean onOff(String cmd, String arg) {
    return switch (arg.strip().toLowerCase(Locale.ROOT)) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new IllegalArgumentException(cmd + " needs on or off, got '" + arg.strip() + "'");
    };
  }

  /** A token id for {@code cmd}: a whole number from 0 to vocabSize - 1. */
  static int tokenId(String cmd, String arg, int vocabSize) {
    int id = integer(cmd, arg);
    if (id < 0 || id >= vocabSize) {
      throw new IllegalArgumentException(cmd + " needs a token id from 0 to " + (vocabSize - 1) + ", got " + id
          + "; :tok TEXT shows the ids");
    }
    return id;
  }
}

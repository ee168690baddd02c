package dev.jgpt.tokenizer;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The built-in split patterns, by name: {@code gpt2} (also {@code r50k}, {@code p50k}),
 * {@code cl100k} and {@code o200k}. Anything else is taken as a regular expression.
 */
public final class Patterns {
  private Patterns() {}

  public static final String GPT2 = "gpt2";
  public static final String CL100K = "cl100k";
  public static final String O200K = "o200k";

  static final String GPT2_REGEX =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
  static final String CL100K_REGEX =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
          + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  static final String O200K_REGEX = String.join("|",
      "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
      "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
      "\\p{N}{1,3}",
      " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
      "\\s*[\\r\\n]+",
      "\\s+(?!\\S)",
      "\\s+");

  /** The canonical name of a built-in pattern ("r50k_base" gives "gpt2"), or the regex itself. */
  public static String canonical(String nameOrRegex) {
    if (nameOrRegex == null) return GPT2;
    return switch (nameOrRegex.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "gpt2", "r50k", "r50k_base", "p50k", "p50k_base" -> GPT2;
      case "cl100k", "cl100k_base", "gpt4" -> CL100K;
      case "o200k", "o200k_base" -> O200K;
      default -> {
        if (nameOrRegex.isEmpty()) throw new IllegalArgumentException("the split pattern is empty; use gpt2, cl100k, o200k or a regular expression");
        yield nameOrRegex;
      }
    };
  }

  /** The regular expression behind a pattern name (a regex is returned as is). */
  public static String regex(String nameOrRegex) {
    String name = canonical(nameOrRegex);
    return switch (name) {
      case GPT2 -> GPT2_REGEX;
      case CL100K -> CL100K_REGEX;
      case O200K -> O200K_REGEX;
      default -> name;
    };
  }

  static boolean isBuiltIn(String canonical) {
    return canonical.equals(GPT2) || canonical.equals(CL100K) || canonical.equals(O200K);
  }

  /** The fastest splitter for a pattern: hand-written for gpt2 and cl100k, regex otherwise. */
  static Splitter splitter(String nameOrRegex) {
    String name = canonical(nameOrRegex);
    return switch (name) {
      case GPT2 -> new Gpt2Splitter();
      case CL100K -> new Cl100kSplitter();
      default -> new RegexSplitter(compile(regex(name)));
    };
  }

  static Pattern compile(String regex) {
    try {
      return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid split pattern: " + e.getDescription() + " near index " + e.getIndex()
          + " of " + regex + "; use gpt2, cl100k, o200k or a valid Java regular expression");
    }
  }
}

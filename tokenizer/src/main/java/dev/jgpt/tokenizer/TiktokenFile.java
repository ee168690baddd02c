package dev.jgpt.tokenizer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads tiktoken's {@code .tiktoken} rank files: one {@code base64(token bytes) rank} per line.
 * The file holds no special tokens; the known ones are added for the known files (r50k, p50k,
 * cl100k, o200k, recognised by pattern and size), and {@code <|endoftext|>} after the last rank
 * otherwise.
 */
final class TiktokenFile {
  private TiktokenFile() {}

  static Tokenizer read(String text, String source, String pattern) {
    return read(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), source, pattern);
  }

  /** Parses the bytes directly (no per-line strings): loading cl100k's 100k lines is on every start-up path. */
  static Tokenizer read(byte[] text, String source, String pattern) {
    String canonical = Patterns.canonical(pattern);
    byte[][] tokens = new byte[1024][];
    int maxRank = -1;
    int lineNo = 0;
    int n = text.length;
    int i = 0;
    while (i < n) {
      int lineStart = i;
      while (i < n && text[i] != '\n') i++;
      int lineEnd = i;
      i++; // past '\n'
      lineNo++;
      while (lineEnd > lineStart && (text[lineEnd - 1] == '\r' || text[lineEnd - 1] == ' ')) lineEnd--;
      if (lineEnd == lineStart) continue;
      int space = lineEnd - 1;
      while (space > lineStart && text[space] != ' ') space--;
      byte[] bytes = space > lineStart ? Base64Bytes.decode(text, lineStart, space) : null;
      int rank = parseRank(text, space + 1, lineEnd);
      if (bytes == null || rank < 0) {
        throw new IllegalArgumentException(source + ": line " + lineNo
            + " is not \"<base64 token> <rank>\"; is this a .tiktoken rank file?");
      }
      if (bytes.length == 0) throw new IllegalArgumentException(source + ": line " + lineNo + " has an empty token");
      if (rank >= tokens.length) tokens = Arrays.copyOf(tokens, Math.max(2 * tokens.length, rank + 1));
      if (tokens[rank] != null) throw new IllegalArgumentException(source + ": rank " + rank + " appears twice");
      tokens[rank] = bytes;
      maxRank = Math.max(maxRank, rank);
    }
    if (maxRank < 0) throw new IllegalArgumentException(source + ": the rank file is empty");
    tokens = Arrays.copyOf(tokens, maxRank + 1);
    try {
      return new Tokenizer(canonical, Rule.RANKS, tokens, new int[0], knownSpecials(canonical, tokens));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage());
    }
  }

  /** Decimal digits in b[from, to) as a rank, or -1. */
  private static int parseRank(byte[] b, int from, int to) {
    if (from >= to || to - from > 9) return -1;
    int v = 0;
    for (int k = from; k < to; k++) {
      int d = b[k] - '0';
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
    }
    return v;
  }

  /** tiktoken's special tokens for its own encodings; otherwise {@code <|endoftext|>} after the last rank. */
  static Map<String, Integer> knownSpecials(String pattern, byte[][] tokens) {
    Map<String, Integer> s = new LinkedHashMap<>();
    int n = tokens.length;
    if (pattern.equals(Patterns.CL100K) && n == 100256) {
      s.put("<|endoftext|>", 100257);
      s.put("<|fim_prefix|>", 100258);
      s.put("<|fim_middle|>", 100259);
      s.put("<|fim_suffix|>", 100260);
      s.put("<|endofprompt|>", 100276);
    } else if (pattern.equals(Patterns.O200K) && n == 199998) {
      s.put("<|endoftext|>", 199999);
      s.put("<|endofprompt|>", 200018);
    } else if (pattern.equals(Patterns.GPT2) && (n == 50256 || (n > 50256 && n <= 50281 && tokens[50256] == null))) {
      s.put("<|endoftext|>", 50256); // r50k_base and p50k_base
    } else {
      s.put("<|endoftext|>", n);
    }
    return s;
  }
}

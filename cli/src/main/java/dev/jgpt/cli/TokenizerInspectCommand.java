package dev.jgpt.cli;

import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jgpt tokenizer inspect}: what a tokenizer holds and how it cuts a text. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Show a tokenizer: vocabulary size, split pattern, special tokens, longest tokens; with --text, the text's "
          + "tokens with their ids and the bytes per token.",
      "Example: jgpt tokenizer inspect --tokenizer tokenizer.json --text 'Hello, world!'"
    })
final class TokenizerInspectCommand implements Callable<Integer> {
  @Mixin TokenizerOptions tokenizerOptions;

  @Option(names = "--text", paramLabel = "TEXT", description = "Show how this text is tokenized.")
  String text;

  @Option(names = "--longest", paramLabel = "N", defaultValue = "10",
      description = "How many of the longest tokens to list when no --text is given (default: ${DEFAULT-VALUE}).")
  int longest;

  @Override
  public Integer call() throws IOException {
    Tokenizer t = tokenizerOptions.load();
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
    out.println(String.format(Locale.ROOT, "vocab size: %,d (%,d merges, %d special)", t.vocabSize(), t.mergeCount(),
        t.specialTokens().size()));
    out.println("pattern:    " + t.pattern());
    StringBuilder specials = new StringBuilder();
    for (Map.Entry<String, Integer> e : t.specialTokens().entrySet()) {
      specials.append(specials.isEmpty() ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
    }
    out.println("specials:   " + (specials.isEmpty() ? "none" : specials));
    out.println("hash:       " + t.hash());
    if (text == null) {
      printLongest(t, out);
    } else {
      printPieces(t, text, out);
    }
    out.flush();
    return 0;
  }

  private void printPieces(Tokenizer t, String s, PrintWriter out) {
    int[] ids = t.encode(s);
    int bytes = s.getBytes(StandardCharsets.UTF_8).length;
    out.println(String.format(Locale.ROOT, "text:       %,d bytes, %,d tokens, %.2f bytes/token", bytes, ids.length,
        ids.length == 0 ? 0.0 : (double) bytes / ids.length));
    int width = Integer.toString(t.vocabSize() - 1).length();
    StringBuilder joined = new StringBuilder();
    for (int id : ids) {
      String shown = shown(t.tokenBytes(id));
      out.println(String.format(Locale.ROOT, "  %" + width + "d  %s", id, shown));
      joined.append(shown, 1, shown.length() - 1).append('|');
    }
    if (ids.length > 0) out.println("pieces:     " + joined.substring(0, joined.length() - 1));
  }

  private void printLongest(Tokenizer t, PrintWriter out) {
    if (longest <= 0) return;
    int[] length = new int[t.vocabSize()]; // 0 for specials and unused ids
    java.util.List<Integer> ids = new java.util.ArrayList<>();
    for (int id = 0; id < t.vocabSize(); id++) {
      if (!t.isValidId(id) || t.isSpecial(id)) continue;
      length[id] = t.tokenBytes(id).length;
      ids.add(id);
    }
    ids.sort((a, b) -> length[a] != length[b] ? length[b] - length[a] : a - b);
    out.println("longest tokens:");
    int width = Integer.toString(t.vocabSize() - 1).length();
    for (int id : ids.subList(0, Math.min(longest, ids.size()))) {
      out.println(String.format(Locale.ROOT, "  %" + width + "d  %s", id, shown(t.tokenBytes(id))));
    }
  }

  /**
   * A token's bytes as a quoted string: complete UTF-8 characters as themselves, control
   * characters and quotes escaped, bytes that are not (whole) UTF-8 as \xNN.
   */
  static String shown(byte[] b) {
    StringBuilder sb = new StringBuilder("\"");
    int i = 0;
    while (i < b.length) {
      int n = utf8Length(b, i);
      if (n < 0) {
        sb.append(String.format(Locale.ROOT, "\\x%02x", b[i] & 0xFF));
        i++;
        continue;
      }
      int cp = new String(b, i, n, StandardCharsets.UTF_8).codePointAt(0);
      i += n;
      switch (cp) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) sb.append(String.format(Locale.ROOT, "\\u%04x", cp));
          else sb.appendCodePoint(cp);
        }
      }
    }
    return sb.append('"').toString();
  }

  /** Length of the valid UTF-8 sequence at b[i], or -1. */
  private static int utf8Length(byte[] b, int i) {
    int b0 = b[i] & 0xFF;
    int n = b0 < 0x80 ? 1 : b0 >= 0xC2 && b0 <= 0xDF ? 2 : b0 >= 0xE0 && b0 <= 0xEF ? 3 : b0 >= 0xF0 && b0 <= 0xF4 ? 4 : -1;
    if (n < 0 || i + n > b.length) return -1;
    try {
      StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b, i, n)); // strict: rejects surrogates, overlongs
      return n;
    } catch (java.nio.charset.CharacterCodingException e) {
      return -1;
    }
  }
}

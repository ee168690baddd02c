package dev.jgpt.tokenizer;

import dev.jgpt.common.AtomicFile;
import dev.jgpt.common.Json;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our own tokenizer file: versioned, human-readable JSON.
 *
 * <pre>{@code
 * {
 *   "format": "jgpt-tokenizer",
 *   "version": 1,
 *   "pattern": "gpt2",                  // gpt2 | cl100k | o200k | a regular expression
 *   "rule": "merges",                   // merges | ranks (tiktoken semantics)
 *   "vocab_size": 4096,
 *   "special_tokens": {"<|endoftext|>": 4095},
 *   "tokens": {                         // id -> bytes in GPT-2's byte-level alphabet ('Ġ' is a space)
 *     "0": "Ā",
 *     "256": "Ġt",
 *     ...
 *   },
 *   "merges": [                         // rule "merges" only: [left, right, result], first merges first
 *     [220, 83, 256],
 *     ...
 *   ]
 * }
 * }</pre>
 */
final class TokenizerFile {
  private TokenizerFile() {}

  static final String FORMAT = "jgpt-tokenizer";
  static final int VERSION = 1;

  static void write(Tokenizer t, Path path) throws IOException {
    AtomicFile.write(path, toJson(t).getBytes(StandardCharsets.UTF_8));
  }

  static String toJson(Tokenizer t) {
    StringBuilder out = new StringBuilder(64 * t.vocabSize() + 256);
    out.append("{\n");
    out.append("  \"format\": \"").append(FORMAT).append("\",\n");
    out.append("  \"version\": ").append(VERSION).append(",\n");
    out.append("  \"pattern\": ");
    Json.writeString(t.pattern(), out);
    out.append(",\n");
    out.append("  \"rule\": \"").append(t.rule().name().toLowerCase(java.util.Locale.ROOT)).append("\",\n");
    out.append("  \"vocab_size\": ").append(t.vocabSize()).append(",\n");
    out.append("  \"special_tokens\": ");
    Json.write(t.specialTokens(), out);
    out.append(",\n  \"tokens\": {");
    byte[][] tokens = t.tokens();
    boolean first = true;
    for (int id = 0; id < tokens.length; id++) {
      if (tokens[id] == null) continue;
      out.append(first ? "\n" : ",\n").append("    \"").append(id).append("\": ");
      Json.writeString(ByteLevel.encode(tokens[id]), out);
      first = false;
    }
    out.append("\n  }");
    if (t.rule() == Rule.MERGES) {
      out.append(",\n  \"merges\": [");
      int[] m = t.merges();
      for (int i = 0; i < m.length; i += 3) {
        out.append(i == 0 ? "\n" : ",\n").append("    [").append(m[i]).append(", ").append(m[i + 1]).append(", ")
            .append(m[i + 2]).append(']');
      }
      out.append(m.length == 0 ? "]" : "\n  ]");
    }
    out.append("\n}\n");
    return out.toString();
  }

  /** Reads our file; {@code pattern} (if not null) replaces the one it names. */
  static Tokenizer read(String json, String source, String pattern) {
    Map<String, Object> root;
    try {
      root = Json.parseObject(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage());
    }
    try {
      return fromJson(root, pattern);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage());
    }
  }

  private static Tokenizer fromJson(Map<String, Object> root, String patternOverride) {
    String format = Json.getString(root, "format", null);
    if (format == null && root.containsKey("model")) {
      throw new IllegalArgumentException("this looks like a Hugging Face tokenizer.json, which jgpt does not read; "
          + "use its vocab.json + merges.txt, a .tiktoken file, or a jgpt tokenizer file");
    }
    if (!FORMAT.equals(format)) throw new IllegalArgumentException("not a jgpt tokenizer file (\"format\" should be \"" + FORMAT + "\")");
    long version = Json.getLong(root, "version", -1);
    if (version != VERSION) {
      throw new IllegalArgumentException("tokenizer file version " + version + " is not supported (this jgpt reads version "
          + VERSION + "); use a matching jgpt");
    }
    String pattern = patternOverride != null ? patternOverride : Json.getString(root, "pattern", null);
    if (pattern == null) throw new IllegalArgumentException("missing \"pattern\"");
    String ruleName = Json.getString(root, "rule", "merges");
    Rule rule = switch (ruleName) {
      case "merges" -> Rule.MERGES;
      case "ranks" -> Rule.RANKS;
      default -> throw new IllegalArgumentException("unknown \"rule\" " + ruleName + " (expected merges or ranks)");
    };
    Map<String, Object> tokenMap = Json.getObject(root, "tokens");
    if (tokenMap == null) throw new IllegalArgumentException("missing \"tokens\"");
    int maxId = -1;
    Map<Integer, byte[]> byId = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : tokenMap.entrySet()) {
      int id;
      try {
        id = Integer.parseInt(e.getKey());
      } catch (NumberFormatException nfe) {
        throw new IllegalArgumentException("token key \"" + e.getKey() + "\" is not an id");
      }
      if (id < 0) throw new IllegalArgumentException("token id " + id + " is negative");
      if (!(e.getValue() instanceof String s)) throw new IllegalArgumentException("token " + id + " should be a string");
      byte[] bytes = ByteLevel.decode(s);
      if (bytes == null) throw new IllegalArgumentException("token " + id + " has a character outside GPT-2's byte-level alphabet");
      byId.put(id, bytes);
      maxId = Math.max(maxId, id);
    }
    byte[][] tokens = new byte[maxId + 1][];
    byId.forEach((id, bytes) -> tokens[id] = bytes);

    int[] merges = new int[0];
    if (rule == Rule.MERGES) {
      List<Object> list = Json.getList(root, "merges");
      if (list == null) throw new IllegalArgumentException("missing \"merges\"");
      merges = new int[3 * list.size()];
      for (int i = 0; i < list.size(); i++) {
        if (!(list.get(i) instanceof List<?> triple) || triple.size() != 3) {
          throw new IllegalArgumentException("merge " + i + " should be [left, right, result]");
        }
        for (int k = 0; k < 3; k++) {
          if (!(triple.get(k) instanceof Long v) || v != v.intValue()) {
            throw new IllegalArgumentException("merge " + i + " should hold three token ids");
          }
          merges[3 * i + k] = (int) (long) (Long) triple.get(k);
        }
      }
    }
    Map<String, Integer> specials = new LinkedHashMap<>();
    Map<String, Object> specialMap = Json.getObject(root, "special_tokens");
    if (specialMap != null) {
      for (Map.Entry<String, Object> e : specialMap.entrySet()) {
        if (!(e.getValue() instanceof Long v) || v != v.intValue()) {
          throw new IllegalArgumentException("special token " + e.getKey() + " should have an integer id");
        }
        specials.put(e.getKey(), (int) (long) v);
      }
    }
    Tokenizer t = new Tokenizer(pattern, rule, tokens, merges, specials);
    long declared = Json.getLong(root, "vocab_size", t.vocabSize());
    if (declared != t.vocabSize()) {
      throw new IllegalArgumentException("\"vocab_size\" says " + declared + " but the tokens and special tokens make "
          + t.vocabSize() + "; the file is damaged");
    }
    return t;
  }

  /** SHA-256 over pattern regex, rule, every id's kind and bytes, and the merges. */
  static String canonicalHash(Tokenizer t) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(buffer);
      out.writeUTF(FORMAT + "/" + VERSION);
      byte[] regex = Patterns.regex(t.pattern()).getBytes(StandardCharsets.UTF_8);
      out.writeInt(regex.length);
      out.write(regex);
      out.writeUTF(t.rule().name());
      out.writeInt(t.vocabSize());
      byte[][] tokens = t.tokens();
      for (int id = 0; id < t.vocabSize(); id++) {
        boolean ordinary = id < tokens.length && tokens[id] != null;
        out.writeByte(ordinary ? 1 : t.isValidId(id) ? 2 : 0); // 1 token, 2 special, 0 unused
        if (ordinary || t.isValidId(id)) {
          byte[] b = t.tokenBytes(id);
          out.writeInt(b.length);
          out.write(b);
        }
        if (buffer.size() > 1 << 16) {
          sha.update(buffer.toByteArray());
          buffer.reset();
        }
      }
      for (int v : t.merges()) out.writeInt(v);
      out.flush();
      sha.update(buffer.toByteArray());
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash the tokenizer", e);
    }
  }
}

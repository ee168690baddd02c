package dev.jgpt.tokenizer;

import dev.jgpt.common.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Recognises which kind of tokenizer a path holds and reads it. */
final class TokenizerFiles {
  private TokenizerFiles() {}

  static Tokenizer load(Path path, String pattern) throws IOException {
    if (!Files.exists(path)) throw new NoSuchFileException(path.toString());
    Path name = path.getFileName();
    if (!Files.isDirectory(path) && name != null
        && (name.toString().equals("vocab.json") || name.toString().equals("merges.txt"))) {
      Path parent = path.toAbsolutePath().getParent();
      if (Files.exists(parent.resolve("vocab.json")) && Files.exists(parent.resolve("merges.txt"))) {
        return loadVocabFolder(parent, pattern);
      }
    }
    if (Files.isDirectory(path) && !Files.exists(path.resolve("vocab.json")) && Files.isRegularFile(path.resolve("tokenizer.json"))) {
      return load(path.resolve("tokenizer.json"), pattern); // a Hugging Face folder with the one-file tokenizer only
    }
    if (Files.isDirectory(path)) return loadVocabFolder(path, pattern);
    byte[] bytes = Files.readAllBytes(path);
    int first = 0;
    if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) first = 3; // BOM
    while (first < bytes.length && (bytes[first] == ' ' || bytes[first] == '\n' || bytes[first] == '\r' || bytes[first] == '\t')) first++;
    if (first == bytes.length) throw new IllegalArgumentException(path + ": the file is empty; expected a tokenizer");
    if (bytes[first] == '{') {
      String text = JsonFiles.decode(bytes, path);
      if (looksLikeHuggingFace(text)) {
        return HfTokenizerJson.read(dev.jgpt.common.Json.parseObject(text), path.toString(), pattern);
      }
      return TokenizerFile.read(text, path.toString(), pattern);
    }
    if (looksLikeRankFile(bytes, first)) return TiktokenFile.read(bytes, path.toString(), pattern);
    throw new IllegalArgumentException(path + " is not a tokenizer: expected a jgpt tokenizer file (JSON), a .tiktoken "
        + "rank file, or a folder with vocab.json and merges.txt");
  }

  /**
   * Hugging Face's tokenizer.json rather than jgpt's own file: ours names its format in its first
   * key, theirs has a "model" object. Decided on the text so our file is parsed once, as before.
   */
  private static boolean looksLikeHuggingFace(String text) {
    String head = text.substring(0, Math.min(text.length(), 200));
    return !head.contains("\"jgpt-tokenizer\"") && text.contains("\"model\"")
        && HfTokenizerJson.looksLikeOne(dev.jgpt.common.Json.parseObject(text));
  }

  /** First line "base64 digits". */
  private static boolean looksLikeRankFile(byte[] b, int i) {
    int start = i;
    while (i < b.length && (Character.isLetterOrDigit(b[i]) || b[i] == '+' || b[i] == '/' || b[i] == '=')) i++;
    if (i == start || i >= b.length || b[i] != ' ') return false;
    int digits = ++i;
    while (i < b.length && b[i] >= '0' && b[i] <= '9') i++;
    return i > digits && (i == b.length || b[i] == '\n' || b[i] == '\r');
  }

  private static Tokenizer loadVocabFolder(Path dir, String pattern) throws IOException {
    Path vocab = dir.resolve("vocab.json");
    Path merges = dir.resolve("merges.txt");
    if (!Files.isRegularFile(vocab) || !Files.isRegularFile(merges)) {
      throw new IllegalArgumentException(dir + " is a folder without vocab.json and merges.txt; give a jgpt tokenizer file, "
          + "a .tiktoken file, or a folder holding both");
    }
    return Gpt2VocabFiles.read(JsonFiles.decode(Files.readAllBytes(vocab), vocab), JsonFiles.decode(Files.readAllBytes(merges), merges),
        dir.toString(), pattern);
  }
}

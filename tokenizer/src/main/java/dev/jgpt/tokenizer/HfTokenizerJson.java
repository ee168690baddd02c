package dev.jgpt.tokenizer;

import dev.jgpt.common.AtomicFile;
import dev.jgpt.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code tokenizer.json} for a byte-level BPE (GPT-2's kind): the vocabulary and
 * merges under {@code model}, special tokens under {@code added_tokens}, ByteLevel pre-tokenizer
 * and decoder. The same content as vocab.json + merges.txt in one file; merges are either
 * "left right" strings or [left, right] pairs (newer versions of the tokenizers library).
 */
final class HfTokenizerJson {
  private HfTokenizerJson() {}

  /** Whether a parsed JSON object is a Hugging Face tokenizer file (not jgpt's own format). */
  static boolean looksLikeOne(Map<String, Object> json) {
    return json.get("model") instanceof Map<?, ?> && !json.containsKey("format");
  }

  static Tokenizer read(Map<String, Object> json, String source, String pattern) {
    @SuppressWarnings("unchecked")
    Map<String, Object> model = (Map<String, Object>) json.get("model");
    if (!"BPE".equals(model.get("type"))) {
      throw new IllegalArgumentException(source + ": this Hugging Face tokenizer has model type " + model.get("type")
          + ", which jgpt does not read; it reads byte-level BPE tokenizers (GPT-2's kind)");
    }
    if (json.get("pre_tokenizer") instanceof Map<?, ?> pre && !"ByteLevel".equals(pre.get("type"))) {
      throw new IllegalArgumentException(source + ": this Hugging Face tokenizer's pre_tokenizer " + pre.get("type")
          + " is not byte-level; jgpt reads byte-level BPE tokenizers (GPT-2's kind)");
    }
    if (!(model.get("vocab") instanceof Map<?, ?> vocabObject) || !(model.get("merges") instanceof List<?> mergeList)) {
      throw new IllegalArgumentException(source + ": model.vocab or model.merges is missing");
    }
    Map<String, Object> vocab = new LinkedHashMap<>();
    vocabObject.forEach((k, v) -> vocab.put(String.valueOf(k), v));
    if (json.get("added_tokens") instanceof List<?> added) {
      for (Object a : added) {
        if (a instanceof Map<?, ?> t && t.get("content") instanceof String text && t.get("id") instanceof Long id) {
          vocab.putIfAbsent(text, id);
        }
      }
    }
    List<String> lines = new ArrayList<>();
    for (Object m : mergeList) {
      if (m instanceof String line) lines.add(line);
      else if (m instanceof List<?> pair && pair.size() == 2) lines.add(pair.get(0) + " " + pair.get(1));
      else throw new IllegalArgumentException(source + ": a merge should be \"left right\" or [left, right], got " + m);
    }
    return Gpt2VocabFiles.read(vocab, lines, source + " (model.vocab)", source + " (model.merges)", pattern);
  }

  /** Writes {@code t} as a tokenizer.json that transformers' PreTrainedTokenizerFast loads. */
  static void write(Tokenizer t, Path file) throws IOException {
    String[] texts = t.gpt2TokenTexts();
    Map<String, Object> vocab = new LinkedHashMap<>();
    List<Object> added = new ArrayList<>();
    for (int id = 0; id < texts.length; id++) {
      if (texts[id] == null) continue;
      vocab.put(texts[id], id);
      if (t.isSpecial(id)) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("id", id);
        a.put("content", texts[id]);
        a.put("single_word", false);
        a.put("lstrip", false);
        a.put("rstrip", false);
        a.put("normalized", true);
        a.put("special", true);
        added.add(a);
      }
    }
    Map<String, Object> byteLevel = new LinkedHashMap<>();
    byteLevel.put("type", "ByteLevel");
    byteLevel.put("add_prefix_space", false);
    byteLevel.put("trim_offsets", true);
    byteLevel.put("use_regex", true);
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("type", "BPE");
    model.put("dropout", null);
    model.put("unk_token", null);
    model.put("continuing_subword_prefix", "");
    model.put("end_of_word_suffix", "");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("vocab", vocab);
    model.put("merges", t.gpt2Merges());
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("version", "1.0");
    json.put("truncation", null);
    json.put("padding", null);
    json.put("added_tokens", added);
    json.put("normalizer", null);
    json.put("pre_tokenizer", byteLevel);
    json.put("post_processor", byteLevel);
    json.put("decoder", byteLevel);
    json.put("model", model);
    AtomicFile.write(file, (Json.write(json) + "\n").getBytes(StandardCharsets.UTF_8));
  }
}

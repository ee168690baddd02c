package dev.jgpt.transformer.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.ReferenceBackend;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.common.Json;
import dev.jgpt.transformer.Gpt;
import dev.jgpt.transformer.GptConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny GPT-2 in Hugging Face's exact layout (transformer/scripts/make_hf_gpt2_fixture.py: F16
 * Conv1D weights without the "transformer." prefix, attention mask buffers, the real 50257-token
 * vocabulary) loads with the logits of an independent PyTorch implementation of GPT-2.
 */
class HfGpt2Test {
  @TempDir Path tmp;
  private static Path vocab;

  /** GPT-2's vocab.json and merges.txt, written once per JVM from the r50k ranks JTokkit ships. */
  static synchronized Path gpt2Vocab() throws IOException {
    if (vocab != null) return vocab;
    Path dir = Files.createTempDirectory("jgpt-gpt2-vocab");
    try (InputStream in = com.knuddels.jtokkit.Encodings.class.getResourceAsStream("/com/knuddels/jtokkit/r50k_base.tiktoken")) {
      Path ranks = dir.resolve("r50k_base.tiktoken");
      Files.copy(in, ranks);
      Tokenizer.load(ranks, "gpt2").saveGpt2Vocab(dir);
      Files.delete(ranks);
    }
    for (String f : List.of("vocab.json", "merges.txt")) dir.resolve(f).toFile().deleteOnExit();
    dir.toFile().deleteOnExit();
    return vocab = dir;
  }

  /** The fixture folder as a user downloads it: the committed files plus GPT-2's vocab.json and merges.txt. */
  static Path fixture(Path dir) throws IOException {
    for (String f : List.of("config.json", "model.safetensors")) {
      try (InputStream in = HfGpt2Test.class.getResourceAsStream("/hf-gpt2-tiny/" + f)) {
        Files.copy(in, dir.resolve(f));
      }
    }
    for (String f : List.of("vocab.json", "merges.txt")) Files.copy(gpt2Vocab().resolve(f), dir.resolve(f));
    return dir;
  }

  @Test
  void logitsMatchPyTorchsGpt2() throws IOException {
    Path dir = fixture(tmp);
    assertTrue(HfGpt2.isHfFolder(dir));
    GptConfig cfg = HfGpt2.readConfig(dir);
    assertEquals(50257, cfg.vocabSize());
    assertEquals(16, cfg.blockSize());
    Map<String, Object> expected = Json.parseObject(
        new String(HfGpt2Test.class.getResourceAsStream("/hf-gpt2-tiny/expected.json").readAllBytes(), StandardCharsets.UTF_8));
    int[] input = ints(Json.getList(expected, "input_ids"));
    int[] probes = ints(Json.getList(expected, "ids"));
    List<Object> rows = Json.getList(expected, "logits");
    List<Object> lse = Json.getList(expected, "logsumexp");
    List<Object> argmax = Json.getList(expected, "argmax");
    int T = input.length, V = cfg.vocabSize();
    float[] logits;
    try (var backend = new ReferenceBackend(); Gpt gpt = new Gpt(cfg, backend, 1, T)) {
      gpt.writeParams(HfGpt2.readWeights(dir, cfg));
      logits = gpt.logits(input);
    }
    for (int t = 0; t < T; t++) {
      List<?> row = (List<?>) rows.get(t);
      for (int k = 0; k < probes.length; k++) {
        double want = ((Number) row.get(k)).doubleValue(), got = logits[t * V + probes[k]];
        assertEquals(want, got, 1e-4 * Math.max(1, Math.abs(want)), "logit of token " + probes[k] + " at position " + t);
      }
      double max = Double.NEGATIVE_INFINITY, sum = 0;
      int best = -1;
      for (int v = 0; v < V; v++) if (logits[t * V + v] > max) { max = logits[t * V + v]; best = v; }
      for (int v = 0; v < V; v++) sum += Math.exp(logits[t * V + v] - max);
      double want = ((Number) lse.get(t)).doubleValue();
      assertEquals(want, max + Math.log(sum), 1e-4 * Math.max(1, Math.abs(want)), "log-sum-exp at position " + t);
      assertEquals(((Number) argmax.get(t)).intValue(), best, "argmax at position " + t);
    }
  }

  @Test
  void theWholeFolderLoadsWithGpt2sTokenizer() throws IOException {
    HfGpt2.Model m = HfGpt2.load(fixture(tmp));
    assertEquals(m.config().parameterCount(), m.params().length);
    assertArrayEquals(new int[] {464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13},
        m.tokenizer().encode("The quick brown fox jumps over the lazy dog."));
  }

  @Test
  void aFolderWithOnlyTokenizerJsonLoadsTheSameTokenizer() throws IOException {
    Path dir = fixture(tmp);
    Tokenizer pair = Tokenizer.load(dir);
    pair.saveHfTokenizerJson(dir.resolve("tokenizer.json"));
    Files.delete(dir.resolve("vocab.json"));
    Files.delete(dir.resolve("merges.txt"));
    assertEquals(pair.hash(), HfGpt2.readTokenizer(dir, HfGpt2.readConfig(dir)).hash());
  }

  @Test
  void weightsStreamedIntoTheBackendGiveTheSameModelAsAHostCopy() throws IOException {
    Path dir = fixture(tmp);
    GptConfig cfg = HfGpt2.readConfig(dir);
    int[] context = {464, 2068, 7586};
    try (var a = new ReferenceBackend(); var b = new ReferenceBackend();
        var copied = dev.jgpt.transformer.KvCacheModel.withWeights(cfg, a, HfGpt2.readWeights(dir, cfg));
        var streamed = dev.jgpt.transformer.KvCacheModel.withWeights(cfg, b, sink -> HfGpt2.readWeights(dir, cfg, sink))) {
      assertArrayEquals(copied.nextLogits(context, 3), streamed.nextLogits(context, 3));
    }
    assertTrue(dev.jgpt.transformer.KvCacheModel.memory(cfg, new ReferenceBackend(), HfGpt2.floatsHeldWhileReading(cfg))
        .totalBytes()
        < dev.jgpt.transformer.KvCacheModel.memory(cfg, new ReferenceBackend()).totalBytes(), "no second copy of the weights");
  }

  @Test
  void conv1dWeightsAreTransposedIntoJgptsLayout() {
    float[] inOut = {1, 2, 3, 4, 5, 6}; // (in=2, out=3)
    float[] outIn = new float[7];
    HfGpt2.transpose(inOut, 0, 2, 3, outIn, 1);
    assertArrayEquals(new float[] {0, 1, 4, 2, 5, 3, 6}, outIn);
    assertTrue(HfGpt2.isConv1d("h.11.mlp.c_fc.weight"));
    assertFalse(HfGpt2.isConv1d("h.0.mlp.c_fc.bias"));
    assertFalse(HfGpt2.isConv1d("h.0.ln_1.weight"));
  }

  @Test
  void namesWithTheTransformerPrefixAndBf16TensorsLoadToo() throws IOException {
    Path plain = fixture(Files.createDirectories(tmp.resolve("plain")));
    Path other = Files.createDirectories(tmp.resolve("prefixed"));
    for (String f : List.of("config.json", "vocab.json", "merges.txt")) Files.copy(plain.resolve(f), other.resolve(f));
    rewrite(plain.resolve("model.safetensors"), other.resolve("model.safetensors"), true);
    GptConfig cfg = HfGpt2.readConfig(plain);
    float[] a = HfGpt2.readWeights(plain, cfg), b = HfGpt2.readWeights(other, cfg);
    assertEquals(a.length, b.length);
    for (int i = 0; i < a.length; i++) {
      // the BF16 file holds each F16 value cut to its top 16 bits; loading widens it exactly
      assertEquals(Float.intBitsToFloat(Float.floatToIntBits(a[i]) & 0xFFFF0000), b[i], "parameter " + i);
    }
  }

  @Test
  void badFoldersGetOneLineNamingTheProblem() throws IOException {
    Path dir = fixture(tmp);
    String config = Files.readString(dir.resolve("config.json"));

    Files.writeString(dir.resolve("config.json"), config.replace("\"gpt2\"", "\"llama\""));
    assertMessage(dir, "model_type llama is not supported");

    Files.writeString(dir.resolve("config.json"), config.replace("\"n_embd\": 8,", ""));
    assertMessage(dir, "the key n_embd is missing");

    Files.writeString(dir.resolve("config.json"), config.replace("\"n_embd\": 8", "\"n_embd\": 16"));
    assertMessage(dir, "tensor wte.weight has shape [50257, 8] but config.json implies [50257, 16]");

    Files.writeString(dir.resolve("config.json"), config);
    byte[] st = Files.readAllBytes(dir.resolve("model.safetensors"));
    Files.write(dir.resolve("model.safetensors"), java.util.Arrays.copyOf(st, st.length - 100));
    assertMessage(dir, "truncated");
    Files.write(dir.resolve("model.safetensors"), java.util.Arrays.copyOf(st, 20));
    assertMessage(dir, "model.safetensors is not a valid safetensors file");

    Files.write(dir.resolve("model.safetensors"), new String(st, StandardCharsets.ISO_8859_1)
        .replaceFirst("\"F16\"", "\"F8X\"").getBytes(StandardCharsets.ISO_8859_1));
    assertMessage(dir, "has dtype F8X");

    Files.delete(dir.resolve("model.safetensors"));
    Files.writeString(dir.resolve("pytorch_model.bin"), "pickle");
    assertMessage(dir, "download model.safetensors");
  }

  @Test
  void aTiedLmHeadIsSkippedAndATensorGpt2DoesNotHaveIsOneLine() throws IOException {
    Path plain = fixture(Files.createDirectories(tmp.resolve("plain")));
    GptConfig cfg = HfGpt2.readConfig(plain);
    float[] want = HfGpt2.readWeights(plain, cfg);

    // GPT2LMHeadModel's own files may carry lm_head.weight beside wte.weight: the same matrix (tied)
    Path withHead = copyWithExtraTensor(plain, tmp.resolve("lm-head"), "lm_head.weight", "wte.weight");
    assertArrayEquals(want, HfGpt2.readWeights(withHead, cfg));

    Path wrongHead = copyWithExtraTensor(plain, tmp.resolve("wrong-head"), "lm_head.weight", "wpe.weight");
    assertMessage(wrongHead, "tensor lm_head.weight has shape [16, 8] but config.json implies [50257, 8]");

    Path stranger = copyWithExtraTensor(plain, tmp.resolve("stranger"), "h.0.attn.rotary.weight", "h.0.ln_1.weight");
    assertMessage(stranger, "tensor h.0.attn.rotary.weight is not part of GPT-2");
  }

  /** A copy of the folder {@code from} whose model.safetensors also holds tensor {@code name}: a copy of {@code source}. */
  private static Path copyWithExtraTensor(Path from, Path to, String name, String source) throws IOException {
    Files.createDirectories(to);
    for (String f : List.of("config.json", "vocab.json", "merges.txt")) Files.copy(from.resolve(f), to.resolve(f));
    byte[] all = Files.readAllBytes(from.resolve("model.safetensors"));
    int headerLen = (int) ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    Map<String, Object> header = new java.util.LinkedHashMap<>(
        Json.parseObject(new String(all, 8, headerLen, StandardCharsets.UTF_8)));
    byte[] data = java.util.Arrays.copyOfRange(all, 8 + headerLen, all.length);
    @SuppressWarnings("unchecked")
    Map<String, Object> copied = new java.util.LinkedHashMap<>((Map<String, Object>) header.get(source));
    List<?> offsets = (List<?>) copied.get("data_offsets");
    int begin = ((Number) offsets.get(0)).intValue(), end = ((Number) offsets.get(1)).intValue();
    copied.put("data_offsets", List.of((long) data.length, (long) data.length + end - begin));
    header.put(name, copied);
    byte[] h = Json.write(header).getBytes(StandardCharsets.UTF_8);
    ByteBuffer file = ByteBuffer.allocate(8 + h.length + data.length + end - begin).order(ByteOrder.LITTLE_ENDIAN);
    file.putLong(h.length).put(h).put(data).put(data, begin, end - begin);
    Files.write(to.resolve("model.safetensors"), file.array());
    return to;
  }

  private static void assertMessage(Path dir, String part) {
    IOException e = assertThrows(IOException.class, () -> HfGpt2.load(dir));
    assertTrue(e.getMessage().contains(part), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  /** Copies a safetensors file, renaming tensors to "transformer." + name and F16 to BF16. */
  private static void rewrite(Path from, Path to, boolean bf16) throws IOException {
    byte[] all = Files.readAllBytes(from);
    ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int headerLen = (int) bb.getLong(0);
    Map<String, Object> header = Json.parseObject(new String(all, 8, headerLen, StandardCharsets.UTF_8));
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    for (var e : header.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        out.put(e.getKey(), e.getValue());
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> t = new java.util.LinkedHashMap<>((Map<String, Object>) e.getValue());
      if (bf16) t.put("dtype", "BF16");
      out.put("transformer." + e.getKey(), t);
    }
    byte[] data = java.util.Arrays.copyOfRange(all, 8 + headerLen, all.length);
    if (bf16) {
      ByteBuffer d = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i + 1 < data.length; i += 2) {
        float f = Float.float16ToFloat(d.getShort(i));
        d.putShort(i, (short) (Float.floatToIntBits(f) >>> 16)); // truncation: BF16 is the top half
      }
    }
    byte[] h = Json.write(out).getBytes(StandardCharsets.UTF_8);
    ByteBuffer file = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    file.putLong(h.length).put(h).put(data);
    Files.write(to, file.array());
  }

  private static int[] ints(List<Object> list) {
    return list.stream().mapToInt(o -> ((Number) o).intValue()).toArray();
  }
}

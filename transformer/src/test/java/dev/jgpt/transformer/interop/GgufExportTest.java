package dev.jgpt.transformer.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.tokenizer.BpeTrainer;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.ParameterLayout;
import dev.jgpt.transformer.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model written as GGUF reads back (with jgpt's own reader) with llama.cpp's gpt2 metadata,
 * tensor names, shapes and types, and the same numbers: F32 bit for bit, F16 as the nearest
 * half-precision values.
 */
class GgufExportTest {
  @TempDir Path tmp;

  private static final String TEXT = "the quick brown fox jumps over the lazy dog. It's 2024, isn't it? "
      + "Numbers 12345 and  double  spaces\n\nnew lines, ünïcödé and 日本語 too. ";

  static Tokenizer trainedBpe() {
    return BpeTrainer.train(TEXT.repeat(20), 300, "gpt2", List.of(Tokenizer.END_OF_TEXT), 1, null);
  }

  /** Random parameters (not an init: biases and norms non-trivial) for {@code cfg}'s layout. */
  static float[] randomParams(GptConfig cfg, long seed) {
    ParameterLayout layout = new ParameterLayout(cfg);
    float[] p = new float[layout.totalCount()];
    Random rnd = new Random(seed);
    for (int i = 0; i < p.length; i++) p[i] = (float) rnd.nextGaussian() * 0.5f;
    TensorSpec wte = layout.get("wte");
    Arrays.fill(p, wte.offset() + cfg.vocabSize() * cfg.nEmbd(), wte.end(), 0f); // padded rows are zero in jgpt
    return p;
  }

  @Test
  void bytesOnlyModelReadsBackExactlyInF32() throws IOException {
    Tokenizer tok = Tokenizer.bytesOnly();
    GptConfig cfg = GptConfig.of(tok.vocabSize(), 16, 2, 2, 8, true, 0f);
    float[] params = randomParams(cfg, 1);
    Path file = tmp.resolve("bytes.gguf");
    GgufExport.write(file, cfg, tok, params, false);

    GgufFile g = GgufFile.read(file);
    assertEquals(3, g.version());
    assertHyperparameters(g, cfg, 0);
    assertTokenizer(g, tok);
    assertEquals(List.of(), g.get("tokenizer.ggml.merges"));
    assertTensors(g, cfg, params, false);
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
    }
  }

  @Test
  void f16KeepsNormsBiasesAndPositionsInF32AndRoundsTheRest() throws IOException {
    Tokenizer tok = Tokenizer.bytesOnly();
    GptConfig cfg = GptConfig.of(tok.vocabSize(), 16, 2, 2, 8, true, 0f);
    float[] params = randomParams(cfg, 2);
    Path file = tmp.resolve("bytes-f16.gguf");
    GgufExport.write(file, cfg, tok, params, true);

    GgufFile g = GgufFile.read(file);
    assertHyperparameters(g, cfg, 1);
    assertEquals(GgmlType.F16, g.tensor("token_embd.weight").type());
    assertEquals(GgmlType.F16, g.tensor("blk.1.attn_qkv.weight").type());
    assertEquals(GgmlType.F16, g.tensor("blk.0.ffn_down.weight").type());
    assertEquals(GgmlType.F32, g.tensor("position_embd.weight").type());
    assertEquals(GgmlType.F32, g.tensor("blk.0.attn_norm.weight").type());
    assertEquals(GgmlType.F32, g.tensor("blk.0.attn_qkv.bias").type());
    assertEquals(GgmlType.F32, g.tensor("output_norm.bias").type());
    assertTensors(g, cfg, params, true);
    assertTrue(Files.size(file) < Files.size(writeF32(cfg, tok, params)), "F16 is smaller");
  }

  private Path writeF32(GptConfig cfg, Tokenizer tok, float[] params) throws IOException {
    Path f = tmp.resolve("f32.gguf");
    GgufExport.write(f, cfg, tok, params, false);
    return f;
  }

  @Test
  void trainedBpeModelWithoutBiasesGetsMergesAndZeroBiases() throws IOException {
    Tokenizer tok = trainedBpe();
    GptConfig cfg = GptConfig.of(tok.vocabSize(), 32, 3, 4, 16, false, 0f);
    float[] params = randomParams(cfg, 3);
    for (boolean f16 : new boolean[] {false, true}) {
      Path file = tmp.resolve("bpe-" + f16 + ".gguf");
      GgufExport.write(file, cfg, tok, params, f16);
      GgufFile g = GgufFile.read(file);
      assertHyperparameters(g, cfg, f16 ? 1 : 0);
      assertTokenizer(g, tok);
      assertEquals(tok.gpt2Merges(), g.get("tokenizer.ggml.merges"));
      assertFalse(tok.gpt2Merges().isEmpty());
      assertTrue(tok.gpt2Merges().getFirst().matches("\\S+ \\S+"), "merges are \"left right\"");
      assertTensors(g, cfg, params, f16);
      for (String bias : List.of("blk.2.attn_norm.bias", "blk.0.attn_qkv.bias", "blk.1.ffn_up.bias", "output_norm.bias")) {
        float[] zeros = g.readTensor(bias);
        assertTrue(zeros.length > 0);
        for (float z : zeros) assertEquals(0f, z, bias + " is a zero bias");
      }
    }
  }

  @Test
  void tokensAreSpelledInGpt2sByteLevelAlphabet() throws IOException {
    Tokenizer tok = Tokenizer.bytesOnly();
    GptConfig cfg = GptConfig.of(tok.vocabSize(), 8, 1, 1, 4, true, 0f);
    Path file = tmp.resolve("alphabet.gguf");
    GgufExport.write(file, cfg, tok, randomParams(cfg, 4), false);
    List<?> tokens = (List<?>) GgufFile.read(file).get("tokenizer.ggml.tokens");
    assertEquals("A", tokens.get('A'));
    assertEquals("Ġ", tokens.get(' ')); // byte 0x20
    assertEquals("Ċ", tokens.get('\n')); // byte 0x0A
    assertEquals(Tokenizer.END_OF_TEXT, tokens.get(256));
  }

  @Test
  void aTokenizerGpt2CannotSplitLikeIsAOneLineError() {
    Tokenizer cl100k = BpeTrainer.train(TEXT.repeat(5), 280, "cl100k", List.of(Tokenizer.END_OF_TEXT), 1, null);
    String reason = GgufExport.unsupportedReason(cl100k);
    assertTrue(reason.contains("cl100k"), reason);
    assertNull(GgufExport.unsupportedReason(trainedBpe()));
    GptConfig cfg = GptConfig.of(cl100k.vocabSize(), 8, 1, 1, 4, true, 0f);
    var e = assertThrows(IllegalArgumentException.class,
        () -> GgufExport.write(tmp.resolve("x.gguf"), cfg, cl100k, randomParams(cfg, 5), false));
    assertEquals("cannot export as GGUF: " + reason, e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    assertFalse(Files.exists(tmp.resolve("x.gguf")));
  }

  @Test
  void aVocabularyOfAnotherSizeIsRejected() {
    Tokenizer tok = Tokenizer.bytesOnly();
    GptConfig cfg = GptConfig.of(300, 8, 1, 1, 4, true, 0f);
    var e = assertThrows(IllegalArgumentException.class,
        () -> GgufExport.write(tmp.resolve("x.gguf"), cfg, tok, randomParams(cfg, 6), false));
    assertTrue(e.getMessage().contains("257 tokens"), e.getMessage());
  }

  @Test
  void namesFollowLlamaCppsGpt2() {
    assertEquals("token_embd.weight", GgufExport.ggufName("wte"));
    assertEquals("position_embd.weight", GgufExport.ggufName("wpe"));
    assertEquals("blk.0.attn_norm.bias", GgufExport.ggufName("h.0.ln_1.bias"));
    assertEquals("blk.11.attn_qkv.weight", GgufExport.ggufName("h.11.attn.c_attn.weight"));
    assertEquals("blk.3.attn_output.bias", GgufExport.ggufName("h.3.attn.c_proj.bias"));
    assertEquals("blk.3.ffn_norm.weight", GgufExport.ggufName("h.3.ln_2.weight"));
    assertEquals("blk.3.ffn_up.weight", GgufExport.ggufName("h.3.mlp.c_fc.weight"));
    assertEquals("blk.3.ffn_down.weight", GgufExport.ggufName("h.3.mlp.c_proj.weight"));
    assertEquals("output_norm.weight", GgufExport.ggufName("ln_f.weight"));
  }

  // ------------------------------------------------------------------ checks

  private static void assertHyperparameters(GgufFile g, GptConfig cfg, int fileType) {
    assertEquals("gpt2", g.get("general.architecture"));
    assertEquals((long) fileType, g.get("general.file_type"));
    assertEquals((long) cfg.blockSize(), g.get("gpt2.context_length"));
    assertEquals((long) cfg.nEmbd(), g.get("gpt2.embedding_length"));
    assertEquals(4L * cfg.nEmbd(), g.get("gpt2.feed_forward_length"));
    assertEquals((long) cfg.nLayer(), g.get("gpt2.block_count"));
    assertEquals((long) cfg.nHead(), g.get("gpt2.attention.head_count"));
    assertEquals(1e-5f, g.get("gpt2.attention.layer_norm_epsilon"));
    // llama.cpp checks the declared types: sizes are UINT32, the epsilon FLOAT32
    for (String k : List.of("general.file_type", "gpt2.context_length", "gpt2.embedding_length", "gpt2.feed_forward_length",
        "gpt2.block_count", "gpt2.attention.head_count")) {
      assertEquals(GgufValueType.UINT32, g.type(k), k);
    }
    assertEquals(GgufValueType.FLOAT32, g.type("gpt2.attention.layer_norm_epsilon"));
  }

  private static void assertTokenizer(GgufFile g, Tokenizer tok) {
    assertEquals("gpt2", g.get("tokenizer.ggml.model"));
    assertEquals("gpt-2", g.get("tokenizer.ggml.pre"));
    assertEquals(Arrays.asList(tok.gpt2TokenTexts()), g.get("tokenizer.ggml.tokens"));
    assertEquals(GgufValueType.STRING, g.arrayType("tokenizer.ggml.tokens"));
    assertEquals(GgufValueType.INT32, g.arrayType("tokenizer.ggml.token_type"));
    assertEquals(GgufValueType.STRING, g.arrayType("tokenizer.ggml.merges"));
    List<Long> types = new ArrayList<>();
    for (int id = 0; id < tok.vocabSize(); id++) types.add(tok.isSpecial(id) ? 3L : 1L); // CONTROL, NORMAL
    assertEquals(types, g.get("tokenizer.ggml.token_type"));
    assertEquals((long) tok.eotId(), g.get("tokenizer.ggml.bos_token_id"));
    assertEquals((long) tok.eotId(), g.get("tokenizer.ggml.eos_token_id"));
    assertEquals(false, g.get("tokenizer.ggml.add_bos_token"));
  }

  /** Every tensor llama.cpp's gpt2 loader asks for, with its ggml dims and jgpt's values (zeros for absent biases). */
  private static void assertTensors(GgufFile g, GptConfig cfg, float[] params, boolean f16) throws IOException {
    ParameterLayout layout = new ParameterLayout(cfg);
    int C = cfg.nEmbd(), V = cfg.vocabSize();
    List<String> expectedNames = new ArrayList<>(List.of("token_embd.weight", "position_embd.weight"));
    for (int l = 0; l < cfg.nLayer(); l++) {
      for (String p : List.of("attn_norm", "attn_qkv", "attn_output", "ffn_norm", "ffn_up", "ffn_down")) {
        expectedNames.add("blk." + l + "." + p + ".weight");
        expectedNames.add("blk." + l + "." + p + ".bias");
      }
    }
    expectedNames.addAll(List.of("output_norm.weight", "output_norm.bias"));
    assertEquals(expectedNames, g.tensors().stream().map(GgufFile.TensorInfo::name).toList());
    assertNull(g.tensor("output.weight"), "the head is token_embd, as llama.cpp's gpt2 loader falls back to");

    assertArrayEquals(new long[] {C, V}, g.tensor("token_embd.weight").dims());
    assertArrayEquals(new long[] {C, cfg.blockSize()}, g.tensor("position_embd.weight").dims());
    assertArrayEquals(new long[] {C, 3L * C}, g.tensor("blk.0.attn_qkv.weight").dims());
    assertArrayEquals(new long[] {3L * C}, g.tensor("blk.0.attn_qkv.bias").dims());
    assertArrayEquals(new long[] {C, C}, g.tensor("blk.0.attn_output.weight").dims());
    assertArrayEquals(new long[] {C, 4L * C}, g.tensor("blk.0.ffn_up.weight").dims());
    assertArrayEquals(new long[] {4L * C, C}, g.tensor("blk.0.ffn_down.weight").dims());
    assertArrayEquals(new long[] {C}, g.tensor("output_norm.weight").dims());

    for (TensorSpec t : layout.tensors()) {
      String name = GgufExport.ggufName(t.name());
      int count = t.name().equals("wte") ? V * C : t.size();
      float[] expected = Arrays.copyOfRange(params, t.offset(), t.offset() + count);
      if (g.tensor(name).type() == GgmlType.F16) {
        assertTrue(f16, name + " is F16 only when asked");
        for (int i = 0; i < count; i++) expected[i] = Float.float16ToFloat(Float.floatToFloat16(expected[i]));
      }
      assertArrayEquals(expected, g.readTensor(name), name);
    }
  }
}

package dev.jgpt.transformer.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.ReferenceBackend;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.common.Json;
import dev.jgpt.transformer.Gpt;
import dev.jgpt.transformer.GptConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model written as a Hugging Face GPT-2 folder reads back bit for bit, and gives the logits
 * that the fixture script's own GPT-2 loader (make_hf_gpt2_fixture.py --check) computed from the
 * same export: hf-gpt2-export/expected.json.
 */
class HfGpt2ExportTest {
  @TempDir Path tmp;

  @Test
  void importExportImportIsBitExact() throws IOException {
    Path hf = HfGpt2Test.fixture(Files.createDirectories(tmp.resolve("hf")));
    HfGpt2.Model m = HfGpt2.load(hf);
    Path out = tmp.resolve("export");
    HfGpt2Export.write(out, m.config(), m.tokenizer(), m.params());
    HfGpt2.Model back = HfGpt2.load(out);
    assertEquals(m.config(), back.config());
    assertArrayEquals(m.params(), back.params());
    assertEquals(m.tokenizer().hash(), back.tokenizer().hash());
    assertTrue(Files.exists(out.resolve("generation_config.json")));
  }

  /** A 2-layer model without biases on the bytes-only vocabulary, trained 3 steps on the reference backend. */
  static Gpt trainedModel(ReferenceBackend backend) {
    GptConfig cfg = GptConfig.of(Tokenizer.bytesOnly().vocabSize(), 16, 2, 2, 16, false, 0f);
    Gpt gpt = new Gpt(cfg, backend, 2, 8);
    gpt.initWeights(7);
    Random rnd = new Random(3);
    for (int step = 1; step <= 3; step++) {
      int[] x = new int[16], y = new int[16];
      for (int i = 0; i < 16; i++) {
        x[i] = rnd.nextInt(256);
        y[i] = rnd.nextInt(256);
      }
      gpt.zeroGrads();
      gpt.forwardBackward(x, y, 1f / 16, step);
      gpt.optimizerStep(1e-2f, step, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
    }
    return gpt;
  }

  @Test
  void anExportedRunGivesTheLogitsOfAnIndependentGpt2Loader() throws IOException {
    Path out = tmp.resolve("run-hf");
    float[] ours;
    int[] input = "Hello, GPT-2!".chars().toArray();
    try (var backend = new ReferenceBackend(); Gpt trained = trainedModel(backend);
        Gpt gpt = new Gpt(trained.config(), backend, 1, 16)) {
      HfGpt2Export.write(out, trained.config(), Tokenizer.bytesOnly(), trained.readParams());
      gpt.writeParams(trained.readParams());
      ours = gpt.lastLogits(input); // the whole input: T = 16 >= its 13 tokens
    }
    String dump = System.getProperty("jgpt.fixture.dump"); // regenerating the fixture: see the script
    if (dump != null) copyFolder(out, Path.of(dump));

    GptConfig cfg = HfGpt2.readConfig(out);
    assertEquals(257, cfg.vocabSize());
    float[] theirs;
    try (var backend = new ReferenceBackend(); Gpt gpt = new Gpt(cfg, backend, 1, 16)) {
      gpt.writeParams(HfGpt2.readWeights(out, cfg)); // zero biases where the run had none
      theirs = gpt.lastLogits(input);
    }
    assertArrayEquals(ours, theirs, 1e-6f, "the export reloads as the same model");

    Map<String, Object> expected = Json.parseObject(new String(
        HfGpt2ExportTest.class.getResourceAsStream("/hf-gpt2-export/expected.json").readAllBytes(), StandardCharsets.UTF_8));
    assertArrayEquals(input, ((List<?>) expected.get("input_ids")).stream().mapToInt(o -> ((Number) o).intValue()).toArray());
    List<?> last = (List<?>) expected.get("last_logits");
    assertEquals(257, last.size());
    for (int v = 0; v < 257; v++) {
      double want = ((Number) last.get(v)).doubleValue();
      assertEquals(want, ours[v], 1e-4 * Math.max(1, Math.abs(want)), "logit of token " + v);
    }
  }

  @Test
  void aTokenizerGpt2CannotHoldIsOneLine() {
    Tokenizer cl = dev.jgpt.tokenizer.BpeTrainer.train("a b c a b c ab ab abc", 260, "cl100k",
        List.of(Tokenizer.END_OF_TEXT), 1, null);
    assertNotNull(HfGpt2Export.unsupportedReason(cl));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HfGpt2Export.write(tmp.resolve("x"), GptConfig.of(cl.vocabSize(), 8, 1, 1, 8, true, 0f), cl, new float[0]));
    assertTrue(e.getMessage().contains("cl100k pattern"), e.getMessage());
  }

  private static void copyFolder(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }
}

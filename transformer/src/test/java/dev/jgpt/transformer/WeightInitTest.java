package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WeightInitTest {
  final GptConfig cfg = GptConfig.of(100, 32, 3, 2, 64, true, 0f);
  final ParameterLayout layout = new ParameterLayout(cfg);
  final float[] params = WeightInit.initialParameters(layout, 42);

  @Test
  void gpt2Statistics() {
    assertStd("wte", 0, cfg.vocabSize() * cfg.nEmbd(), 0.02);
    assertStd("wpe", 0, layout.get("wpe").size(), 0.02);
    assertStd("h.1.attn.c_attn.weight", 0, layout.get("h.1.attn.c_attn.weight").size(), 0.02);
    assertStd("h.1.mlp.c_fc.weight", 0, layout.get("h.1.mlp.c_fc.weight").size(), 0.02);
    double residual = 0.02 / Math.sqrt(2 * cfg.nLayer());
    assertStd("h.2.attn.c_proj.weight", 0, layout.get("h.2.attn.c_proj.weight").size(), residual);
    assertStd("h.0.mlp.c_proj.weight", 0, layout.get("h.0.mlp.c_proj.weight").size(), residual);
    for (TensorSpec t : layout.tensors()) {
      float[] v = GptTestSupport.tensor(params, t);
      if (t.name().endsWith(".bias")) assertAll(v, 0f, t.name());
      if (t.name().endsWith("ln_1.weight") || t.name().endsWith("ln_2.weight") || t.name().equals("ln_f.weight")) {
        assertAll(v, 1f, t.name());
      }
    }
  }

  @Test
  void paddedRowsOfWteAreZero() {
    TensorSpec wte = layout.get("wte");
    float[] pad = Arrays.copyOfRange(params, wte.offset() + cfg.vocabSize() * cfg.nEmbd(), wte.end());
    assertEquals((cfg.paddedVocabSize() - cfg.vocabSize()) * cfg.nEmbd(), pad.length);
    assertAll(pad, 0f, "padding rows");
  }

  @Test
  void theSeedDeterminesTheWeights() {
    assertArrayEquals(params, WeightInit.initialParameters(layout, 42));
    assertFalse(Arrays.equals(params, WeightInit.initialParameters(layout, 43)));
  }

  private void assertStd(String name, int from, int count, double expected) {
    TensorSpec t = layout.get(name);
    double sum = 0, sq = 0;
    for (int i = from; i < from + count; i++) {
      sum += params[t.offset() + i];
      sq += (double) params[t.offset() + i] * params[t.offset() + i];
    }
    double mean = sum / count, std = Math.sqrt(sq / count - mean * mean);
    assertEquals(0, mean, 4 * expected / Math.sqrt(count), name + " mean");
    assertEquals(expected, std, expected * 6 / Math.sqrt(count) + 1e-9, name + " std");
  }

  private static void assertAll(float[] v, float expected, String what) {
    for (float x : v) assertEquals(expected, x, what);
  }
}

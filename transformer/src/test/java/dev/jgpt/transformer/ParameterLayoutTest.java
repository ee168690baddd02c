package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParameterLayoutTest {
  final GptConfig cfg = GptConfig.of(100, 16, 2, 2, 8, true, 0f);
  final ParameterLayout layout = new ParameterLayout(cfg);

  @Test
  void tensorsTileTheBufferWithoutGapsDecayedFirst() {
    int next = 0;
    boolean inDecayed = true;
    for (TensorSpec t : layout.tensors()) {
      assertEquals(next, t.offset(), t.name());
      if (!t.decay()) inDecayed = false;
      assertEquals(inDecayed, t.decay(), t.name() + " must be in its region");
      if (t.decay()) assertTrue(t.end() <= layout.decayedCount());
      next = t.end();
    }
    assertEquals(layout.totalCount(), next);
  }

  @Test
  void exactlyTheTwoDimensionalWeightsDecay() {
    for (TensorSpec t : layout.tensors()) assertEquals(t.shape().length == 2, t.decay(), t.name());
  }

  @Test
  void namesAndShapesAreNanoGpts() {
    int C = 8;
    assertArrayEquals(new int[] {128, C}, layout.get("wte").shape(), "wte has the padded vocabulary's rows");
    assertArrayEquals(new int[] {16, C}, layout.get("wpe").shape());
    assertArrayEquals(new int[] {3 * C, C}, layout.get("h.1.attn.c_attn.weight").shape());
    assertArrayEquals(new int[] {C, C}, layout.get("h.1.attn.c_proj.weight").shape());
    assertArrayEquals(new int[] {4 * C, C}, layout.get("h.0.mlp.c_fc.weight").shape());
    assertArrayEquals(new int[] {C, 4 * C}, layout.get("h.0.mlp.c_proj.weight").shape());
    assertArrayEquals(new int[] {4 * C}, layout.get("h.0.mlp.c_fc.bias").shape());
    assertArrayEquals(new int[] {C}, layout.get("ln_f.bias").shape());
    List<String> perLayer = List.of("ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias",
        "attn.c_proj.weight", "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
        "mlp.c_proj.weight", "mlp.c_proj.bias");
    assertEquals(2 + 2 * perLayer.size() + 2, layout.tensors().size());
    for (int l = 0; l < 2; l++) for (String n : perLayer) assertTrue(layout.contains("h." + l + "." + n), n);
  }

  @Test
  void withoutBiasThereAreNoBiasTensors() {
    ParameterLayout noBias = new ParameterLayout(GptConfig.of(100, 16, 2, 2, 8, false, 0f));
    assertTrue(noBias.tensors().stream().noneMatch(t -> t.name().endsWith(".bias")));
    assertTrue(noBias.contains("h.1.ln_2.weight"));
    assertEquals(layout.decayedCount(), noBias.decayedCount(), "biases live only in the non-decayed region");
  }

  @Test
  void unknownNameIsAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layout.get("lm_head.weight"));
    assertTrue(e.getMessage().contains("lm_head.weight"));
    assertFalse(layout.contains("h.2.ln_1.weight"));
  }

  @Test
  void shapesAreDefensiveCopies() {
    layout.get("wte").shape()[0] = 1;
    assertEquals(128, layout.get("wte").shape()[0]);
  }
}

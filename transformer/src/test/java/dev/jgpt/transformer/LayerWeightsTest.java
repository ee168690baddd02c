package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.ReferenceBackend;
import dev.jgpt.kernels.Slice;
import org.junit.jupiter.api.Test;

/** h[l] is a view of the one flat buffer: each field is the layout's tensor of that name and layer. */
class LayerWeightsTest {
  private static void assertIs(ParameterLayout layout, String name, Slice slice) {
    TensorSpec t = layout.get(name);
    assertEquals(t.offset(), slice.offset(), name + " offset");
    assertEquals(t.size(), slice.length(), name + " size");
  }

  @Test
  void eachLayersFieldsAreItsTensorsInTheFlatBuffer() {
    GptConfig cfg = GptConfig.of(70, 16, 3, 2, 16, true, 0f);
    ParameterLayout layout = new ParameterLayout(cfg);
    FloatBuf buf = new ReferenceBackend().allocFloat("params", layout.totalCount());
    ParameterTensors p = new ParameterTensors(layout, buf);
    assertEquals(3, p.h.length);
    for (int l = 0; l < 3; l++) {
      LayerWeights h = p.h[l];
      String n = "h." + l + ".";
      assertIs(layout, n + "ln_1.weight", h.ln1Weight());
      assertIs(layout, n + "ln_1.bias", h.ln1Bias());
      assertIs(layout, n + "attn.c_attn.weight", h.attnQkvWeight());
      assertIs(layout, n + "attn.c_attn.bias", h.attnQkvBias());
      assertIs(layout, n + "attn.c_proj.weight", h.attnProjWeight());
      assertIs(layout, n + "attn.c_proj.bias", h.attnProjBias());
      assertIs(layout, n + "ln_2.weight", h.ln2Weight());
      assertIs(layout, n + "ln_2.bias", h.ln2Bias());
      assertIs(layout, n + "mlp.c_fc.weight", h.mlpFcWeight());
      assertIs(layout, n + "mlp.c_fc.bias", h.mlpFcBias());
      assertIs(layout, n + "mlp.c_proj.weight", h.mlpProjWeight());
      assertIs(layout, n + "mlp.c_proj.bias", h.mlpProjBias());
      assertEquals(buf, h.attnQkvWeight().buf(), "a slice of the one buffer, not a copy");
    }
  }

  @Test
  void aBiasFreeModelHasNullBiases() {
    GptConfig cfg = GptConfig.of(70, 16, 2, 2, 16, false, 0f);
    ParameterLayout layout = new ParameterLayout(cfg);
    ParameterTensors p = new ParameterTensors(layout, new ReferenceBackend().allocFloat("params", layout.totalCount()));
    assertNull(p.h[1].attnQkvBias());
    assertIs(layout, "h.1.attn.c_attn.weight", p.h[1].attnQkvWeight());
  }
}

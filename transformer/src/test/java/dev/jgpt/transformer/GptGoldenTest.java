package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The model against PyTorch: with the weights and tokens of the fixture written by
 * transformer/scripts/make_golden.py (nanoGPT's model in float64, tanh GELU, biases, padded tied
 * head), the loss, the logits and every parameter gradient match to 1e-4 of each tensor's scale.
 */
class GptGoldenTest {
  static final double TOLERANCE = 1e-4;

  static java.util.List<String> backends() {
    return GptTestSupport.cpuBackends();
  }

  @ParameterizedTest
  @MethodSource("backends")
  void lossLogitsAndGradientsMatchPyTorch(String backendName) {
    GoldenFixture fx = GoldenFixture.load("/golden/gpt_tiny.bin");
    int[] c = fx.ints("config"); // V, Vp, block_size, n_layer, n_head, n_embd, bias, B, T
    GptConfig cfg = new GptConfig(c[0], c[1], c[2], c[3], c[4], c[5], c[6] == 1, 0f);
    assertEquals(GptConfig.of(c[0], c[2], c[3], c[4], c[5], true, 0f), cfg, "fixture pads the vocabulary as jgpt does");
    int B = c[7], T = c[8];
    int[] inputs = fx.ints("inputs"), targets = fx.ints("targets");

    try (Backend backend = GptTestSupport.open(backendName); Gpt gpt = new Gpt(cfg, backend, B, T)) {
      ParameterLayout layout = gpt.layout();
      assertEquals(fx.floatNames().stream().filter(n -> n.startsWith("param/")).count(), layout.tensors().size(),
          "the fixture and the layout have the same tensors");
      gpt.writeParams(fx.packed("param/", layout));

      float expectedLoss = fx.floats("loss")[0];
      assertEquals(expectedLoss, gpt.evalLoss(inputs, targets), TOLERANCE * expectedLoss, "eval loss");
      double logitsError = GptTestSupport.relativeError(gpt.logits(inputs), fx.floats("logits"));
      assertTrue(logitsError < TOLERANCE, "logits relative error " + logitsError);

      gpt.zeroGrads();
      float loss = gpt.forwardBackward(inputs, targets, 1f / (B * T), 0);
      assertEquals(expectedLoss, loss, TOLERANCE * expectedLoss, "training loss");
      float[] grads = gpt.readGrads();
      for (TensorSpec t : layout.tensors()) {
        double err = GptTestSupport.relativeError(GptTestSupport.tensor(grads, t), fx.floats("grad/" + t.name()));
        assertTrue(err < TOLERANCE, "gradient of " + t.name() + ": relative error " + err);
      }
    }
  }
}

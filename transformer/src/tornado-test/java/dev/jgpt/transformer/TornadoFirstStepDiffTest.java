package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import org.junit.jupiter.api.Test;

/**
 * Where the TornadoVM backend's numbers leave the CPU backend's: the logits of
 * TornadoParityTest's model, then one training step, on each; the largest difference per tensor of the logits, the
 * gradients (each the output of one backward op) and the updated parameters. It reports; its
 * bounds are loose (they catch a broken kernel, not an ulp). -Djgpt.tornado.compileFirstRun=true
 * runs the step on the device (otherwise on the host, through the kernels' Java form).
 */
class TornadoFirstStepDiffTest {
  static final int B = TornadoParityTest.B, T = TornadoParityTest.T, V = TornadoParityTest.V;

  @Test
  void firstStepDifferencesPerTensor() {
    Snapshot cpu, dev;
    try (Backend be = Backends.open("cpu", 0, 2)) {
      cpu = step(be);
    }
    try (Backend be = Backends.open("tornado", Integer.getInteger("jgpt.tornado.device", 0), 0)) {
      dev = step(be);
    }
    StringBuilder report = new StringBuilder("TornadoFirstStepDiffTest (largest |cpu - tornado|, relative to the"
        + " tensor's largest |value|):");
    line(report, "loss", new float[] {cpu.loss}, new float[] {dev.loss});
    line(report, "logits", cpu.logits, dev.logits);
    ParameterLayout layout = new ParameterLayout(TornadoParityTest.CFG);
    for (TensorSpec t : layout.tensors()) {
      int n = 1;
      for (int d : t.shape()) n *= d;
      line(report, "grad " + t.name(), slice(cpu.grads, t.offset(), n), slice(dev.grads, t.offset(), n));
    }
    for (TensorSpec t : layout.tensors()) {
      int n = 1;
      for (int d : t.shape()) n *= d;
      line(report, "param " + t.name(), slice(cpu.params, t.offset(), n), slice(dev.params, t.offset(), n));
    }
    System.out.println(report);
    assertTrue(Math.abs(cpu.loss - dev.loss) < 1e-4f, report.toString());
  }

  private record Snapshot(float loss, float[] logits, float[] grads, float[] params) {}

  /** One step of TornadoParityTest.train, then its logits on the step's batch. */
  private static Snapshot step(Backend be) {
    try (Gpt gpt = new Gpt(TornadoParityTest.CFG, be, B, T)) {
      gpt.initWeights(5);
      int[] inputs = GptTestSupport.randomTokens(21, 2, B * T, V);
      int[] targets = GptTestSupport.randomTokens(21, 3, B * T, V);
      float[] logits = gpt.logits(inputs);
      gpt.zeroGrads();
      float loss = gpt.forwardBackward(inputs, targets, 1f / (B * T), 1);
      float[] grads = gpt.readGrads();
      gpt.optimizerStep(1e-2f, 1, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
      return new Snapshot(loss, logits, grads, gpt.readParams());
    }
  }

  private static float[] slice(float[] a, int from, int n) {
    float[] s = new float[n];
    System.arraycopy(a, from, s, 0, n);
    return s;
  }

  private static void line(StringBuilder sb, String name, float[] a, float[] b) {
    double worst = 0, scale = 0;
    int diffs = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - b[i]);
      worst = Math.max(worst, d);
      scale = Math.max(scale, Math.abs(a[i]));
      if (a[i] != b[i]) diffs++;
    }
    sb.append(String.format("%n  %-16s %9.2e  rel %9.2e  (%d of %d differ)", name, worst, scale == 0 ? 0 : worst / scale,
        diffs, a.length));
  }
}

package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.ReferenceBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Training, prefill and decode run one block: the same ops in the same order, only the attention op differs. */
class BlockTest {
  private static final GptConfig CFG = GptConfig.of(70, 16, 3, 2, 16, true, 0f);
  private static final List<String> BLOCK = List.of("layernormForward", "matmulForward", "attention",
      "matmulForward", "residualForward", "layernormForward", "matmulForwardGelu", "matmulForward",
      "residualForward");

  /** A backend that forwards every call to a reference backend and keeps the op names of each step's last run. */
  private static final class OpRecorder {
    final Map<String, List<String>> opsByStep = new HashMap<>();
    private String stepName;
    private List<String> current;
    final Backend backend;

    OpRecorder() {
      Backend inner = new ReferenceBackend();
      backend = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
          (proxy, method, args) -> {
            switch (method.getName()) {
              case "beginStep" -> {
                stepName = (String) args[0];
                current = new ArrayList<>();
              }
              case "endStep" -> {
                opsByStep.put(stepName, current);
                current = null;
              }
              default -> {
                if (current != null && !method.getName().equals("write")) current.add(method.getName());
              }
            }
            try {
              return method.invoke(inner, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    /** The step's ops with both attention variants named "attention" and the prefill's cache copies left out. */
    List<String> blockView(String step) {
      List<String> ops = new ArrayList<>();
      for (String op : opsByStep.get(step)) {
        if (op.equals("copy")) continue;
        ops.add(op.startsWith("attention") ? "attention" : op);
      }
      return ops;
    }

    int count(String step, String op) {
      return Collections.frequency(opsByStep.get(step), op);
    }
  }

  private static List<String> blocks(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.addAll(BLOCK);
    return out;
  }

  @Test
  void trainingPrefillAndDecodeRunTheSameBlock() {
    OpRecorder rec = new OpRecorder();
    int L = CFG.nLayer(), T = CFG.blockSize();
    Gpt gpt = new Gpt(CFG, rec.backend, 1, T);
    gpt.writeParams(WeightInit.initialParameters(new ParameterLayout(CFG), 1));
    int[] tokens = new int[T];
    for (int i = 0; i < T; i++) tokens[i] = (i * 7 + 3) % CFG.vocabSize();
    gpt.evalLoss(tokens, tokens);
    KvCacheModel cached = KvCacheModel.forModel(gpt);
    cached.setPrefillThreshold(0);
    cached.nextLogits(tokens, 10); // prefills 9 tokens (16 rows), decodes the 10th

    List<String> eval = rec.blockView("eval");
    assertEquals("encoderForward", eval.get(0));
    assertEquals(blocks(L), eval.subList(1, 1 + BLOCK.size() * L), "training forward: L blocks");
    assertEquals(List.of("layernormForward", "matmulForward", "crossEntropyForward"), eval.subList(1 + BLOCK.size() * L, eval.size()));
    assertEquals(L, rec.count("eval", "attentionForward"), "causal attention over the sequence");

    List<String> decode = rec.blockView("decode");
    assertEquals("encoderDecode", decode.get(0));
    assertEquals(blocks(L), decode.subList(1, 1 + BLOCK.size() * L), "decode: the same L blocks");
    assertEquals(L, rec.count("decode", "attentionDecode"), "attention over the KV cache");

    // a prefill wants only the cache: the last block stops after its qkv
    List<String> prefill = rec.blockView("prefill-16");
    List<String> expected = new ArrayList<>(List.of("encoderForward"));
    expected.addAll(blocks(L - 1));
    expected.addAll(BLOCK.subList(0, 2));
    assertEquals(expected, prefill, "prefill: the same blocks, the last cut after c_attn");
    assertEquals(2 * L * 16, rec.count("prefill-16", "copy"), "k and v of every row of every layer into the cache");
  }
}

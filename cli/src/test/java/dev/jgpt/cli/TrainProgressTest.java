package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.TrainerEvents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TrainProgressTest {

  private static TrainerEvents.Step step(long n) {
    return new TrainerEvents.Step(n, 100, 2.5, 1e-3, 0.9, 50, 20480, n * 0.05);
  }

  @Test
  void plainOutputPrintsOneLinePerLogInterval() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TrainProgress p = new TrainProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 10, Double.NaN);
    for (int i = 1; i <= 20; i++) p.stepped(step(i));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(2, out.lines().count(), out);
    assertTrue(out.startsWith("step  10/100  10% | loss 2.5000 | val   -    | lr 1.00e-03 | 20,480 tok/s | 50.0 ms/step"), out);
    assertTrue(out.contains("ETA 4s"), out); // 80 steps left at 50 ms
    assertFalse(out.contains("\r") || out.contains("\033"), "no terminal control codes in a log");
  }

  @Test
  void terminalOutputRewritesOneStatusLineAndKeepsEvaluations() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TrainProgress p = new TrainProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 10, 100.0);
    p.stepped(step(1));
    p.evaluated(new TrainerEvents.Eval(1, 2.25, 3.246, 2.25, 1, true, 120));
    p.stepped(step(100));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.startsWith("\r\033[Kstep   1/100"), out);
    assertTrue(out.contains("\r\033[Kstep 1: val loss 2.2500 (3.246 bits/byte), best so far"), out);
    assertTrue(out.contains("| val 2.2500 |"), "the status line shows the last validation loss: " + out);
    // 0 flops per step (no started event): 0 GFLOP/s of a 100 GFLOP/s peak
    assertTrue(out.contains("| 0.0 GFLOP/s (0% of peak) |"), out);
  }

  @Test
  void samplesShowControlCharactersAsEscapes() {
    assertEquals("a\nb\\x1b[31m\\x07", TrainProgress.printable("a\nb\033[31m\007"));
    assertEquals("1m05s", TrainProgress.duration(65));
    assertEquals("2h03m", TrainProgress.duration(2 * 3600 + 3 * 60));
  }
}

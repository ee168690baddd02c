package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchKernelsCommandTest {

  @Test
  void smallRunPrintsThePeakAndEveryNanoGptShape() {
    CliRunner.Result r = CliRunner.run("bench", "kernels", "--small", "--repeat", "1", "--threads", "1");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("FP32 peak (Vector API FMA loop, 1 thread)"), r.toString());
    for (String shape : new String[] {"768 x 128 -> 128", "768 x 128 -> 384", "768 x 128 -> 512", "12 x 64 x 128 / 4"}) {
      assertTrue(r.out().contains(shape), shape + "\n" + r);
    }
    assertTrue(r.out().contains("% peak"), r.toString());
    // the allocation table names the species and every row op (its numbers depend on the JIT)
    assertTrue(r.out().contains("-bit (") && r.out().contains("bytes/call"), r.toString());
    for (String op : new String[] {"max", "expShiftedSum", "softmaxInPlace", "dot"}) {
      assertTrue(r.out().lines().anyMatch(l -> l.startsWith(op + " ")), op + "\n" + r);
    }
  }

  @Test
  void aZeroRepeatIsAUsageError() {
    CliRunner.Result r = CliRunner.run("bench", "kernels", "--repeat", "0");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.err().contains("--repeat must be at least 1"), r.toString());
  }
}

package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The CPU kernels allocate nothing once compiled, even when C2 has no receiver type profile:
 * a Vector API call whose receiver's class C2 cannot see boxes its vectors on the heap (issue
 * 13: a 512-bit training step 40% slower in some runs, about 14x slower with
 * {@code -XX:-UseTypeProfile}, the worst case on every call at once). A JVM of its own
 * ({@link StepAllocationMain}) runs with {@code -XX:-UseTypeProfile -Xbatch}: compilation in
 * the foreground, so what is compiled after a number of calls does not depend on timing, and
 * the warm-up counts below are about 3x what each part needed on an AVX-512 machine (row ops 5
 * windows, training 1,350 steps, decoding 200 cycles). Before the kernels followed the rule in
 * Vec's class comment, a training step allocated 33 MB and a decode cycle 7.7 MB here.
 */
class StepAllocationTest {
  private static final String TRAIN_WARM_UP = "4000", DECODE_WARM_UP = "600", ROW_OP_WARM_UP = "15";

  @Test
  void stepsAllocateNothingWithoutTypeProfilesAtThePreferredWidth() throws Exception {
    assertNothingAllocated(run());
  }

  /** At 256 bits, and on x86 with AVX2's instructions only (as an AVX2 CPU compiles them; other CPUs ignore UseAVX). */
  @Test
  void stepsAllocateNothingWithoutTypeProfilesAt256BitsAsOnAnAvx2Cpu() throws Exception {
    assertNothingAllocated(run("-XX:MaxVectorSize=32", "-XX:+IgnoreUnrecognizedVMOptions", "-XX:UseAVX=2"));
  }

  private static void assertNothingAllocated(List<String> lines) {
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("train ")), () -> "no training result in " + lines);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("decode ")), () -> "no decode result in " + lines);
    assertEquals(9, lines.stream().filter(l -> l.startsWith("row op ")).count(), () -> "row ops missing in " + lines);
    List<String> allocating = lines.stream()
        .filter(l -> l.startsWith("train ") || l.startsWith("decode ") || l.startsWith("row op "))
        .filter(l -> !(l.equals("train 0") || l.equals("decode 0") || l.startsWith("row op 0.0 ")))
        .toList();
    assertEquals(List.of(), allocating, "heap bytes per training step, decode cycle or row-op call after warm-up");
  }

  // StepAllocationMain's output and error lines, in a JVM without type profiles plus extraFlags
  private static List<String> run(String... extraFlags) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector", "-Xmx1g", "-XX:-UseTypeProfile", "-Xbatch"));
    command.addAll(List.of(extraFlags));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), StepAllocationMain.class.getName(),
        TRAIN_WARM_UP, DECODE_WARM_UP, ROW_OP_WARM_UP));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the forked JVM did not finish");
      assertEquals(0, p.exitValue(), () -> "the forked JVM failed: " + out);
      return out.lines().toList();
    } finally {
      p.destroyForcibly();
    }
  }
}

package dev.jgpt.cli.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.MemoryCheck;
import dev.jgpt.transformer.MemoryEstimate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which models say what they need before they load (generate, score, repl, :load). */
class RunOptionsTest {
  private static final HeapBudget HEAP = new HeapBudget(18_800_000_000L, 18_900_000_000L, 24_000_000_000L);

  @Test
  void aLargeModelSaysWhatItNeedsAndASmallOneLoadsSilently() {
    MemoryEstimate gpt2 = new MemoryEstimate(List.of(new MemoryEstimate.Part("parameters", 498_000_000L),
        new MemoryEstimate.Part("KV cache", 75_000_000L)));
    assertEquals(MemoryCheck.line(gpt2, HEAP), RunOptions.memoryLine(gpt2, HEAP));
    assertEquals("memory: ", RunOptions.memoryLine(gpt2, HEAP).substring(0, 8));
    MemoryEstimate tiny = new MemoryEstimate(List.of(new MemoryEstimate.Part("parameters", 3_000_000L)));
    assertNull(RunOptions.memoryLine(tiny, HEAP));
    MemoryEstimate atTheLine = new MemoryEstimate(List.of(new MemoryEstimate.Part("parameters",
        RunOptions.SAYS_MEMORY_FROM_BYTES)));
    assertEquals(MemoryCheck.line(atTheLine, HEAP), RunOptions.memoryLine(atTheLine, HEAP));
  }
}

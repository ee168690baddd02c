package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The memory line of {@code jgpt train}, and the one-line refusal of a configuration or model that cannot fit. */
class MemoryCheckTest {
  private static final long GB = 1_000_000_000L;
  /** The parallel collector's shape: the old generation (what long-lived buffers fill) is 2/3 of the heap. */
  private static final HeapBudget PARALLEL_6G = new HeapBudget(4 * GB, 6 * GB, 24 * GB);

  private static MemoryEstimate estimate(long activations) {
    return new MemoryEstimate(List.of(new MemoryEstimate.Part("parameters", GB / 10),
        new MemoryEstimate.Part("activations", activations)));
  }

  @Test
  void theLineSaysWhatIsNeededAndWhatTheHeapHolds() {
    String line = MemoryCheck.line(estimate(3_600_000_000L), PARALLEL_6G);
    assertEquals("memory: 3.7 GB needed (parameters 100 MB, activations 3.6 GB), 4.0 GB usable (heap max 6.0 GB)", line);
    assertEquals("memory: 3.7 GB needed (parameters 100 MB, activations 3.6 GB), heap max 6.0 GB",
        MemoryCheck.line(estimate(3_600_000_000L), new HeapBudget(6 * GB, 6 * GB, 0)));
  }

  @Test
  void aConfigurationThatFitsPasses() {
    assertDoesNotThrow(() -> MemoryCheck.requireFits(estimate(3 * GB), PARALLEL_6G, "--batch-size (64)"));
  }

  @Test
  void aConfigurationThatDoesNotFitSaysWhatToLowerAndWhatHeapWouldDo() {
    MemoryCheck.DoesNotFit e = assertThrows(MemoryCheck.DoesNotFit.class,
        () -> MemoryCheck.requireFits(estimate(4_400_000_000L), PARALLEL_6G, "--batch-size (64) or --block-size (256)"));
    // 4.5 GB in an old generation of 2/3 of the heap, a tenth spare: 7.4 GB, so -Xmx7g (GiB)
    assertEquals("this configuration needs 4.5 GB of heap (parameters 100 MB, activations 4.4 GB) but 4.0 GB is "
        + "usable (heap max 6.0 GB): lower --batch-size (64) or --block-size (256), or give the JVM more memory with "
        + "JGPT_JAVA_OPTS=-Xmx7g", e.getMessage());
  }

  @Test
  void aHeapBeyondThePhysicalMemoryIsNotSuggested() {
    MemoryCheck.DoesNotFit e = assertThrows(MemoryCheck.DoesNotFit.class,
        () -> MemoryCheck.requireFits(estimate(40 * GB), PARALLEL_6G, "--batch-size (64)"));
    assertTrue(e.getMessage().contains("lower --batch-size (64) (the -Xmx62g heap it would need is more than this "
        + "machine's 24.0 GB)"), e.getMessage());
    assertFalse(e.getMessage().contains("JGPT_JAVA_OPTS"), e.getMessage());
  }

  @Test
  void aTrainedModelThatDoesNotFitCanOnlyAskForMoreHeap() {
    MemoryCheck.DoesNotFit e = assertThrows(MemoryCheck.DoesNotFit.class, () -> MemoryCheck.requireFits(estimate(4_400_000_000L), PARALLEL_6G, null));
    assertTrue(e.getMessage().startsWith("this model needs 4.5 GB of heap"), e.getMessage());
    assertTrue(e.getMessage().endsWith(": give the JVM more memory with JGPT_JAVA_OPTS=-Xmx7g"), e.getMessage());
  }

  @Test
  void thisJvmsBudgetIsAtMostItsHeap() {
    HeapBudget heap = HeapBudget.current();
    assertTrue(heap.usableBytes() > 0 && heap.usableBytes() <= heap.maxHeapBytes(), heap.toString());
    assertEquals(Runtime.getRuntime().maxMemory(), heap.maxHeapBytes());
  }
}

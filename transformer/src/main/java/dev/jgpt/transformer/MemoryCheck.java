package dev.jgpt.transformer;

import static dev.jgpt.transformer.MemoryEstimate.bytes;

/**
 * Memory in a command's words: the line of the configuration summary, the one-line refusal of a
 * configuration that cannot fit (said before allocating, not as an OutOfMemoryError minutes
 * later), and the one line an OutOfMemoryError becomes anyway. Training, the commands that load a
 * model and the web server all say it the same way.
 */
public final class MemoryCheck {
  private MemoryCheck() {}

  /** A model or configuration that does not fit the heap; the message is the one line to show. */
  public static final class DoesNotFit extends IllegalStateException {
    DoesNotFit(String message) {
      super(message);
    }
  }

  private static final long GIB = 1L << 30;

  /**
   * "memory: 4.6 GB needed (activations 3.7 GB, ...), 12.6 GB usable (heap max 16.9 GB)", or
   * "..., heap max 18.0 GB" where the old generation may fill the whole heap.
   */
  public static String line(MemoryEstimate estimate, HeapBudget heap) {
    String room = heap.usableBytes() == heap.maxHeapBytes() ? "heap max " + bytes(heap.maxHeapBytes())
        : bytes(heap.usableBytes()) + " usable (heap max " + bytes(heap.maxHeapBytes()) + ")";
    return "memory: " + bytes(estimate.totalBytes()) + " needed (" + estimate.breakdown() + "), " + room;
  }

  /**
   * Throws a one-line {@link DoesNotFit} when {@code estimate} exceeds the usable heap; {@code lower}
   * names the settings that shrink it, e.g. "--batch-size (64) or --block-size (256)", or is null
   * when only a larger heap helps (a trained model's shapes are fixed).
   */
  public static void requireFits(MemoryEstimate estimate, HeapBudget heap, String lower) {
    long needed = estimate.totalBytes();
    if (needed <= heap.usableBytes()) return;
    long xmxGib = heapFor(needed, heap);
    boolean beyondMachine = heap.physicalBytes() > 0 && xmxGib * GIB > heap.physicalBytes();
    String xmx = "JGPT_JAVA_OPTS=-Xmx" + xmxGib + "g";
    String advice;
    if (lower == null) {
      advice = beyondMachine ? "the -Xmx" + xmxGib + "g heap it would need is more than this machine's "
          + bytes(heap.physicalBytes()) : "give the JVM more memory with " + xmx;
    } else {
      advice = "lower " + lower + (beyondMachine ? " (the -Xmx" + xmxGib + "g heap it would need is more than this "
          + "machine's " + bytes(heap.physicalBytes()) + ")" : ", or give the JVM more memory with " + xmx);
    }
    throw new DoesNotFit((lower == null ? "this model needs " : "this configuration needs ") + bytes(needed)
        + " of heap (" + estimate.breakdown() + ") but " + available(heap) + ": " + advice);
  }

  /** The one line for an OutOfMemoryError that no estimate foresaw. */
  public static String outOfMemory(OutOfMemoryError e, HeapBudget heap) {
    String what = e.getMessage() == null || e.getMessage().isBlank() ? "" : " (" + e.getMessage() + ")";
    long doubled = Math.max(1, 2 * heap.maxHeapBytes() / GIB);
    String advice = heap.physicalBytes() > 0 && doubled * GIB > heap.physicalBytes()
        ? "this machine (" + bytes(heap.physicalBytes()) + ") has little more to give"
        : "give the JVM more with JGPT_JAVA_OPTS=-Xmx" + doubled + "g";
    return "out of memory" + what + " with a heap max of " + bytes(heap.maxHeapBytes()) + ": " + advice
        + ", or use a smaller model, batch (--batch-size) or context (--block-size)";
  }

  /**
   * The -Xmx, in whole GiB, under which {@code bytes} of long-lived buffers fit: scaled by the old
   * generation's share of the heap, with a tenth to spare for the rest of the program.
   */
  static long heapFor(long bytes, HeapBudget heap) {
    double share = (double) heap.usableBytes() / heap.maxHeapBytes();
    return (long) Math.ceil(bytes / share * 1.1 / GIB);
  }

  private static String available(HeapBudget heap) {
    return heap.usableBytes() == heap.maxHeapBytes() ? "the heap max is " + bytes(heap.maxHeapBytes())
        : bytes(heap.usableBytes()) + " is usable (heap max " + bytes(heap.maxHeapBytes()) + ")";
  }
}

package dev.jgpt.transformer;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * How much Java heap this JVM can give a model's buffers.
 *
 * <p>Not simply {@link Runtime#maxMemory}: a model's buffers live as long as the run, so they end
 * up in the old generation, and with the parallel collector (the launcher's) that is only about
 * two thirds of the heap: a 5.7 GB heap fails to hold 4.5 GB of buffers. G1 and ZGC let the old
 * generation grow to the whole heap; their pools report that as their maximum.
 *
 * @param usableBytes what long-lived buffers can fill: the old generation's maximum where the
 *     collector has one, else the whole heap
 * @param maxHeapBytes the heap's maximum (-Xmx, or the launcher's share of physical memory)
 * @param physicalBytes this machine's memory, or 0 when the JVM cannot tell
 */
public record HeapBudget(long usableBytes, long maxHeapBytes, long physicalBytes) {

  /** This JVM's budget. */
  public static HeapBudget current() {
    long max = Runtime.getRuntime().maxMemory();
    long usable = max;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      String name = pool.getName();
      long poolMax = pool.getUsage() == null ? -1 : pool.getUsage().getMax();
      boolean oldGeneration = name.contains("Old Gen") || name.contains("Tenured");
      if (pool.getType() == MemoryType.HEAP && oldGeneration && poolMax > 0) usable = Math.min(usable, poolMax);
    }
    return new HeapBudget(usable, max, physicalMemory());
  }

  private static long physicalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return 0;
  }
}

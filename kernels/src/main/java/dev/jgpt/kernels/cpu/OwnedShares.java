package dev.jgpt.kernels.cpu;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Work items split into one contiguous share per part of a {@link WorkerPool} task, for each of
 * a few kinds of work (slots): a part claims its own share from the front first, then takes from
 * the others' what they have not claimed yet. Owning a share keeps a part on the same rows from
 * op to op (the data it reads was written by the same core: on 2 threads, work handed out to
 * whichever thread came first moved 10-30% of an op's data between the cores' caches); taking
 * from the others keeps a worker slowed by another process from holding everyone up. Which part
 * runs an item never changes its result.
 */
final class OwnedShares {
  /**
   * Ints from one part's counters to the next, a cache line: an owner claims its share in
   * several pieces (see {@link #claim}), and each claim would otherwise take the line from the
   * core claiming next to it. The first line is left empty (the array's header is on it).
   */
  private static final int PART_STRIDE = 16;
  /** The first unclaimed item of part w's share of each slot's items, at [(w + 1) * PART_STRIDE + slot]. */
  private final AtomicIntegerArray next;

  OwnedShares(int parts, int slots) {
    if (slots > PART_STRIDE) throw new IllegalArgumentException("at most " + PART_STRIDE + " slots, got " + slots);
    this.next = new AtomicIntegerArray((parts + 1) * PART_STRIDE);
  }

  /** Sets part w's share of slot's items to start at {@code start}; call for every part before the fork. */
  void reset(int slot, int w, int start) {
    next.set(index(w, slot), start);
  }

  private static int index(int part, int slot) {
    return (part + 1) * PART_STRIDE + slot;
  }

  /**
   * Claims items of part v's share of slot, which ends at {@code end}: half of what is left, at
   * least {@code ownerChunk} items when the claimer is the owner (one when it is not), at most
   * maxChunk. The owner's claims shrink toward the end of its share, so that what is left for
   * another part to take when the owner falls behind comes in small pieces rather than as one
   * block the owner has already claimed (an owner with ownerChunk >= maxChunk claims maxChunk
   * at a time). Returns the first claimed item and the count as {@code first << 32 | count}, or
   * -1 when the share is used up.
   */
  long claim(int slot, int v, int end, int ownerChunk, int maxChunk, boolean stealing) {
    int i = index(v, slot);
    while (true) {
      int start = next.get(i);
      if (start >= end) return -1;
      int left = end - start;
      int chunk = Math.min(left, Math.min(maxChunk, Math.max(stealing ? 1 : ownerChunk, (left + 1) / 2)));
      if (next.compareAndSet(i, start, start + chunk)) return (long) start << 32 | chunk;
    }
  }

  static int first(long claimed) {
    return (int) (claimed >>> 32);
  }

  static int count(long claimed) {
    return (int) claimed;
  }
}

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
  private final int slots;
  /** (parts, slots) the first unclaimed item of each part's share of each slot's items. */
  private final AtomicIntegerArray next;

  OwnedShares(int parts, int slots) {
    this.slots = slots;
    this.next = new AtomicIntegerArray(parts * slots);
  }

  /** Sets part w's share of slot's items to start at {@code start}; call for every part before the fork. */
  void reset(int slot, int w, int start) {
    next.set(w * slots + slot, start);
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
    int i = v * slots + slot;
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

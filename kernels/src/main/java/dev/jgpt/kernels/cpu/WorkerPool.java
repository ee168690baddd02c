package dev.jgpt.kernels.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A fixed set of persistent threads that run one task at a time, split into {@code threads}
 * parts (one more while a helper is in, see below). Built for kernels that take tens of
 * microseconds: workers spin briefly between tasks (a fork/join costs about a microsecond while
 * they are hot), then park so an idle pool costs nothing.
 *
 * <p>A part is claimed, not assigned: each thread first claims its own part (the caller part 0,
 * worker i part i), then any part still unclaimed, so part {@code w} may run on any thread (each
 * part once). Normally a part runs on the same thread fork after fork, and so the rows a kernel
 * gives part w stay in that core's cache for the next op that splits them the same way. On a
 * machine shared with other processes a worker is often off its core when a fork comes; then
 * the caller runs that worker's part itself instead of waiting for the scheduler to bring the
 * worker back. The parts, and so every kernel's split and summation order, are the same whoever
 * runs them. Parts must therefore never wait for one another (no barrier inside a task: one
 * thread may run two parts in turn).
 *
 * <p>A pool made with room for a helper ({@link #WorkerPool(int, boolean)}) also takes help from a
 * thread outside it: while a thread is in {@link #help}, the ops that begin after it came
 * ({@link #beginOp}) split into one part more, which the helper claims like a worker. A data-parallel
 * shard whose pass has finished lends its core this way to a shard still running, so that on a host
 * that takes a core away for a while the other core does not sit idle until the slower pass ends.
 * The kernels' results do not depend on how many parts an op has, so help changes no bits.
 *
 * <p>Not reentrant and not thread-safe: one backend, one calling thread (and helpers only
 * through {@link #help}).
 */
final class WorkerPool implements AutoCloseable {

  /** A task run once per part; {@code worker} (the part) in [0, workers), on any thread. */
  @FunctionalInterface
  interface Task {
    void run(int worker, int workers);
  }

  /** A task run once per part with its op's arguments. */
  @FunctionalInterface
  interface TaskWith<A> {
    void run(A args, int worker, int workers);
  }

  /**
   * An op's work on the half-open range [from, to), reading its inputs from {@code args}.
   * Kernels pass a static method (a non-capturing reference, made once by the JVM) and a
   * per-op argument record they refill on every call, so a call allocates nothing.
   */
  @FunctionalInterface
  interface Range<A> {
    void run(A args, int from, int to);
  }

  /** How long a waiting thread spins before it yields or parks, in nanoseconds. */
  private static final long SPIN_NANOS = 100_000;

  private final int threads;
  /** The most parts an op splits into: threads, and one more for helpers where the pool takes help. */
  private final int capacity;
  /** Threads in {@link #help} now. */
  private final AtomicInteger helpers = new AtomicInteger();
  /** Parts of the ops from the last {@link #beginOp} on: threads, or capacity while helped. Caller thread only. */
  private int parts;
  /** Parts of the task of the newest generation: written before the generation, read after it. */
  private volatile int runParts;
  private final Thread[] workers;
  // (threads) 1 while worker i is parked or about to park: written by worker i, read by the
  // caller after it publishes a task, so one of the two always sees the other (no lock per fork)
  private final AtomicIntegerArray sleeping;
  // The generation of the task running or last run: workers wait for it to change.
  private final AtomicLong generation = new AtomicLong();
  // (capacity) the generation in which each part was last claimed. A part is claimed for
  // generation g by raising its entry to g; a thread that saw an older generation g' < g only
  // tries to raise entries below g', and every part of g' was claimed before g began, so it can
  // never claim a part of a newer task. A task of fewer parts than capacity marks the parts it
  // does not have as claimed, so that a thread holding an older generation cannot claim them.
  private final AtomicLongArray claimed;
  private final AtomicInteger unfinishedParts = new AtomicInteger();
  private volatile boolean closed;
  private volatile Task current;
  private volatile Throwable failure;

  // The range being split by forAlignedRange, or the task of run(args, task), with the op's
  // arguments: plain fields, set before the fork and published to the workers by run()'s
  // write of the new generation. They, and the two tasks reading them, replace a lambda per call:
  // ops run inside training steps, which allocate nothing.
  private int rangeN, rangeAlign, rangeUnits;
  private Range<Object> rangeBody;
  private TaskWith<Object> taskBody;
  private Object opArgs;
  private final Task rangeTask = (w, ws) -> {
    int from = split(rangeUnits, w, ws) * rangeAlign, to = Math.min(rangeN, split(rangeUnits, w + 1, ws) * rangeAlign);
    if (from < to) rangeBody.run(opArgs, from, to);
  };
  private final Task taskWithArgs = (w, ws) -> taskBody.run(opArgs, w, ws);

  WorkerPool(int threads) {
    this(threads, false, 0);
  }

  /** A pool of {@code threads} threads that takes help from outside ({@link #help}) where {@code helped}. */
  WorkerPool(int threads, boolean helped) {
    this(threads, helped, 0);
  }

  /** A pool whose first task is generation {@code lastGeneration + 1} (generations are 64-bit: they do not wrap). */
  WorkerPool(int threads, boolean helped, long lastGeneration) {
    if (threads < 1) throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
    this.threads = threads;
    this.capacity = helped ? threads + 1 : threads;
    this.parts = threads;
    generation.set(lastGeneration);
    claimed = new AtomicLongArray(capacity);
    for (int i = 0; i < capacity; i++) claimed.set(i, lastGeneration);
    this.workers = new Thread[threads - 1];
    this.sleeping = new AtomicIntegerArray(threads);
    for (int i = 1; i < threads; i++) {
      int index = i;
      Thread t = new Thread(() -> workerLoop(index, lastGeneration), "jgpt-cpu-" + i);
      t.setDaemon(true);
      workers[i - 1] = t;
      t.start();
    }
  }

  /** The pool's own threads (the caller is one). */
  int threads() {
    return threads;
  }

  /** The most parts an op splits into: what per-part scratch is sized for. */
  int capacity() {
    return capacity;
  }

  /** Parts the running op splits into (its kernels' {@code ws}); changes only at {@link #beginOp}. */
  int parts() {
    return parts;
  }

  /**
   * Called by the caller thread before an op reads {@link #parts}, never inside an op: its ops
   * take one part more from here on while a helper is in {@link #help}, and none once it has left.
   */
  void beginOp() {
    if (capacity != threads) parts = helpers.get() > 0 ? capacity : threads;
  }

  /** Runs every part of {@code task} and returns when all have finished; rethrows a failure. */
  void run(Task task) {
    run(task, parts);
  }

  /**
   * Runs a task of {@code n} parts, 1 <= n <= threads: one per thread, not per part of an op
   * (a data-parallel shard's pass each). A part may wait for another here: a thread claims a part
   * only when it has none running, so the part waited for is never queued behind the waiting one
   * on its thread, and with n <= threads some other thread is free to claim it.
   */
  void runEach(int n, Task task) {
    if (n < 1 || n > threads) throw new IllegalArgumentException(n + " parts for a pool of " + threads + " threads");
    run(task, n);
  }

  private void run(Task task, int n) {
    if (closed) throw new IllegalStateException("the CPU backend is closed; create a new one");
    if (n == 1) {
      task.run(0, 1);
      return;
    }
    failure = null;
    current = task;
    unfinishedParts.set(n);
    // A new generation with no part claimed: publishes task, arguments and count to the workers.
    long g = generation.get() + 1;
    for (int p = n; p < capacity; p++) claimed.set(p, g);
    runParts = n;
    generation.set(g);
    for (int i = 1; i < threads; i++) {
      if (sleeping.get(i) != 0) LockSupport.unpark(workers[i - 1]);
    }
    runClaimedParts(task, g, 0, n);
    awaitParts();
    current = null;
    Throwable f = failure;
    if (f != null) {
      failure = null;
      if (f instanceof RuntimeException r) throw r;
      if (f instanceof Error e) throw e;
      throw new IllegalStateException(f);
    }
  }

  /** Claims and runs parts of generation g, a task of n parts, part {@code own} first, until none is left. */
  private void runClaimedParts(Task task, long g, int own, int n) {
    for (int d = 0; d < n; d++) {
      int part = own + d < n ? own + d : own + d - n;
      if (!claim(part, g)) continue;
      try {
        task.run(part, n);
      } catch (Throwable t) {
        recordFailure(t);
      }
      unfinishedParts.decrementAndGet();
    }
  }

  // whether this thread claimed part p for generation g (no other thread has)
  private boolean claim(int part, long g) {
    while (true) {
      long last = claimed.get(part);
      if (last >= g) return false;
      if (claimed.compareAndSet(part, last, g)) return true;
    }
  }

  /** Runs {@code task} with the op's arguments {@code args} on every worker; see {@link #run(Task)}. */
  @SuppressWarnings("unchecked")
  <A> void run(A args, TaskWith<A> task) {
    if (parts == 1) {
      task.run(args, 0, 1);
      return;
    }
    opArgs = args;
    taskBody = (TaskWith<Object>) task;
    try {
      run(taskWithArgs);
    } finally {
      opArgs = null;
      taskBody = null;
    }
  }

  /**
   * Splits [0, n) into {@link #parts} contiguous ranges, one per part, each running
   * {@code body} over {@code args}; runs inline when the work is below {@code minPerThread}
   * items per thread.
   */
  <A> void forRange(int n, int minPerThread, A args, Range<A> body) {
    forAlignedRange(n, 1, minPerThread, args, body);
  }

  /**
   * Like {@link #forRange}, but every range starts at a multiple of {@code align}: an element
   * then takes the vector or the scalar-tail path whatever the thread count, so results are
   * bit-identical across thread counts.
   */
  @SuppressWarnings("unchecked")
  <A> void forAlignedRange(int n, int align, int minPerThread, A args, Range<A> body) {
    if (n <= 0) return;
    int units = (n + align - 1) / align;
    if (parts == 1 || units == 1 || (long) units < 2L * Math.max(1, minPerThread / align)) {
      body.run(args, 0, n);
      return;
    }
    rangeN = n;
    rangeAlign = align;
    rangeUnits = units;
    rangeBody = (Range<Object>) body;
    opArgs = args;
    try {
      run(rangeTask);
    } finally {
      rangeBody = null;
      opArgs = null;
    }
  }

  /** Start of part {@code w} of {@code parts} equal parts of [0, n). */
  static int split(int n, int w, int parts) {
    return (int) ((long) n * w / parts);
  }

  // every part claimed by now; wait for the ones still running on workers
  private void awaitParts() {
    long start = System.nanoTime();
    int spins = 0;
    while (unfinishedParts.get() != 0) {
      if (++spins < 1024 || System.nanoTime() - start < SPIN_NANOS) {
        Thread.onSpinWait();
      } else {
        // Oversubscribed (more threads than free cores): let the workers run.
        Thread.yield();
      }
    }
  }

  /**
   * Worker {@code index}'s life: wait for a generation newer than {@code seen}, claim parts of its
   * task, wait again. It starts from the pool's first generation, not from the one current when the
   * thread first runs: a task published before that would otherwise never be seen by it, and a part
   * that waits for another ({@link #runEach}) would wait forever.
   */
  private void workerLoop(int index, long seen) {
    while (true) {
      long start = System.nanoTime();
      int spins = 0;
      while (generation.get() == seen && !closed) {
        if (++spins < 1024 || System.nanoTime() - start < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          sleeping.set(index, 1);
          // Re-check after announcing: the caller unparks sleepers after publishing a task.
          if (generation.get() == seen && !closed) LockSupport.park(this);
          sleeping.set(index, 0);
          start = System.nanoTime();
          spins = 0;
        }
      }
      if (closed) return;
      seen = generation.get();
      // Read after the generation: the task of `seen` or of a later one, whose parts the
      // generation check in claim then refuses.
      Task task = current;
      int n = runParts;
      if (task != null) runClaimedParts(task, seen, index, n);
    }
  }

  /**
   * Lends the calling thread, which is not one of this pool's, to the pool until {@code done}
   * says stop: it claims parts of the ops that begin meanwhile, the helper's part first. Returns
   * at once where the pool takes no help. Spins while ops come, then naps a tenth of a millisecond
   * at a time, so a helper costs its core nothing much while the caller is off its own.
   */
  void help(BooleanSupplier done) {
    if (capacity == threads) return;
    helpers.incrementAndGet();
    try {
      long seen = generation.get(), idleSince = System.nanoTime();
      while (!done.getAsBoolean() && !closed) {
        long g = generation.get();
        if (g != seen) {
          seen = g;
          helpWith(g);
          idleSince = System.nanoTime();
        } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          LockSupport.parkNanos(SPIN_NANOS);
        }
      }
    } finally {
      helpers.decrementAndGet();
    }
  }

  /**
   * A helper's turn at generation g: the parts it can still claim of the task published last, the
   * helper's part first. By the time it reads the task, g may be older than the task's generation;
   * then every claim fails (see the field claimed).
   */
  void helpWith(long g) {
    Task task = current;
    int n = runParts;
    if (task != null) runClaimedParts(task, g, n - 1, n);
  }

  /** The generation of the task running or last run. */
  long generation() {
    return generation.get();
  }

  private synchronized void recordFailure(Throwable t) {
    if (failure == null) failure = t;
  }

  @Override
  public void close() {
    closed = true;
    for (Thread t : workers) LockSupport.unpark(t);
  }
}

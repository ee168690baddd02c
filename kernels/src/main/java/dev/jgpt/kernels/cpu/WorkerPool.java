package dev.jgpt.kernels.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of persistent threads that run one task at a time, split into {@code threads}
 * parts. Built for kernels that take tens of microseconds: workers spin briefly between tasks
 * (a fork/join costs about a microsecond while they are hot), then park so an idle pool costs
 * nothing.
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
 * <p>Not reentrant and not thread-safe: one backend, one calling thread.
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
  private final Thread[] workers;
  // (threads) 1 while worker i is parked or about to park: written by worker i, read by the
  // caller after it publishes a task, so one of the two always sees the other (no lock per fork)
  private final AtomicIntegerArray sleeping;
  // The generation of the task running or last run: workers wait for it to change.
  private final AtomicLong generation = new AtomicLong();
  // (threads) the generation in which each part was last claimed. A part is claimed for
  // generation g by raising its entry to g; a thread that saw an older generation g' < g only
  // tries to raise entries below g', and every part of g' was claimed before g began, so it can
  // never claim a part of a newer task.
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
    this(threads, 0);
  }

  /** A pool whose first task is generation {@code lastGeneration + 1} (generations are 64-bit: they do not wrap). */
  WorkerPool(int threads, long lastGeneration) {
    if (threads < 1) throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
    this.threads = threads;
    generation.set(lastGeneration);
    claimed = new AtomicLongArray(threads);
    for (int i = 0; i < threads; i++) claimed.set(i, lastGeneration);
    this.workers = new Thread[threads - 1];
    this.sleeping = new AtomicIntegerArray(threads);
    for (int i = 1; i < threads; i++) {
      int index = i;
      Thread t = new Thread(() -> workerLoop(index), "jgpt-cpu-" + i);
      t.setDaemon(true);
      workers[i - 1] = t;
      t.start();
    }
  }

  int threads() {
    return threads;
  }

  /** Runs every part of {@code task} and returns when all have finished; rethrows a failure. */
  void run(Task task) {
    if (closed) throw new IllegalStateException("the CPU backend is closed; create a new one");
    if (threads == 1) {
      task.run(0, 1);
      return;
    }
    failure = null;
    current = task;
    unfinishedParts.set(threads);
    // A new generation with no part claimed: publishes task, arguments and count to the workers.
    long g = generation.get() + 1;
    generation.set(g);
    for (int i = 1; i < threads; i++) {
      if (sleeping.get(i) != 0) LockSupport.unpark(workers[i - 1]);
    }
    runClaimedParts(task, g, 0);
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

  /** Claims and runs parts of generation g, part {@code own} first, until none is left. */
  private void runClaimedParts(Task task, long g, int own) {
    for (int d = 0; d < threads; d++) {
      int part = own + d < threads ? own + d : own + d - threads;
      if (!claim(part, g)) continue;
      try {
        task.run(part, threads);
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
    if (threads == 1) {
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
   * Splits [0, n) into {@code threads} contiguous ranges, one per worker, each running
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
    if (threads == 1 || units == 1 || (long) units < 2L * Math.max(1, minPerThread / align)) {
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

  private void workerLoop(int index) {
    long seen = generation.get();
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
      if (task != null) runClaimedParts(task, seen, index);
    }
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

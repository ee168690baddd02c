package dev.jgpt.kernels.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of persistent threads that run one task at a time on all of them, with the
 * calling thread as worker 0. Built for kernels that take tens of microseconds: workers spin
 * briefly between tasks (a fork/join costs about a microsecond while they are hot), then park
 * so an idle pool costs nothing.
 *
 * <p>Not reentrant and not thread-safe: one backend, one calling thread.
 */
final class WorkerPool implements AutoCloseable {

  /** A task run once on every worker; {@code worker} in [0, workers). */
  @FunctionalInterface
  interface Task {
    void run(int worker, int workers);
  }

  /** A task run once on every worker with its op's arguments. */
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
  private final boolean[] sleeping; // written by worker i, read by the caller: guarded by volatile generation
  private final AtomicInteger pending = new AtomicInteger();
  private volatile long generation;
  private volatile boolean closed;
  private volatile Task current;
  private volatile Throwable failure;

  // The range being split by forAlignedRange, or the task of run(args, task), with the op's
  // arguments: plain fields, set before the fork and published to the workers by run()'s
  // volatile generation write. They, and the two tasks reading them, replace a lambda per call:
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
    if (threads < 1) throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
    this.threads = threads;
    this.workers = new Thread[threads - 1];
    this.sleeping = new boolean[threads];
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

  /** Runs {@code task} on every worker and returns when all have finished; rethrows a failure. */
  void run(Task task) {
    if (closed) throw new IllegalStateException("the CPU backend is closed; create a new one");
    if (threads == 1) {
      task.run(0, 1);
      return;
    }
    failure = null;
    current = task;
    pending.set(threads - 1);
    generation++; // publishes task and pending to the workers
    for (int i = 1; i < threads; i++) {
      if (isSleeping(i)) LockSupport.unpark(workers[i - 1]);
    }
    try {
      task.run(0, threads);
    } catch (Throwable t) {
      recordFailure(t);
    }
    awaitWorkers();
    current = null;
    Throwable f = failure;
    if (f != null) {
      failure = null;
      if (f instanceof RuntimeException r) throw r;
      if (f instanceof Error e) throw e;
      throw new IllegalStateException(f);
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

  private void awaitWorkers() {
    long start = System.nanoTime();
    int spins = 0;
    while (pending.get() != 0) {
      if (++spins < 1024 || System.nanoTime() - start < SPIN_NANOS) {
        Thread.onSpinWait();
      } else {
        // Oversubscribed (more threads than free cores): let the workers run.
        Thread.yield();
      }
    }
  }

  private synchronized boolean isSleeping(int i) {
    return sleeping[i];
  }

  private synchronized void setSleeping(int i, boolean value) {
    sleeping[i] = value;
  }

  private void workerLoop(int index) {
    long seen = 0;
    while (true) {
      long start = System.nanoTime();
      int spins = 0;
      while (generation == seen && !closed) {
        if (++spins < 1024 || System.nanoTime() - start < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          setSleeping(index, true);
          // Re-check after announcing: the caller unparks sleepers after bumping generation.
          if (generation == seen && !closed) LockSupport.park(this);
          setSleeping(index, false);
          start = System.nanoTime();
          spins = 0;
        }
      }
      if (closed) return;
      seen = generation;
      Task task = current;
      try {
        task.run(index, threads);
      } catch (Throwable t) {
        recordFailure(t);
      }
      pending.decrementAndGet();
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

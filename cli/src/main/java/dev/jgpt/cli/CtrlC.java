package dev.jgpt.cli;

import dev.jgpt.transformer.run.StopSignal;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Ctrl-C (SIGINT) or a kill (SIGTERM) while a command writes something it has not finished (a
 * token file, a tokenizer). The JVM then runs its shutdown hooks and halts, without running the
 * finally blocks that remove partial files. The hook installed here instead raises a flag that
 * the work checks between pieces; the work stops with a {@link StoppedException}, its finally
 * blocks remove what it half wrote, the error handler prints one line, and only then does the
 * hook return and let the JVM halt.
 *
 * <p>Use: {@code try (CtrlC ctrlC = CtrlC.install()) { ... ctrlC.throwIfStopped("reading x") ... }}.
 * The training pipeline sees it only as a {@link StopSignal}.
 */
final class CtrlC implements StopSignal, AutoCloseable {
  /** How long the hook waits for the work to stop before the JVM halts anyway. */
  private static final long WAIT_SECONDS = 10;

  /** How commands get theirs; tests swap in {@link #stopAtCheck}, the in-process stand-in for a signal. */
  static volatile Supplier<CtrlC> installer = CtrlC::withShutdownHook;

  private final AtomicInteger checks = new AtomicInteger();
  private final int stopAtCheck; // the flag reads true from this check on; 0 = only when the hook raises it
  private volatile boolean stopRequested;
  private volatile boolean stopThrown;
  private final CountDownLatch released = new CountDownLatch(1);
  private Thread hook;

  private CtrlC(int stopAtCheck) {
    this.stopAtCheck = stopAtCheck;
  }

  static CtrlC install() {
    return installer.get();
  }

  private static CtrlC withShutdownHook() {
    CtrlC ctrlC = new CtrlC(0);
    ctrlC.hook = new Thread(() -> {
      ctrlC.stopRequested = true;
      try {
        ctrlC.released.await(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "jgpt-ctrl-c");
    Runtime.getRuntime().addShutdownHook(ctrlC.hook);
    return ctrlC;
  }

  /** A CtrlC without a hook whose flag goes up at the {@code n}-th check (1 = the first): Ctrl-C at a known point, for tests. */
  static CtrlC stopAtCheck(int n) {
    if (n < 1) throw new IllegalArgumentException("n must be at least 1, got " + n);
    return new CtrlC(n);
  }

  /** Whether Ctrl-C was pressed; the work calls this between pieces and then stops with {@link #stopped}. */
  @Override
  public boolean stopRequested() {
    if (stopAtCheck > 0 && checks.incrementAndGet() >= stopAtCheck) stopRequested = true;
    return stopRequested;
  }

  /**
   * The exception that ends the work; {@code what} says what was stopped and what became of its
   * files ("tokenizing x; the partial token file was removed"). Reporting it releases the hook.
   */
  @Override
  public StoppedException stopped(String what) {
    stopThrown = true;
    return new StoppedException("interrupted while " + what, released::countDown);
  }

  /** Ends the guarded work: without a stop the hook is removed; after one, the error handler's report releases it. */
  @Override
  public void close() {
    if (!stopThrown) released.countDown();
    if (hook != null && !stopRequested) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it waits on `released`
      }
    }
  }

  /** The work stopped on Ctrl-C; its message is the one line the user sees (exit 130). */
  static final class StoppedException extends RuntimeException {
    private final transient Runnable onReported;

    StoppedException(String message, Runnable onReported) {
      super(message);
      this.onReported = onReported;
    }

    /** Called once the message is printed: the shutdown hook may now let the JVM halt. */
    void reported() {
      onReported.run();
    }
  }
}

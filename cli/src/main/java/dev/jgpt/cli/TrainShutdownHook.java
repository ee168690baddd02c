package dev.jgpt.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C and SIGTERM for {@code jgpt train}. Both run the JVM's shutdown hooks, and the JVM
 * halts as soon as the hooks return, whatever the main thread is doing. So the hook asks the
 * running trainer to stop and then waits until the whole command is done: the checkpoint saved
 * and the closing lines ("continue with: jgpt train --resume ...") printed and flushed. Waiting
 * only for the trainer lost those lines to the race with the exit.
 */
final class TrainShutdownHook implements AutoCloseable {
  /** How long the hook waits for the command; a checkpoint of a large model takes seconds. */
  private static final long WAIT_MINUTES = 5;

  private final Thread thread = new Thread(this::onShutdown, "jgpt-train-shutdown");
  private final CountDownLatch commandDone = new CountDownLatch(1);
  private volatile Runnable stopTrainer;
  private volatile boolean stopRequested;

  /** A hook registered with the JVM until {@link #close}. */
  static TrainShutdownHook install() {
    TrainShutdownHook hook = new TrainShutdownHook();
    Runtime.getRuntime().addShutdownHook(hook.thread);
    return hook;
  }

  /**
   * Makes {@code requestStop} the trainer a signal stops (each fold of --folds has its own); a
   * signal that came before it stops it at once.
   */
  void watch(Runnable requestStop) {
    stopTrainer = requestStop;
    if (stopRequested) requestStop.run();
  }

  /** The hook's body (a test calls it directly). Before any trainer runs there is nothing to save. */
  void onShutdown() {
    Runnable stop = stopTrainer;
    if (stop == null) return;
    stopRequested = true;
    System.err.println("\ninterrupted: saving a checkpoint at the end of this step...");
    System.err.flush();
    stop.run();
    try {
      commandDone.await(WAIT_MINUTES, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The command has printed its last line: flush it and let a waiting hook (and the JVM) finish. */
  @Override
  public void close() {
    System.out.flush();
    System.err.flush();
    commandDone.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(thread);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting: the hook is running and has just been released
    }
  }
}

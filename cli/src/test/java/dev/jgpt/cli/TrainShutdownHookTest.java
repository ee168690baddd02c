package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JVM exits when its shutdown hooks return: the hook must hold the exit until the command
 * has printed its closing lines, not just until the trainer has stopped.
 */
class TrainShutdownHookTest {

  @Test
  void theHookStopsTheTrainerAndWaitsForTheCommandToFinish() throws Exception {
    TrainShutdownHook hook = new TrainShutdownHook();
    CountDownLatch stopped = new CountDownLatch(1);
    hook.watch(stopped::countDown);
    Thread signal = new Thread(hook::onShutdown);
    signal.start();
    assertTrue(stopped.await(10, TimeUnit.SECONDS), "the trainer was asked to stop");
    signal.join(200);
    assertTrue(signal.isAlive(), "the trainer has stopped but the summary is not printed yet: the hook still waits");
    hook.close(); // the command printed its last line
    signal.join(10_000);
    assertFalse(signal.isAlive());
  }

  @Test
  void aSignalBeforeTheTrainerStartsStopsItWhenItDoes() throws Exception {
    TrainShutdownHook hook = new TrainShutdownHook();
    CountDownLatch first = new CountDownLatch(1);
    hook.watch(first::countDown);
    Thread signal = new Thread(hook::onShutdown);
    signal.start();
    assertTrue(first.await(10, TimeUnit.SECONDS));
    CountDownLatch nextFold = new CountDownLatch(1);
    hook.watch(nextFold::countDown);
    assertTrue(nextFold.await(0, TimeUnit.SECONDS), "the next fold's trainer is stopped at once");
    hook.close();
    signal.join(10_000);
  }

  @Test
  void withoutATrainerTheHookDoesNotHoldTheExit() throws Exception {
    TrainShutdownHook hook = new TrainShutdownHook();
    Thread signal = new Thread(hook::onShutdown);
    signal.start();
    signal.join(10_000);
    assertFalse(signal.isAlive(), "data preparation is simply cut short");
    hook.close();
  }
}

package dev.jgpt.transformer;

import java.nio.file.Path;

/**
 * A second process for {@link RunLockTest}: locks the run folder given as its argument, says
 * "locked", and holds the lock until its standard input closes or it is killed.
 */
public final class RunLockHolder {
  private RunLockHolder() {}

  public static void main(String[] args) throws Exception {
    try (RunLock lock = RunLock.acquire(Path.of(args[0]))) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold the lock
      }
    }
  }
}

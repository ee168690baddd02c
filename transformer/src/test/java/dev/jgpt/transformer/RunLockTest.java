package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One trainer per run folder: an OS lock with the holder's pid, taken over when its process dies. */
class RunLockTest {
  @TempDir Path tmp;

  private static final String PID = Long.toString(ProcessHandle.current().pid());

  @Test
  void aFolderTheLockMadeAndNothingElseUsedIsRemovedOnRelease() throws Exception {
    Path fresh = tmp.resolve("fresh");
    RunLock.acquire(fresh).close();
    assertFalse(Files.exists(fresh), "a start that failed before writing anything leaves no folder");

    Path used = tmp.resolve("used");
    try (RunLock lock = RunLock.acquire(used)) {
      Files.writeString(used.resolve("config.json"), "{}");
    }
    assertTrue(Files.exists(used.resolve(RunLock.FILE)), "a folder with files keeps its lock file");

    Path existing = Files.createDirectories(tmp.resolve("existing"));
    RunLock.acquire(existing).close();
    assertTrue(Files.isDirectory(existing), "a folder the user made stays");
  }

  @Test
  void theHolderWritesItsPidAndASecondTrainerHereIsRefused() throws Exception {
    Path run = tmp.resolve("run");
    try (RunLock lock = RunLock.acquire(run)) {
      assertEquals(PID, Files.readString(run.resolve(RunLock.FILE)).strip());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> RunLock.acquire(run));
      assertTrue(e.getMessage().contains("in use by another jgpt train (pid " + PID + ")"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
    }
    try (RunLock again = RunLock.acquire(run)) {
      assertTrue(Files.exists(run.resolve(RunLock.FILE)), "released, then taken again");
    }
  }

  @Test
  void anotherProcessIsRefusedWhileItHoldsTheLockWhichDiesWithIt() throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RunLockHolder.class.getName(),
        // stderr apart: the JVM may print notices there (e.g. "Picked up JAVA_TOOL_OPTIONS") before "locked"
        run.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked", out.readLine());

      IllegalStateException e = assertThrows(IllegalStateException.class, () -> RunLock.acquire(run));
      assertTrue(e.getMessage().contains("(pid " + holder.pid() + ")"), e.getMessage());

      holder.destroyForcibly(); // kill -9: the stale lock file stays, the OS lock goes
      assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
      assertEquals(Long.toString(holder.pid()), Files.readString(run.resolve(RunLock.FILE)).strip());
      try (RunLock lock = RunLock.acquire(run)) {
        assertEquals(PID, Files.readString(run.resolve(RunLock.FILE)).strip(), "the stale lock is taken over");
      }
    } finally {
      holder.destroyForcibly();
    }
  }
}

package dev.jgpt.cli.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFinderTest {

  private static Path run(Path root, String name, long modifiedMillis) throws IOException {
    Path dir = Files.createDirectories(root.resolve(name));
    Path state = Files.writeString(dir.resolve("state.json"), "{}");
    Files.setLastModifiedTime(state, FileTime.fromMillis(modifiedMillis));
    return dir;
  }

  @Test
  void theMostRecentlySavedRunIsTheDefault(@TempDir Path root) throws IOException {
    Path old = run(root, "old", 1_000_000);
    Path recent = run(root, "recent", 3_000_000);
    Path middle = run(root, "middle", 2_000_000);
    Files.createDirectories(root.resolve("not-a-run")); // no state.json
    assertEquals(List.of(recent, middle, old), RunFinder.runs(root));
    assertEquals(recent, RunFinder.choose(null, root));
    assertEquals(old, RunFinder.choose(old, root), "--run wins");
  }

  @Test
  void withoutRunsTheErrorSaysHowToGetOne(@TempDir Path root) {
    var e = assertThrows(IllegalStateException.class, () -> RunFinder.choose(null, root.resolve("runs")));
    assertTrue(e.getMessage().startsWith("no trained run found under "), e.getMessage());
    assertTrue(e.getMessage().contains("jgpt train"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }
}

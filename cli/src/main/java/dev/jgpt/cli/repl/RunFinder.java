package dev.jgpt.cli.repl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which run folder to open when the user names none: the most recently trained one under
 * {@code runs/} (by the time its checkpoint was last written).
 */
public final class RunFinder {
  /** The file every finished checkpoint has; its modification time is the run's age. */
  private static final String STATE = "state.json";

  private RunFinder() {}

  /** {@code explicit} when given, else the newest run under {@code runsRoot}; a one-line error when there is none. */
  public static Path choose(Path explicit, Path runsRoot) {
    if (explicit != null) return explicit;
    List<Path> runs = runs(runsRoot);
    if (runs.isEmpty()) {
      throw new IllegalStateException("no trained run found under " + runsRoot
          + "/: train one with 'jgpt train' or name one with --run DIR");
    }
    return runs.get(0);
  }

  /** Run folders under {@code runsRoot} (those with a state.json), newest first; empty when there is no such folder. */
  public static List<Path> runs(Path runsRoot) {
    if (!Files.isDirectory(runsRoot)) return List.of();
    List<Path> found = new ArrayList<>();
    try (Stream<Path> s = Files.list(runsRoot)) {
      s.filter(d -> Files.isRegularFile(d.resolve(STATE))).forEach(found::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + runsRoot + ": " + e.getMessage(), e);
    }
    found.sort((a, b) -> modified(b.resolve(STATE)).compareTo(modified(a.resolve(STATE))));
    return found;
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }
}

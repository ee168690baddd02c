package dev.jgpt.transformer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * What a trainer does to its run folder when it starts, holding the folder's {@link RunLock}
 * (the only time anyone may): finish or discard the save a killed trainer left (in the run
 * folder, best/ and each snapshot), remove the temporary files of its killed writes, and drop a
 * snapshot whose copy was killed before it was whole.
 */
public final class RunRecovery {
  private RunRecovery() {}

  /** The folder where --keep-last keeps older checkpoints, as step-NNNNNNN/. */
  public static final String SNAPSHOTS = "checkpoints";

  public static void recover(Path runDir) throws IOException {
    if (!Files.isDirectory(runDir)) return;
    Checkpoint.recover(runDir);
    Path best = runDir.resolve("best");
    if (Files.isDirectory(best)) Checkpoint.recover(best);
    for (Path snapshot : snapshots(runDir)) {
      Checkpoint.recover(snapshot);
      // a snapshot's state.json is copied last: without it the copy was cut short
      if (!Checkpoint.exists(snapshot)) deleteTree(snapshot);
    }
  }

  /** The snapshot folders under checkpoints/, oldest first (their names sort by step). */
  public static List<Path> snapshots(Path runDir) throws IOException {
    Path dir = runDir.resolve(SNAPSHOTS);
    if (!Files.isDirectory(dir)) return List.of();
    try (var list = Files.list(dir)) {
      return list.filter(p -> p.getFileName().toString().startsWith("step-") && Files.isDirectory(p)).sorted().toList();
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}

package dev.jgpt.transformer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * What a checkpoint folder's files look like on disk (identity, size, modification time of the
 * state and tensor files, committed and pending). A save only ever creates files and renames
 * them over others, so two equal fingerprints taken around a read mean no save touched the
 * folder during it: a reader that failed then has met real damage, not a commit in progress.
 */
record FolderFingerprint(List<String> files) {

  private static final List<String> NAMES = List.of(Checkpoint.STATE, Checkpoint.MODEL, Checkpoint.OPTIMIZER);

  static FolderFingerprint of(Path dir) {
    List<String> files = new ArrayList<>();
    for (String name : NAMES) {
      files.add(describe(dir.resolve(name)));
      files.add(describe(dir.resolve(name + Checkpoint.PENDING)));
    }
    return new FolderFingerprint(List.copyOf(files));
  }

  private static String describe(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return file.getFileName() + " " + a.fileKey() + " " + a.size() + " " + a.lastModifiedTime().toInstant();
    } catch (NoSuchFileException e) {
      return file.getFileName() + " absent";
    } catch (IOException e) {
      return file.getFileName() + " unreadable: " + e.getMessage();
    }
  }
}

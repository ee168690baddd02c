package dev.jgpt.transformer;

import dev.jgpt.common.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Atomic file writes for checkpoints: the bytes go to a temporary file in the same folder, are
 * forced to disk, then the file is renamed over the target. A kill or a full disk at any instant
 * leaves either the old file or the new one, never half of one.
 */
public final class CheckpointFiles {
  private CheckpointFiles() {}

  /** Writes {@code text} (UTF-8) to {@code target} atomically. */
  public static void writeString(Path target, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    write(target, out -> out.write(bytes));
  }

  /**
   * Writes to {@code target} atomically ({@link AtomicFile}) through {@link #tempName}, which
   * {@link #removeTempFiles} recognises; a full disk says that the previous checkpoint is intact.
   */
  public static void write(Path target, AtomicFile.StreamWriter writer) throws IOException {
    try {
      AtomicFile.writeStream(target, tempName(target), writer);
    } catch (IOException | RuntimeException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (reason.contains("No space left") || reason.contains("Disk quota")) {
        throw new IOException("could not write " + target + ": the disk is full; the previous checkpoint is intact, "
            + "free some space and continue with --resume", e);
      }
      if (e instanceof IOException) throw new IOException("could not write " + target + ": " + reason, e);
      throw e;
    }
  }

  /**
   * The temporary name {@link #write} uses for {@code target}: hidden, in the same folder (so the
   * rename stays on one file system), with the writer's pid.
   */
  public static Path tempName(Path target) {
    Path dir = target.toAbsolutePath().getParent();
    return dir.resolve("." + target.getFileName() + TEMP_MARK + ProcessHandle.current().pid());
  }

  /**
   * Removes the temporary files that writers killed mid-write left in {@code dir} (a kill -9
   * during a checkpoint leaves a whole model's worth of bytes behind). Only for the folder's one
   * writer, the trainer holding the run lock: another writer's temporary file would be in use.
   *
   * @return how many files were removed
   */
  public static int removeTempFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return 0;
    int removed = 0;
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(CheckpointFiles::isTempFile).toList()) {
        if (Files.deleteIfExists(f)) removed++;
      }
    }
    return removed;
  }

  /** A checkpoint's temporary file, or {@link AtomicFile}'s (the run's tokenizer.json is written through it). */
  static boolean isTempFile(Path p) {
    String name = p.getFileName().toString();
    return (TEMP_FILE.matcher(name).matches() || AtomicFile.isTemporaryName(name)) && Files.isRegularFile(p);
  }

  private static final String TEMP_MARK = ".tmp-";
  private static final Pattern TEMP_FILE = Pattern.compile("\\..+\\.tmp-[0-9]+");

  /** CRC-32C of bytes already read, as {@link #crc32c(Path)} gives it for a file holding them. */
  public static String crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return String.format("%08x", crc.getValue());
  }

  /** CRC-32C of a file, as 8 hex digits: recorded in state.json to detect mixed or damaged files. */
  public static String crc32c(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return crc32c(ch);
    }
  }

  /** CRC-32C of an open file's whole content, read from its start (the channel's position is left alone). */
  public static String crc32c(FileChannel ch) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    for (long position = 0; ; ) {
      int n = ch.read(buf, position);
      if (n <= 0) break;
      position += n;
      buf.flip();
      crc.update(buf);
      buf.clear();
    }
    return String.format("%08x", crc.getValue());
  }
}

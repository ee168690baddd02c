package dev.jgpt.common;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Writes a file under a temporary name in the same folder, syncs it, then renames it into place:
 * a kill at any instant leaves either the old file or the new one, never a torn one. The one
 * place in jgpt that does this; callers whose leftovers someone cleans up by name (checkpoints,
 * the token cache's {@code .part} files) pass their own temporary name.
 */
public final class AtomicFile {
  private AtomicFile() {}

  private static final AtomicLong COUNTER = new AtomicLong();

  /** Writes a file's bytes to a stream (not buffered: wrap it when writing many small pieces). */
  @FunctionalInterface
  public interface StreamWriter {
    void write(OutputStream out) throws IOException;
  }

  /** Writes a file through its channel, which starts at position 0 (free to write anywhere), and returns a result. */
  @FunctionalInterface
  public interface ChannelWriter<T> {
    T write(FileChannel channel) throws IOException;
  }

  /** Writes {@code content} to {@code target}. */
  public static void write(Path target, byte[] content) throws IOException {
    writeStream(target, out -> out.write(content));
  }

  /** Writes what {@code writer} produces to {@code target}. */
  public static void writeStream(Path target, StreamWriter writer) throws IOException {
    writeStream(target, temporaryName(target), writer);
  }

  /** As {@link #writeStream(Path, StreamWriter)}, through {@code temporary} (in the target's folder). */
  public static void writeStream(Path target, Path temporary, StreamWriter writer) throws IOException {
    writeChannel(target, temporary, channel -> {
      writer.write(Channels.newOutputStream(channel));
      return null;
    });
  }

  /**
   * Writes {@code target} through {@code temporary} (in the target's folder, so the rename stays
   * on one file system; created or truncated): {@code writer} fills it, it is forced to disk,
   * then renamed over {@code target}. On any failure the temporary file is removed and the old
   * {@code target}, if any, is untouched.
   *
   * @return what {@code writer} returned
   */
  public static <T> T writeChannel(Path target, Path temporary, ChannelWriter<T> writer) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir != null) Files.createDirectories(dir);
    try {
      T result;
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        result = writer.write(channel);
        channel.force(true); // on disk before the rename makes it the file
      }
      try {
        Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
      return result;
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /**
   * Whether {@code fileName} is one of the temporary names {@link #writeStream(Path, StreamWriter)}
   * and {@link #write} use, for cleaning up after a writer that was killed mid-write.
   */
  public static boolean isTemporaryName(String fileName) {
    return TEMPORARY_NAME.matcher(fileName).matches();
  }

  private static final Pattern TEMPORARY_NAME = Pattern.compile("\\..+\\.[0-9]+\\.[0-9]+\\.tmp");

  /**
   * A hidden name beside {@code target}, unique to this process and write. Not
   * Files.createTempFile: that makes the file owner-only; this one gets the usual permissions.
   */
  private static Path temporaryName(Path target) {
    Path absolute = target.toAbsolutePath();
    return absolute.resolveSibling("." + absolute.getFileName() + "." + ProcessHandle.current().pid() + "."
        + COUNTER.incrementAndGet() + ".tmp");
  }
}

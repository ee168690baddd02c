package dev.jgpt.common;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file under a temporary name in the same folder, syncs it, then renames it into place:
 * a kill at any instant leaves either the old file or the new one, never a torn one.
 */
public final class AtomicFile {
  private AtomicFile() {}

  private static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();

  public static void write(Path target, byte[] content) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir != null) Files.createDirectories(dir);
    // Not Files.createTempFile: that makes the file owner-only; this one gets the usual permissions.
    Path tmp = absolute.resolveSibling("." + absolute.getFileName() + "." + ProcessHandle.current().pid() + "."
        + COUNTER.incrementAndGet() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
          OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
        out.write(content);
        out.flush();
        ch.force(true);
      }
      try {
        Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}

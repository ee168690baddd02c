package dev.jgpt.transformer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one-writer rule of a run folder: the trainer holds an OS lock on {@code DIR/.lock} (with
 * its pid written inside) for its whole life, and only the holder saves, recovers or deletes
 * anything in the folder. A second trainer is refused with the holder's pid. The OS drops the
 * lock when its process dies, however it dies, so a lock file left by a killed trainer is simply
 * taken over (and its pid replaced). The file itself stays: deleting it on release would let two
 * processes lock two different files of the same name. The one exception: a folder this lock
 * created that still holds nothing but the lock file when it is released (a run that failed or
 * was stopped before its first file, e.g. a bad flag found while tokenizing) is removed, so a
 * failed start leaves no empty run folder behind.
 */
public final class RunLock implements AutoCloseable {
  /** The lock file's name in the run folder. */
  public static final String FILE = ".lock";

  /**
   * Folders locked by this JVM. POSIX locks belong to the process, so a second lock attempt
   * from the same JVM would not be refused by the OS (and closing its channel would drop the
   * first holder's lock): this set refuses it first.
   */
  private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;
  private final boolean createdFolder; // the folder did not exist before this lock

  private RunLock(Path key, FileChannel channel, FileLock lock, boolean createdFolder) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
    this.createdFolder = createdFolder;
  }

  /**
   * Locks {@code dir} (created if needed) for this process, or throws a one-line
   * IllegalStateException naming the pid of the process that holds it.
   */
  public static RunLock acquire(Path dir) throws IOException {
    boolean created = !Files.exists(dir);
    Files.createDirectories(dir);
    Path key = dir.toRealPath();
    if (!HELD_HERE.add(key)) throw busy(dir, Long.toString(ProcessHandle.current().pid()));
    try {
      FileChannel channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String holder = readPid(channel);
        channel.close();
        throw busy(dir, holder);
      }
      writePid(channel);
      return new RunLock(key, channel, lock, created);
    } catch (IOException | RuntimeException e) {
      HELD_HERE.remove(key);
      throw e;
    }
  }

  /** The pid written in the lock file (whoever held it last), or "unknown". */
  private static String readPid(FileChannel channel) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(64);
    channel.read(buf, 0);
    String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
    return pid.matches("[0-9]+") ? pid : "unknown";
  }

  private static void writePid(FileChannel channel) throws IOException {
    channel.truncate(0);
    ByteBuffer pid = ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
    while (pid.hasRemaining()) channel.write(pid, pid.position());
    channel.force(true);
  }

  private static IllegalStateException busy(Path dir, String pid) {
    return new IllegalStateException(dir + " is in use by another jgpt train (pid " + pid + "); wait for it to finish, "
        + "stop it, or train into another --out");
  }

  /** Releases the lock (the file stays, unless its folder is an empty one this lock made: see the class comment). */
  @Override
  public void close() throws IOException {
    try {
      if (createdFolder && holdsOnlyTheLock()) {
        Files.deleteIfExists(key.resolve(FILE)); // still locked: nobody else can be holding it
        Files.deleteIfExists(key);
      }
      if (lock.isValid()) lock.release();
      channel.close();
    } finally {
      HELD_HERE.remove(key);
    }
  }

  private boolean holdsOnlyTheLock() throws IOException {
    try (var files = Files.list(key)) {
      return files.allMatch(f -> f.getFileName().toString().equals(FILE));
    }
  }
}

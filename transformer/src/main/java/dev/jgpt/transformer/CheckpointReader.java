package dev.jgpt.transformer;

import dev.jgpt.common.JsonFiles;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the newest committed checkpoint of a folder without writing anything to it, so that
 * generate, score, the REPL and serve can open a run while its trainer keeps saving (only the
 * trainer, holding the {@link RunLock}, finishes or discards an interrupted save).
 *
 * <p>Which checkpoint is the newest committed one follows from {@link Checkpoint#save}'s
 * journal: once {@code state.json.new} exists (it appears whole, by a rename) its save is
 * committed, and each of its tensor files is either still pending ({@code F.new}) or already
 * renamed into place ({@code F}); before that, {@code state.json} and the plain files are the
 * checkpoint. Every file is read once into memory, its CRC-32C checked against the state, and
 * those same bytes parsed, so a rename landing after the read cannot mix checkpoints.
 *
 * <p>A save landing during the read shows as a vanished file or a checksum that does not match;
 * the read is then tried again. A failure while nothing in the folder changed is real damage and
 * is reported at once.
 */
public final class CheckpointReader {
  private CheckpointReader() {}

  /** Tries before giving up on a folder that changes under every read. */
  static final int MAX_ATTEMPTS = 50;

  /**
   * A checkpoint as read: its state and the tensor files asked for, each checked against the
   * checksum the state lists for it.
   *
   * @param stateFile the state file it was read from (state.json, or state.json.new of a
   *     committed save whose renames are not done yet)
   */
  public record Committed(Path dir, Path stateFile, CheckpointState state, Map<String, Safetensors> tensors)
      implements AutoCloseable {
    public Committed {
      tensors = Map.copyOf(tensors);
    }

    /**
     * Closes the tensor files read through their open file (over the in-memory limit, or read
     * for streaming); those read into memory hold nothing open.
     */
    @Override
    public void close() throws IOException {
      closeAll(tensors.values());
    }

    /** The parsed tensor file {@code name} (e.g. {@link Checkpoint#MODEL}); it was asked for. */
    public Safetensors tensors(String name) {
      Safetensors st = tensors.get(name);
      if (st == null) throw new IllegalStateException(name + " was not read from " + dir);
      return st;
    }
  }

  /** Reads the state and the tensor files named in {@code files}, verifying only those. */
  public static Committed read(Path dir, Set<String> files) throws IOException {
    return read(dir, state -> files, () -> {});
  }

  /**
   * As {@link #read(Path, Set)}, but every tensor file, whatever its size, is checked through its
   * open file and its tensors read from that file later, as files over 2 GiB always are: for a
   * reader that streams the tensors into a backend one at a time and should not hold the whole
   * file on the heap first (generate opening a run).
   */
  public static Committed readStreaming(Path dir, Set<String> files) throws IOException {
    return read(dir, state -> files, () -> {}, -1);
  }

  /** Reads the state and every tensor file it lists, verifying them all. */
  public static Committed readListed(Path dir) throws IOException {
    return read(dir, state -> state.fileChecksums().keySet(), () -> {});
  }

  /**
   * The read, tried again while the folder changes under it; {@code afterStateRead} runs on each
   * try between reading the state and reading the tensors (tests land a save there).
   */
  static Committed read(Path dir, Function<CheckpointState, Collection<String>> files, Runnable afterStateRead)
      throws IOException {
    return read(dir, files, afterStateRead, inMemoryLimit);
  }

  // inMemoryUpTo: tensor files up to this size are read whole into memory, larger ones from the open file (-1: all)
  private static Committed read(Path dir, Function<CheckpointState, Collection<String>> files,
      Runnable afterStateRead, long inMemoryUpTo) throws IOException {
    for (int attempt = 1; ; attempt++) {
      FolderFingerprint before = FolderFingerprint.of(dir);
      try {
        return readOnce(dir, files, afterStateRead, inMemoryUpTo);
      } catch (IOException | RuntimeException e) {
        if (FolderFingerprint.of(dir).equals(before)) throw e; // nothing moved: the problem is in the files
        if (attempt == MAX_ATTEMPTS) {
          throw new IOException(dir + " changed under each of " + MAX_ATTEMPTS + " reads (a trainer is saving "
              + "checkpoints faster than they can be read); try again", e);
        }
        pause(attempt);
      }
    }
  }

  private static Committed readOnce(Path dir, Function<CheckpointState, Collection<String>> files,
      Runnable afterStateRead, long inMemoryUpTo) throws IOException {
    Path stateFile = dir.resolve(Checkpoint.STATE + Checkpoint.PENDING);
    byte[] stateBytes = readIfExists(stateFile);
    boolean committedSavePending = stateBytes != null;
    if (!committedSavePending) {
      stateFile = dir.resolve(Checkpoint.STATE);
      stateBytes = readIfExists(stateFile);
      if (stateBytes == null) {
        throw new NoSuchFileException(stateFile + " (no checkpoint in " + dir + ": train one with jgpt train --out " + dir + ")");
      }
    }
    CheckpointState state = CheckpointState.parse(JsonFiles.decode(stateBytes, stateFile),
        stateFile.toString());
    afterStateRead.run();
    Map<String, Safetensors> tensors = new LinkedHashMap<>();
    try {
      readTensors(dir, files.apply(state), state, stateFile, committedSavePending, inMemoryUpTo, tensors);
    } catch (IOException | RuntimeException e) {
      try {
        closeAll(tensors.values()); // the files read before the failure
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return new Committed(dir, stateFile, state, tensors);
  }

  // reads each tensor file in names into tensors, checked against the state's checksums
  private static void readTensors(Path dir, Collection<String> names, CheckpointState state, Path stateFile,
      boolean committedSavePending, long inMemoryUpTo, Map<String, Safetensors> tensors) throws IOException {
    for (String name : names) {
      String expected = state.fileChecksums().get(name);
      if (expected == null) {
        throw new IOException(dir + " holds no " + name + " (" + stateFile.getFileName() + " does not list it; "
            + "a weights-only checkpoint such as best/ cannot be resumed)");
      }
      FileChannel ch = committedSavePending ? openIfExists(dir.resolve(name + Checkpoint.PENDING)) : null;
      if (ch == null) ch = openIfExists(dir.resolve(name));
      Path file = dir.resolve(name);
      if (ch == null) {
        throw new IOException(file + " is missing but " + stateFile + " lists it; the checkpoint is incomplete: "
            + "restore the file or start a new run");
      }
      tensors.put(name, checked(file, ch, expected, stateFile, inMemoryUpTo));
    }
  }

  /** Closes every file, then throws the first failure (with the others suppressed), if any. */
  private static void closeAll(Collection<Safetensors> files) throws IOException {
    IOException first = null;
    for (Safetensors st : files) {
      try {
        st.close();
      } catch (IOException e) {
        if (first == null) first = e;
        else first.addSuppressed(e);
      }
    }
    if (first != null) throw first;
  }

  /**
   * Files up to this size are read whole into memory; larger ones (GPT-2 large, xl) are read per
   * tensor from the open file.
   */
  static long inMemoryLimit = Integer.MAX_VALUE - 8;

  /**
   * The tensor file open in {@code ch}, parsed after its CRC-32C matched {@code expected}. A file
   * of at most {@code inMemoryUpTo} bytes is read into memory and the bytes checked are the bytes
   * parsed; a larger one is checked through the channel and stays open in the result, its tensors
   * read from it later: from the same file, whatever rename lands on its name meanwhile (a save
   * never writes into a committed file, only renames a new one over it).
   */
  private static Safetensors checked(Path file, FileChannel ch, String expected, Path stateFile, long inMemoryUpTo)
      throws IOException {
    boolean keepOpen = false;
    try {
      if (ch.size() <= inMemoryUpTo) {
        byte[] bytes = readAll(ch);
        requireChecksum(file, CheckpointFiles.crc32c(bytes), expected, stateFile);
        return Safetensors.parse(file, bytes);
      }
      requireChecksum(file, CheckpointFiles.crc32c(ch), expected, stateFile);
      Safetensors st = Safetensors.read(file, ch);
      keepOpen = true;
      return st;
    } finally {
      if (!keepOpen) ch.close();
    }
  }

  private static void requireChecksum(Path file, String actual, String expected, Path stateFile) throws IOException {
    if (!actual.equals(expected)) {
      throw new IOException(file + " is damaged or belongs to another checkpoint (CRC-32C " + actual + ", "
          + stateFile.getFileName() + " says " + expected + "); use another checkpoint or start a new run");
    }
  }

  /** The file open for reading, or null when there is none (it may also vanish between a check and the open). */
  private static FileChannel openIfExists(Path file) throws IOException {
    try {
      return FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static byte[] readAll(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(ch.size()));
    while (buf.hasRemaining()) {
      if (ch.read(buf, buf.position()) < 0) throw new IOException("unexpected end of file");
    }
    return buf.array();
  }

  /** The whole file, or null when there is none (it may also vanish between the check and the read). */
  private static byte[] readIfExists(Path file) throws IOException {
    try {
      if (Files.size(file) > Integer.MAX_VALUE) throw new IOException(file + " is larger than 2 GiB, which jgpt does not read");
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static void pause(int attempt) throws InterruptedIOException {
    try {
      Thread.sleep(Math.min(attempt, 20)); // a save's renames take microseconds; its writes take longer
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading a checkpoint");
    }
  }
}

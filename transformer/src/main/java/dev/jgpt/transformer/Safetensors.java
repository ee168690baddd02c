package dev.jgpt.transformer;

import dev.jgpt.common.AtomicFile;
import dev.jgpt.common.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format (Hugging Face): jgpt writes F32 and reads F32, F16 and BF16. An 8-byte little-endian header length N, N
 * bytes of JSON mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets}
 * (relative to the end of the header) plus an optional {@code __metadata__} map of strings, then
 * the raw little-endian data. Files written here load in Python with
 * {@code safetensors.torch.load_file}; files read here are checked so that a truncated or
 * damaged file is a one-line error, not garbage weights.
 */
public final class Safetensors implements AutoCloseable {

  /** One tensor to write: {@code shape} elements of {@code data} starting at {@code offset}. */
  public record Tensor(String name, int[] shape, float[] data, int offset) {
    public long numel() {
      long n = 1;
      for (int d : shape) n *= d;
      return n;
    }
  }

  /** One tensor in a file that was read: its shape, element type and where its bytes are. */
  public record Entry(String name, int[] shape, Dtype dtype, long begin, long end) {
    public long numel() {
      return (end - begin) / dtype.bytes;
    }
  }

  /** The element types of the format; jgpt reads the float ones as weights. */
  public enum Dtype {
    F32(4), F16(2), BF16(2), F64(8), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }

    boolean isFloat() {
      return this == F32 || this == F16 || this == BF16;
    }

    static Dtype named(String name) {
      for (Dtype d : values()) if (d.name().equals(name)) return d;
      return null;
    }
  }

  private static final long MAX_HEADER = 100L << 20;

  private final Path file;
  private final Map<String, String> metadata;
  private final Map<String, Entry> entries;
  private final long dataStart; // file position of the first tensor byte (8 + header length)
  private final byte[] bytes; // the whole file when it was parsed from memory; null: read tensors from the file
  // the open file tensors are read from (a checkpoint checked by its checksum: a later rename of
  // the path cannot swap it), or null: open the path for each tensor
  private final FileChannel channel;

  private Safetensors(Path file, Map<String, String> metadata, Map<String, Entry> entries, long dataStart, byte[] bytes,
      FileChannel channel) {
    this.file = file;
    this.metadata = metadata;
    this.entries = entries;
    this.dataStart = dataStart;
    this.bytes = bytes;
    this.channel = channel;
  }

  /**
   * Closes the file the tensors are read from, when one was kept open ({@link #read(Path,
   * FileChannel)}); a file parsed from memory or read per tensor holds nothing open.
   */
  @Override
  public void close() throws IOException {
    if (channel != null) channel.close();
  }

  // ------------------------------------------------------------------ writing

  /**
   * Writes the tensors, in the given order, atomically ({@link AtomicFile}): an export or a
   * converted model. A run's checkpoint goes through {@link CheckpointFiles} with {@link #content}.
   */
  public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
    AtomicFile.writeStream(file, content(tensors, metadata));
  }

  /** The bytes of a safetensors file holding the tensors, in the given order, as a writer. */
  public static AtomicFile.StreamWriter content(List<Tensor> tensors, Map<String, String> metadata) {
    Map<String, Object> header = new LinkedHashMap<>();
    // Keys sorted: the same file bytes whatever the map's iteration order (Map.of's changes from
    // one JVM run to the next), so two saves of the same state are byte-equal.
    if (metadata != null && !metadata.isEmpty()) header.put("__metadata__", new TreeMap<>(metadata));
    long offset = 0;
    for (Tensor t : tensors) {
      if (header.containsKey(t.name())) throw new IllegalArgumentException("duplicate tensor name " + t.name());
      long bytes = t.numel() * Float.BYTES;
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("dtype", "F32");
      e.put("shape", t.shape());
      e.put("data_offsets", new long[] {offset, offset + bytes});
      header.put(t.name(), e);
      offset += bytes;
    }
    byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
    // pad the header with spaces so the data starts 8-byte aligned (allowed by the format)
    int padded = (json.length + 7) / 8 * 8;
    byte[] headerBytes = Arrays.copyOf(json, padded);
    Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
    return out -> {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
      out.write(len.array());
      out.write(headerBytes);
      ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (Tensor t : tensors) {
        long n = t.numel();
        for (long i = 0; i < n; i++) {
          chunk.putFloat(t.data()[(int) (t.offset() + i)]);
          if (!chunk.hasRemaining()) {
            out.write(chunk.array(), 0, chunk.position());
            chunk.clear();
          }
        }
      }
      out.write(chunk.array(), 0, chunk.position());
    };
  }

  // ------------------------------------------------------------------ reading

  /**
   * Reads and checks a file's header: dtypes, shapes and offsets against the file's size. The
   * tensor data stays on disk until {@link #readInto} reads the one tensor it copies, so files
   * larger than 2 GiB (GPT-2 large and xl) read without a second copy in memory.
   */
  public static Safetensors read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return readHeader(file, ch, null);
    }
  }

  /**
   * As {@link #read(Path)}, for a file already open (and checked, e.g. by its checksum): the
   * tensors are read from {@code ch}, which stays open, so they come from the file that was
   * checked even when {@code file} is replaced later. For checkpoints too large to read into
   * one array (over 2 GiB).
   */
  public static Safetensors read(Path file, FileChannel ch) throws IOException {
    return readHeader(file, ch, ch);
  }

  private static Safetensors readHeader(Path file, FileChannel ch, FileChannel keep) throws IOException {
    long size = ch.size();
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    if (size >= 8) readFully(ch, lenBuf, 0);
    long headerLen = checkHeaderLength(file, size, size >= 8 ? lenBuf.getLong(0) : -1);
    ByteBuffer header = ByteBuffer.allocate((int) headerLen);
    readFully(ch, header, 8);
    return fromHeader(file, size, header.array(), 0, (int) headerLen, null, keep);
  }

  /**
   * Checks and parses the bytes of a file that were read already ({@code file} names it in
   * errors): a reader that checksums the bytes it read parses those same bytes, whatever
   * happens to the file afterwards.
   */
  public static Safetensors parse(Path file, byte[] bytes) throws IOException {
    long size = bytes.length;
    long headerLen = checkHeaderLength(file, size,
        size >= 8 ? ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0) : -1);
    return fromHeader(file, size, bytes, 8, (int) headerLen, bytes, null);
  }

  private static final String DAMAGED = "; the file is damaged or incomplete: use another checkpoint, or save or download it again";

  // headerLen is -1 when the file is too short to hold one
  private static long checkHeaderLength(Path file, long size, long headerLen) throws IOException {
    String what = file + " is not a valid safetensors file";
    if (size < 8) throw new IOException(what + " (only " + size + " bytes)" + DAMAGED);
    if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > size - 8)
      throw new IOException(what + " (header length " + headerLen + " does not fit a file of " + size + " bytes)" + DAMAGED);
    return headerLen;
  }

  /** Parses the JSON header at json[from, from + len); data comes from {@code bytes}, or from the file when null. */
  private static Safetensors fromHeader(Path file, long size, byte[] json, int from, int len, byte[] bytes,
      FileChannel channel) throws IOException {
    Map<String, Object> header;
    try {
      header = Json.parseObject(new String(json, from, len, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " is not a valid safetensors file (header: " + e.getMessage() + ")" + DAMAGED);
    }
    long dataStart = 8L + len, dataLen = size - dataStart;
    Map<String, String> metadata = new LinkedHashMap<>();
    Map<String, Entry> entries = new LinkedHashMap<>();
    long covered = 0;
    for (Map.Entry<String, Object> e : header.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        if (e.getValue() instanceof Map<?, ?> m) m.forEach((k, v) -> metadata.put(String.valueOf(k), String.valueOf(v)));
        continue;
      }
      Entry entry = parseEntry(file, e.getKey(), e.getValue());
      if (entry.end() > dataLen) {
        throw new IOException(file + " is truncated: tensor " + entry.name() + " ends at byte " + entry.end()
            + " of the data but the file holds " + dataLen + DAMAGED);
      }
      covered += entry.end() - entry.begin();
      entries.put(entry.name(), entry);
    }
    if (covered != dataLen) {
      throw new IOException(file + " is not a valid safetensors file (tensors cover " + covered + " of " + dataLen
          + " data bytes)" + DAMAGED);
    }
    return new Safetensors(file, Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(entries), dataStart,
        bytes, channel);
  }

  private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
    while (dst.hasRemaining()) {
      int n = ch.read(dst, position + dst.position());
      if (n < 0) throw new IOException("unexpected end of file");
    }
  }

  private static Entry parseEntry(Path file, String name, Object value) throws IOException {
    String bad = file + ": tensor " + name + " has a bad header entry";
    if (!(value instanceof Map<?, ?> m)) throw new IOException(bad);
    Object dtypeName = m.get("dtype");
    Dtype dtype = Dtype.named(String.valueOf(dtypeName));
    if (dtype == null) {
      throw new IOException(file + ": tensor " + name + " has dtype " + dtypeName + ", which is not a safetensors dtype "
          + "jgpt knows (F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)");
    }
    if (!(m.get("shape") instanceof List<?> shapeList) || !(m.get("data_offsets") instanceof List<?> offsets)
        || offsets.size() != 2) {
      throw new IOException(bad);
    }
    int[] shape = new int[shapeList.size()];
    long numel = 1;
    for (int i = 0; i < shape.length; i++) {
      if (!(shapeList.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) throw new IOException(bad + " (shape)");
      shape[i] = d.intValue();
      numel *= d;
    }
    if (!(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end) || begin < 0 || end < begin)
      throw new IOException(bad + " (data_offsets)");
    if (end - begin != numel * dtype.bytes)
      throw new IOException(bad + " (shape " + Arrays.toString(shape) + " of " + dtype + " needs " + numel * dtype.bytes
          + " bytes, offsets give " + (end - begin) + ")");
    return new Entry(name, shape, dtype, begin, end);
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** The tensors in file order. */
  public List<Entry> entries() {
    return new ArrayList<>(entries.values());
  }

  public Entry entry(String name) {
    return entries.get(name);
  }

  /**
   * Copies tensor {@code name} into {@code dst[dstOffset ..]} as floats (F16 and BF16 widened,
   * exactly) after checking that it exists and has {@code expectedShape}.
   */
  public void readInto(String name, int[] expectedShape, float[] dst, int dstOffset) throws IOException {
    Entry e = entries.get(name);
    if (e == null) throw new IOException(file + " has no tensor " + name + "; it was not written by this model shape");
    if (!Arrays.equals(e.shape(), expectedShape)) {
      throw new IOException(file + ": tensor " + name + " has shape " + Arrays.toString(e.shape()) + " but the model needs "
          + Arrays.toString(expectedShape) + "; the checkpoint belongs to a different model configuration");
    }
    readInto(e, dst, dstOffset);
  }

  /** Copies tensor {@code e}, whatever its shape, into {@code dst[dstOffset ..]} as floats. */
  public void readInto(Entry e, float[] dst, int dstOffset) throws IOException {
    if (!e.dtype().isFloat()) {
      throw new IOException(file + ": tensor " + e.name() + " has dtype " + e.dtype() + "; jgpt reads F32, F16 and BF16 weights");
    }
    if (this.bytes != null) {
      widen(e.dtype(), ByteBuffer.wrap(this.bytes, (int) (dataStart + e.begin()), (int) (e.end() - e.begin())).slice(),
          Math.toIntExact(e.numel()), dst, dstOffset);
      return;
    }
    if (channel != null) {
      readFromFile(channel, e, dst, dstOffset);
      return;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      readFromFile(ch, e, dst, dstOffset);
    }
  }

  /** Bytes read from a file at a time: a multiple of every dtype's size. */
  private static final int CHUNK = 1 << 20;

  /**
   * Reads the tensor from {@code ch} a chunk at a time. Not mapped: a mapped tensor's pages stay
   * resident until the collector frees its buffer, and a loader that allocates little (streaming
   * a checkpoint into a backend) would keep the whole file resident beside the weights it filled.
   */
  private void readFromFile(FileChannel ch, Entry e, float[] dst, int dstOffset) throws IOException {
    if (ch.size() < dataStart + e.end()) throw new IOException(file + " is truncated at tensor " + e.name());
    ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK, e.end() - e.begin())); // (up to CHUNK bytes)
    int out = dstOffset;
    for (long at = dataStart + e.begin(), end = dataStart + e.end(); at < end; ) {
      chunk.clear().limit((int) Math.min(chunk.capacity(), end - at));
      readFully(ch, chunk, at);
      int n = chunk.limit() / e.dtype().bytes;
      widen(e.dtype(), chunk.flip(), n, dst, out);
      out += n;
      at += chunk.limit();
    }
  }

  // dst[dstOffset .. + n) = n elements of dtype as floats; raw holds exactly their bytes, from its position
  private static void widen(Dtype dtype, ByteBuffer raw, int n, float[] dst, int dstOffset) {
    ByteBuffer bytes = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case F32 -> bytes.asFloatBuffer().get(dst, dstOffset, n);
      case F16 -> {
        var h = bytes.asShortBuffer();
        for (int i = 0; i < n; i++) dst[dstOffset + i] = Float.float16ToFloat(h.get(i));
      }
      case BF16 -> {
        var h = bytes.asShortBuffer();
        // bfloat16 is the top half of a float32: widening is a shift
        for (int i = 0; i < n; i++) dst[dstOffset + i] = Float.intBitsToFloat((h.get(i) & 0xFFFF) << 16);
      }
      default -> throw new IllegalStateException(dtype.toString());
    }
  }
}

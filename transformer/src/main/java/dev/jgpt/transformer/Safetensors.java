package dev.jgpt.transformer;

import dev.jgpt.tokenizer.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face), F32 only: an 8-byte little-endian header length N, N
 * bytes of JSON mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets}
 * (relative to the end of the header) plus an optional {@code __metadata__} map of strings, then
 * the raw little-endian data. Files written here load in Python with
 * {@code safetensors.torch.load_file}; files read here are checked so that a truncated or
 * damaged file is a one-line error, not garbage weights.
 */
public final class Safetensors {

  /** One tensor to write: {@code shape} elements of {@code data} starting at {@code offset}. */
  public record Tensor(String name, int[] shape, float[] data, int offset) {
    public long numel() {
      long n = 1;
      for (int d : shape) n *= d;
      return n;
    }
  }

  /** One tensor in a file that was read: its shape and where its bytes are. */
  public record Entry(String name, int[] shape, long begin, long end) {
    public long numel() {
      return (end - begin) / Float.BYTES;
    }
  }

  private static final long MAX_HEADER = 100L << 20;

  private final Path file;
  private final Map<String, String> metadata;
  private final Map<String, Entry> entries;
  private final ByteBuffer data; // little-endian tensor bytes after the header

  private Safetensors(Path file, Map<String, String> metadata, Map<String, Entry> entries, ByteBuffer data) {
    this.file = file;
    this.metadata = metadata;
    this.entries = entries;
    this.data = data;
  }

  // ------------------------------------------------------------------ writing

  /** Writes the tensors, in the given order, atomically (see {@link CheckpointFiles}). */
  public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    if (metadata != null && !metadata.isEmpty()) header.put("__metadata__", new LinkedHashMap<>(metadata));
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
    CheckpointFiles.write(file, out -> {
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
    });
  }

  // ------------------------------------------------------------------ reading

  /** Reads and checks a file: header, dtypes, shapes and offsets against the file's size. */
  public static Safetensors read(Path file) throws IOException {
    if (Files.size(file) > Integer.MAX_VALUE) throw new IOException(file + " is larger than 2 GiB, which jgpt does not read");
    return parse(file, Files.readAllBytes(file));
  }

  /**
   * Checks and parses the bytes of a file that were read already ({@code file} names it in
   * errors): a reader that checksums the bytes it read parses those same bytes, whatever
   * happens to the file afterwards.
   */
  public static Safetensors parse(Path file, byte[] bytes) throws IOException {
    long size = bytes.length;
    String what = file + " is not a valid safetensors file";
    String damaged = "; the checkpoint is damaged: use another one or start a new run";
    if (size < 8) throw new IOException(what + " (only " + size + " bytes)" + damaged);
    ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLen = all.getLong(0);
    if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > size - 8)
      throw new IOException(what + " (header length " + headerLen + " does not fit a file of " + size + " bytes)" + damaged);
    String headerText = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
    Map<String, Object> header;
    try {
      header = Json.parseObject(headerText);
    } catch (IllegalArgumentException e) {
      throw new IOException(what + " (header: " + e.getMessage() + ")" + damaged);
    }
    long dataLen = size - 8 - headerLen;
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
            + " of the data but the file holds " + dataLen + damaged);
      }
      covered += entry.end() - entry.begin();
      entries.put(entry.name(), entry);
    }
    if (covered != dataLen)
      throw new IOException(what + " (tensors cover " + covered + " of " + dataLen + " data bytes)" + damaged);
    ByteBuffer data = all.slice(8 + (int) headerLen, (int) dataLen).order(ByteOrder.LITTLE_ENDIAN);
    return new Safetensors(file, Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(entries), data);
  }

  private static Entry parseEntry(Path file, String name, Object value) throws IOException {
    String bad = file + ": tensor " + name + " has a bad header entry";
    if (!(value instanceof Map<?, ?> m)) throw new IOException(bad);
    Object dtype = m.get("dtype");
    if (!"F32".equals(dtype))
      throw new IOException(file + ": tensor " + name + " has dtype " + dtype + "; jgpt reads F32 tensors only");
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
    if (end - begin != numel * Float.BYTES)
      throw new IOException(bad + " (shape " + Arrays.toString(shape) + " needs " + numel * 4 + " bytes, offsets give "
          + (end - begin) + ")");
    return new Entry(name, shape, begin, end);
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
   * Copies tensor {@code name} into {@code dst[dstOffset ..]} after checking that it exists and
   * has {@code expectedShape}.
   */
  public void readInto(String name, int[] expectedShape, float[] dst, int dstOffset) throws IOException {
    Entry e = entries.get(name);
    if (e == null) throw new IOException(file + " has no tensor " + name + "; it was not written by this model shape");
    if (!Arrays.equals(e.shape(), expectedShape)) {
      throw new IOException(file + ": tensor " + name + " has shape " + Arrays.toString(e.shape()) + " but the model needs "
          + Arrays.toString(expectedShape) + "; the checkpoint belongs to a different model configuration");
    }
    data.slice((int) e.begin(), (int) (e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
        .get(dst, dstOffset, (int) e.numel());
  }
}

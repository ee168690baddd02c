package dev.jgpt.transformer.interop;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (version 2 or 3) read back: its metadata, its tensor infos, and F32 or F16 tensor
 * data widened to float[]. Reading checks every count and offset against the file's size, so a
 * damaged file is a one-line IOException.
 *
 * <p>Metadata values are Java objects: every integer type as Long (UINT64 as its bits), FLOAT32 as
 * Float, FLOAT64 as Double, BOOL as Boolean, STRING as String, ARRAY as a List of those;
 * {@link #type} and {@link #arrayType} say what the file declared.
 */
public final class GgufFile {
  /**
   * One tensor: dims fastest-varying first (ggml's ne: a row-major (rows, cols) matrix has dims
   * [cols, rows]); offset from the start of the data section.
   */
  public record TensorInfo(String name, long[] dims, GgmlType type, long offset) {
    public TensorInfo {
      dims = dims.clone();
    }

    @Override
    public long[] dims() {
      return dims.clone();
    }

    public long elementCount() {
      long n = 1;
      for (long d : dims) n *= d;
      return n;
    }

    @Override
    public String toString() {
      return name + Arrays.toString(dims) + " " + type;
    }
  }

  private record Value(GgufValueType type, GgufValueType elementType, Object value) {}

  private final Path path;
  private final int version;
  private final Map<String, Value> kvs;
  private final Map<String, TensorInfo> tensors;
  private final long dataStart;

  private GgufFile(Path path, int version, Map<String, Value> kvs, Map<String, TensorInfo> tensors, long dataStart) {
    this.path = path;
    this.version = version;
    this.kvs = kvs;
    this.tensors = tensors;
    this.dataStart = dataStart;
  }

  /** Reads the header, metadata and tensor infos; tensor data stays on disk until {@link #readTensor}. */
  public static GgufFile read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      LittleEndianInput in = new LittleEndianInput(ch);
      if (in.remaining() < 24 || in.u32() != GgufWriter.MAGIC) throw new IOException(file + " is not a GGUF file");
      int version = in.u32();
      if (version != 2 && version != 3) throw new IOException(file + ": GGUF version " + version + " is not supported (2 or 3)");
      long tensorCount = in.u64(), kvCount = in.u64();
      // every key-value and tensor info takes at least 8 bytes, so larger counts are damage
      if (tensorCount < 0 || kvCount < 0 || tensorCount > in.remaining() / 8 || kvCount > in.remaining() / 8) {
        throw new IOException(file + ": the header's counts do not fit the file; it is damaged");
      }
      Map<String, Value> kvs = new LinkedHashMap<>();
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      try {
        for (long i = 0; i < kvCount; i++) {
          String key = in.string();
          Value v = readValue(in, in.u32());
          if (kvs.put(key, v) != null) throw new IOException("the key " + key + " appears twice");
        }
        for (long i = 0; i < tensorCount; i++) {
          TensorInfo t = readTensorInfo(in);
          if (tensors.put(t.name(), t) != null) throw new IOException("the tensor " + t.name() + " appears twice");
        }
      } catch (IOException e) {
        throw new IOException(file + ": " + e.getMessage() + "; the file is damaged or not GGUF", e);
      }
      Object declared = kvs.containsKey("general.alignment") ? kvs.get("general.alignment").value : (long) GgufWriter.ALIGNMENT;
      if (!(declared instanceof Long alignment) || alignment <= 0 || Long.bitCount(alignment) != 1) {
        throw new IOException(file + ": general.alignment " + declared + " is not a power of 2");
      }
      long dataStart = (in.position() + alignment - 1) / alignment * alignment;
      for (TensorInfo t : tensors.values()) {
        long bytes = byteCount(t);
        if (bytes < 0 || t.offset() % alignment != 0 || t.offset() < 0 || t.offset() > ch.size()
            || dataStart + t.offset() + bytes > ch.size()) {
          throw new IOException(file + ": the data of tensor " + t.name() + " lies outside the file; it is damaged or incomplete");
        }
      }
      return new GgufFile(file, version, Collections.unmodifiableMap(kvs), Collections.unmodifiableMap(tensors), dataStart);
    }
  }

  /** Bytes of a tensor's data, or -1 when its dims overflow (a damaged file). */
  private static long byteCount(TensorInfo t) {
    try {
      long n = t.type().bytes;
      for (long d : t.dims()) n = Math.multiplyExact(n, d);
      return n;
    } catch (ArithmeticException e) {
      return -1;
    }
  }

  private static Value readValue(LittleEndianInput in, int code) throws IOException {
    GgufValueType type = GgufValueType.ofCode(code);
    if (type == null) throw new IOException("unknown value type " + code);
    if (type != GgufValueType.ARRAY) return new Value(type, null, readScalar(in, type));
    GgufValueType elementType = GgufValueType.ofCode(in.u32());
    if (elementType == null || elementType == GgufValueType.ARRAY) throw new IOException("an array of an unsupported type");
    long n = in.u64();
    if (n < 0 || n > in.remaining() / Math.max(1, elementType.size)) throw new IOException("an array runs past the end of the file");
    List<Object> list = new ArrayList<>((int) n);
    for (long i = 0; i < n; i++) list.add(readScalar(in, elementType));
    return new Value(type, elementType, Collections.unmodifiableList(list));
  }

  private static Object readScalar(LittleEndianInput in, GgufValueType type) throws IOException {
    return switch (type) {
      case UINT8 -> (long) in.u8();
      case INT8 -> (long) (byte) in.u8();
      case UINT16 -> (long) (in.u16() & 0xFFFF);
      case INT16 -> (long) in.u16();
      case UINT32 -> in.u32() & 0xFFFFFFFFL;
      case INT32 -> (long) in.u32();
      case UINT64, INT64 -> in.u64();
      case FLOAT32 -> in.f32();
      case FLOAT64 -> in.f64();
      case BOOL -> in.u8() != 0;
      case STRING -> in.string();
      case ARRAY -> throw new IOException("nested arrays are not GGUF");
    };
  }

  private static TensorInfo readTensorInfo(LittleEndianInput in) throws IOException {
    String name = in.string();
    int nDims = in.u32();
    if (nDims < 1 || nDims > 4) throw new IOException("tensor " + name + " has " + nDims + " dimensions (ggml allows 1 to 4)");
    long[] dims = new long[nDims];
    for (int d = 0; d < nDims; d++) {
      dims[d] = in.u64();
      if (dims[d] < 0) throw new IOException("tensor " + name + " has a negative dimension");
    }
    int code = in.u32();
    GgmlType type = GgmlType.ofCode(code);
    if (type == null) throw new IOException("tensor " + name + " has type " + code + "; jgpt reads only F32 and F16 (not quantized files)");
    return new TensorInfo(name, dims, type, in.u64());
  }

  public Path path() {
    return path;
  }

  public int version() {
    return version;
  }

  /** Byte offset of the data section in the file. */
  public long dataStart() {
    return dataStart;
  }

  /** Every key and its value, in file order. */
  public Map<String, Object> metadata() {
    Map<String, Object> out = new LinkedHashMap<>();
    kvs.forEach((k, v) -> out.put(k, v.value));
    return Collections.unmodifiableMap(out);
  }

  /** The value of {@code key}, or null. */
  public Object get(String key) {
    Value v = kvs.get(key);
    return v == null ? null : v.value;
  }

  /** The type the file declares for {@code key}, or null when the key is absent. */
  public GgufValueType type(String key) {
    Value v = kvs.get(key);
    return v == null ? null : v.type;
  }

  /** The element type of the array {@code key}, or null when it is absent or not an array. */
  public GgufValueType arrayType(String key) {
    Value v = kvs.get(key);
    return v == null ? null : v.elementType;
  }

  /** Tensor infos in file order. */
  public List<TensorInfo> tensors() {
    return List.copyOf(tensors.values());
  }

  /** The tensor called {@code name}, or null. */
  public TensorInfo tensor(String name) {
    return tensors.get(name);
  }

  /** A tensor's elements in file order (fastest-varying dim first), F16 widened exactly to float. */
  public float[] readTensor(String name) throws IOException {
    TensorInfo t = tensors.get(name);
    if (t == null) throw new IllegalArgumentException(path + " has no tensor " + name);
    long count = t.elementCount();
    if (byteCount(t) > Integer.MAX_VALUE - 16) throw new IOException("tensor " + name + " is too large to read at once");
    ByteBuffer bytes = ByteBuffer.allocate((int) (count * t.type().bytes)).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long pos = dataStart + t.offset();
      while (bytes.hasRemaining()) {
        int r = ch.read(bytes, pos + bytes.position());
        if (r < 0) throw new IOException(path + " ends inside tensor " + name + "; it is incomplete");
      }
    }
    bytes.flip();
    float[] out = new float[(int) count];
    if (t.type() == GgmlType.F16) {
      for (int i = 0; i < out.length; i++) out[i] = Float.float16ToFloat(bytes.getShort());
    } else {
      bytes.asFloatBuffer().get(out);
    }
    return out;
  }
}

package dev.jgpt.transformer.interop;

import dev.jgpt.common.AtomicFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a GGUF file (version 3, the layout of ggml's gguf.cpp): header, metadata key-values,
 * tensor infos, padding, then each tensor's data starting on a 32-byte boundary
 * (GGUF_DEFAULT_ALIGNMENT, so no general.alignment key is needed). Everything is little-endian.
 * A tensor's dims list the fastest-varying axis first (ggml's ne), so a row-major (rows, cols)
 * matrix has dims [cols, rows].
 */
final class GgufWriter {
  /** "GGUF" read as a little-endian uint32. */
  static final int MAGIC = 0x46554747;
  static final int VERSION = 3;
  static final int ALIGNMENT = 32;

  private record Kv(GgufValueType type, GgufValueType elementType, Object value) {}

  /** {@code count} floats of {@code data} from {@code offset}, or zeros where data is null. */
  private record Tensor(String name, long[] dims, GgmlType type, float[] data, int offset, long count) {
    long bytes() {
      return count * type.bytes;
    }
  }

  private final Map<String, Kv> kvs = new LinkedHashMap<>();
  private final List<Tensor> tensors = new ArrayList<>();

  void putString(String key, String value) {
    put(key, new Kv(GgufValueType.STRING, null, value));
  }

  void putUint32(String key, int value) {
    if (value < 0) throw new IllegalArgumentException(key + " must not be negative, got " + value);
    put(key, new Kv(GgufValueType.UINT32, null, value));
  }

  void putFloat32(String key, float value) {
    put(key, new Kv(GgufValueType.FLOAT32, null, value));
  }

  void putBool(String key, boolean value) {
    put(key, new Kv(GgufValueType.BOOL, null, value));
  }

  void putStringArray(String key, List<String> values) {
    put(key, new Kv(GgufValueType.ARRAY, GgufValueType.STRING, List.copyOf(values)));
  }

  void putInt32Array(String key, int[] values) {
    put(key, new Kv(GgufValueType.ARRAY, GgufValueType.INT32, values.clone()));
  }

  private void put(String key, Kv kv) {
    if (kvs.putIfAbsent(key, kv) != null) throw new IllegalArgumentException("metadata key " + key + " is set twice");
  }

  /**
   * A tensor of the product of {@code dims} floats read from {@code data} at {@code offset}
   * (row-major, dims fastest-varying first), stored as {@code type}; null data stores zeros.
   */
  void addTensor(String name, GgmlType type, float[] data, int offset, long... dims) {
    long count = 1;
    for (long d : dims) count *= d;
    if (data != null && offset + count > data.length) {
      throw new IllegalArgumentException("tensor " + name + " runs past the end of its buffer");
    }
    for (Tensor t : tensors) if (t.name.equals(name)) throw new IllegalArgumentException("tensor " + name + " is added twice");
    tensors.add(new Tensor(name, dims.clone(), type, data, offset, count));
  }

  /** Writes the file atomically (temporary name, fsync, rename; see {@link AtomicFile}). */
  void write(Path file) throws IOException {
    AtomicFile.writeStream(file, this::writeTo);
  }

  void writeTo(OutputStream stream) throws IOException {
    LittleEndianOutput out = new LittleEndianOutput(stream);
    out.u32(MAGIC);
    out.u32(VERSION);
    out.u64(tensors.size());
    out.u64(kvs.size());
    for (Map.Entry<String, Kv> e : kvs.entrySet()) {
      out.string(e.getKey());
      writeValue(out, e.getValue());
    }
    long dataOffset = 0; // from the start of the data section; each tensor padded to ALIGNMENT
    for (Tensor t : tensors) {
      out.string(t.name);
      out.u32(t.dims.length);
      for (long d : t.dims) out.u64(d);
      out.u32(t.type.code);
      out.u64(dataOffset);
      dataOffset += align(t.bytes());
    }
    out.padTo(ALIGNMENT);
    for (Tensor t : tensors) {
      writeData(out, t);
      out.padTo(ALIGNMENT);
    }
    out.drain();
  }

  private static long align(long n) {
    return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  private static void writeValue(LittleEndianOutput out, Kv kv) throws IOException {
    out.u32(kv.type.code);
    switch (kv.type) {
      case STRING -> out.string((String) kv.value);
      case UINT32 -> out.u32((Integer) kv.value);
      case FLOAT32 -> out.f32((Float) kv.value);
      case BOOL -> out.u8((Boolean) kv.value ? 1 : 0);
      case ARRAY -> {
        out.u32(kv.elementType.code);
        if (kv.elementType == GgufValueType.STRING) {
          List<?> strings = (List<?>) kv.value;
          out.u64(strings.size());
          for (Object s : strings) out.string((String) s);
        } else {
          int[] ints = (int[]) kv.value;
          out.u64(ints.length);
          for (int v : ints) out.u32(v);
        }
      }
      default -> throw new IllegalStateException("no writer for " + kv.type);
    }
  }

  private static void writeData(LittleEndianOutput out, Tensor t) throws IOException {
    for (long i = 0; i < t.count; i++) {
      float v = t.data == null ? 0f : t.data[(int) (t.offset + i)];
      if (t.type == GgmlType.F16) out.u16(Float.floatToFloat16(v)); // round to nearest even, as numpy's astype
      else out.f32(v);
    }
  }
}

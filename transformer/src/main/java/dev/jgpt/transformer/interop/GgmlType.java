package dev.jgpt.transformer.interop;

/**
 * The tensor element types jgpt writes and reads in GGUF files, with ggml's codes
 * ({@code ggml_type}); the quantized types are not supported.
 */
public enum GgmlType {
  F32(0, 4), F16(1, 2);

  /** The code in the file. */
  final int code;
  /** Bytes per element. */
  final int bytes;

  GgmlType(int code, int bytes) {
    this.code = code;
    this.bytes = bytes;
  }

  /** The type with file code {@code code}, or null for one jgpt does not read (quantized types). */
  static GgmlType ofCode(int code) {
    for (GgmlType t : values()) if (t.code == code) return t;
    return null;
  }
}

package dev.jgpt.transformer.interop;

/**
 * The types a GGUF metadata value can have, with the codes the file stores (gguf.h's
 * {@code gguf_type}). llama.cpp checks a key's type when it reads it: the model's sizes are
 * UINT32, the layer-norm epsilon FLOAT32, token types an ARRAY of INT32.
 */
public enum GgufValueType {
  UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
  STRING(8, -1), ARRAY(9, -1), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

  /** The code in the file. */
  final int code;
  /** Bytes of one value; -1 for the variable-length STRING and ARRAY. */
  final int size;

  GgufValueType(int code, int size) {
    this.code = code;
    this.size = size;
  }

  /** The type with file code {@code code}, or null for an unknown code. */
  static GgufValueType ofCode(int code) {
    for (GgufValueType t : values()) if (t.code == code) return t;
    return null;
  }
}

package dev.jgpt.transformer;

import java.util.Locale;

/**
 * How a KV-cache model stores the matrices it decodes with. F32 (the default) computes exactly
 * as training does; BF16 keeps a 16-bit copy of the block matrices and the tied head for decode
 * steps, half the bytes a token reads, at bf16's rounding (about 3 significant digits per
 * weight). Prefill and the embeddings stay F32.
 */
public enum WeightFormat {
  F32,
  BF16;

  /** "f32" or "bf16" (any case) as a format; anything else is one line saying what is accepted. */
  public static WeightFormat parse(String name) {
    return parse(name, "--weights");
  }

  /** As {@link #parse(String)}, the error naming {@code flag} (--weights, --kv-cache) as what was given. */
  public static WeightFormat parse(String name, String flag) {
    for (WeightFormat f : values()) {
      if (f.label().equalsIgnoreCase(name.strip())) return f;
    }
    throw new IllegalArgumentException(flag + " must be f32 or bf16, got '" + name + "'");
  }

  /** The name users type: "f32", "bf16". */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}

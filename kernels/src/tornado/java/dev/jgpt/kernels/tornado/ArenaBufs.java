package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.Slice;

/**
 * The buffers of a {@link TornadoBackend}: named ranges of its {@link Arena}'s arrays, and the
 * kinds and offsets the kernels take in their place.
 */
final class ArenaBufs {
  private ArenaBufs() {}

  /** Floats [base, base + size) of the arena's array of kind. */
  static final class TornadoFloatBuf extends FloatBuf {
    final BufferKind kind;
    final int base;

    TornadoFloatBuf(String name, int size, BufferKind kind, int base) {
      super(name, size);
      this.kind = kind;
      this.base = base;
    }
  }

  /** Ints [base, base + size) of the int arena. */
  static final class TornadoIntBuf extends IntBuf {
    final int base;
    private final Arena arena;

    TornadoIntBuf(String name, int size, int base, Arena arena) {
      super(name, size);
      this.base = base;
      this.arena = arena;
    }

    /** Ints are written only by the host: the host copy is what the device reads. */
    @Override
    public int hostValue(int index) {
      return arena.ints().get(base + index);
    }
  }

  static int base(FloatBuf b) {
    if (b instanceof TornadoFloatBuf t) return t.base;
    throw new IllegalArgumentException("buffer " + b + " belongs to another backend; allocate it with the TornadoVM"
        + " backend");
  }

  static BufferKind kind(FloatBuf b) {
    base(b); // the same one-line error for another backend's buffer
    return ((TornadoFloatBuf) b).kind;
  }

  /** The kind of a slice's buffer; null for an absent optional slice. */
  static BufferKind kind(Slice s) {
    return s == null ? null : kind(s.buf());
  }

  static int base(IntBuf b) {
    if (b instanceof TornadoIntBuf t) return t.base;
    throw new IllegalArgumentException("buffer " + b + " belongs to another backend; allocate it with the TornadoVM"
        + " backend");
  }

  /** Offset of a slice in its kind's array; -1 for an absent optional slice (the kernels' "no tensor"). */
  static int off(Slice s) {
    return s == null ? -1 : base(s.buf()) + s.offset();
  }
}

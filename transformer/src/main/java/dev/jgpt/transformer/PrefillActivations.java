package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.Slice;
import java.util.HashMap;
import java.util.Map;

/**
 * Activations of the prefill pass for up to T rows, one set reused by every layer; a pass over
 * fewer rows uses the front of each tensor ({@link #pass}, slices made once per size).
 */
final class PrefillActivations {
  private final Backend backend;
  private final KvCache cache; // what each pass's attention fills
  private final int T, C, NH;
  final IntBuf tokens; // (T) the window's tokens, padded on the right
  final FloatBuf buf; // the tensors of Rows for N = T, one after another
  final Slice[] kOfRow, vOfRow; // (T) x (C): the k and v parts of each row of qkv (T, 3C)
  private final Map<Integer, Pass> bySize = new HashMap<>();

  /** The tensors of a pass over {@code rows} rows (N = rows below). */
  record Rows(
      Slice resA, Slice resB, // (N, C)
      Slice ln, // (N, C)
      Slice mean, Slice rstd, // (N)
      Slice qkv, // (N, 3C)
      Slice atty, // (N, C)
      Slice att, // (NH, N, N)
      Slice attproj, // (N, C)
      Slice fch, Slice fchGelu, // (N, 4C)
      Slice fcproj) {} // (N, C)

  /** Buffers for passes of up to T rows over the weights on {@code backend}, filling {@code cache}. */
  PrefillActivations(Backend backend, KvCache cache, int T, int C, int NH) {
    this.backend = backend;
    this.cache = cache;
    this.T = T;
    this.C = C;
    this.NH = NH;
    buf = BufferCursor.allocate(backend, "prefill_acts", "prefill activations", c -> layOut(c, T, C, NH));
    Slice qkvAll = layOut(new BufferCursor(buf), T, C, NH).qkv(); // (T, 3C)
    kOfRow = new Slice[T];
    vOfRow = new Slice[T];
    for (int t = 0; t < T; t++) {
      kOfRow[t] = qkvAll.sub(t * 3 * C + C, C);
      vOfRow[t] = qkvAll.sub(t * 3 * C + 2 * C, C);
    }
    tokens = backend.allocInt("prefill_tokens", T);
  }

  /** A pass over {@code rows} rows: its tensors as a block sees them, and its attention. */
  record Pass(Slice resA, BlockActivations block, PrefillAttention attention) {}

  Pass pass(int n) {
    return bySize.computeIfAbsent(n, this::newPass);
  }

  /** One ln and mean/rstd for both norms; the residual stream in resA, via resB, out to resA. */
  private Pass newPass(int n) {
    Rows a = slices(n);
    BlockActivations block = new BlockActivations(a.ln(), a.mean(), a.rstd(), a.qkv(), a.atty(), a.att(),
        a.attproj(), null, a.resB(), a.ln(), a.mean(), a.rstd(), a.fch(), a.fchGelu(), a.fcproj(), null, a.resA());
    CausalAttention causal = new CausalAttention(backend, 1, n, C, NH);
    return new Pass(a.resA(), block, new PrefillAttention(backend, causal, cache, kOfRow, vOfRow));
  }

  /** Each tensor starts where it does for T rows, so qkv's rows line up with kOfRow/vOfRow. */
  private Rows slices(int n) {
    Rows full = layOut(new BufferCursor(buf), T, C, NH);
    long nc = (long) n * C;
    return new Rows(full.resA().sub(0, (int) nc), full.resB().sub(0, (int) nc), full.ln().sub(0, (int) nc),
        full.mean().sub(0, n), full.rstd().sub(0, n), full.qkv().sub(0, (int) (3 * nc)), full.atty().sub(0, (int) nc),
        full.att().sub(0, NH * n * n), full.attproj().sub(0, (int) nc), full.fch().sub(0, (int) (4 * nc)),
        full.fchGelu().sub(0, (int) (4 * nc)), full.fcproj().sub(0, (int) nc));
  }

  static Rows layOut(BufferCursor c, int n, int C, int NH) {
    long nc = (long) n * C;
    return new Rows(c.take(nc), c.take(nc), c.take(nc), c.take(n), c.take(n), c.take(3 * nc), c.take(nc),
        c.take((long) NH * n * n), c.take(nc), c.take(4 * nc), c.take(4 * nc), c.take(nc));
  }
}

package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.Slice;
import java.util.Locale;

/**
 * Next-token logits from a GPT with a KV cache: each call that extends the previous sequence by
 * one token runs one position (a "decode" step); a new or changed sequence is prefilled first.
 *
 * <p>Steps, both capture-safe (same ops, buffers and arguments every run):
 * <ul>
 *   <li>"prefill": a fixed (1, T = block size) forward pass over the window's tokens padded on
 *       the right, writing k and v of every position into the cache. Causal attention keeps the
 *       padding from touching the real positions, and later decode steps overwrite its rows.
 *   <li>"decode": one position, its token and position read from one-int backend buffers by
 *       {@code encoderDecode} and {@code attentionDecode}; out come the logits.
 * </ul>
 *
 * <p>Window: positions are learned, so a full cache cannot shift. When a sequence outgrows the
 * block size T the window slides by S = T - T/2 tokens and is prefilled again (the last T/2
 * tokens stay as context). Where the window starts depends only on the sequence length, so the
 * logits of a sequence do not depend on how it was reached: a window of length m over
 * {@code tokens[start .. n)} gives the logits that a full recompute of those m tokens gives.
 *
 * <p>Not thread-safe. The backend, and the parameter buffer when it comes from a {@link Gpt},
 * belong to the caller.
 */
public final class Generator implements NextTokenModel {
  private final GptConfig cfg;
  private final Backend backend;
  private final ParameterTensors p;
  private final KvCache cache;
  private final int T, C, NH, L, V, Vp;
  private final int slide; // S: how far the window moves when it is full

  // decode activations, one position: all in one buffer
  private final Slice resA, resB; // (C) the residual stream, ping-pong between the two halves of a block
  private final Slice ln; // (C)
  private final Slice mean, rstd; // (1)
  private final Slice qkv; // (3C)
  private final Slice atty; // (C)
  private final Slice att; // (NH, T)
  private final Slice attproj; // (C)
  private final Slice fch, fchGelu; // (4C)
  private final Slice fcproj; // (C)
  private final Slice logits; // (Vp)

  private PrefillActivations prefill; // allocated on the first prefill

  // host side: what the cache holds
  private final int[] window; // (T) tokens at cache positions 0 .. cachedLength-1
  private int cachedLength;
  private long windowStart = -1; // index in the caller's sequence of cache position 0
  private final float[] hostLogits; // (V)
  private final int[] hostInt = new int[1];
  private int prefillThreshold;
  private long decodeSteps, prefills;
  private boolean closed;

  /** A generator over the weights of a model (shared, not copied: training updates show). */
  public static Generator forModel(Gpt model) {
    return new Generator(model.config(), model.backend(), model.paramSlice("wte").buf());
  }

  /** A generator with its own copy of {@code weights} (laid out by {@link ParameterLayout}) on {@code backend}. */
  public static Generator withWeights(GptConfig cfg, Backend backend, float[] weights) {
    ParameterLayout layout = new ParameterLayout(cfg);
    if (weights.length != layout.totalCount()) {
      throw new IllegalArgumentException("weights: expected " + layout.totalCount() + " floats for this model, got "
          + weights.length + " (shapes do not match)");
    }
    FloatBuf params = backend.allocFloat("params", weights.length);
    backend.write(params, 0, weights, 0, weights.length);
    return new Generator(cfg, backend, params);
  }

  private Generator(GptConfig cfg, Backend backend, FloatBuf params) {
    ParameterLayout layout = new ParameterLayout(cfg);
    this.cfg = cfg;
    this.backend = backend;
    this.p = new ParameterTensors(layout, params);
    this.T = cfg.blockSize();
    this.C = cfg.nEmbd();
    this.NH = cfg.nHead();
    this.L = cfg.nLayer();
    this.V = cfg.vocabSize();
    this.Vp = cfg.paddedVocabSize();
    this.slide = T - T / 2;
    this.cache = new KvCache(backend, L, T, C);

    BufferCursor counting = new BufferCursor(null);
    Slice[] s = layOutDecode(counting);
    FloatBuf buf = backend.allocFloat("decode_acts", counting.sizeOrThrow("decode activations"));
    s = layOutDecode(new BufferCursor(buf));
    resA = s[0];
    resB = s[1];
    ln = s[2];
    mean = s[3];
    rstd = s[4];
    qkv = s[5];
    atty = s[6];
    att = s[7];
    attproj = s[8];
    fch = s[9];
    fchGelu = s[10];
    fcproj = s[11];
    logits = s[12];

    window = new int[T];
    hostLogits = new float[V];
    prefillThreshold = Math.max(4, T / 8);
  }

  private Slice[] layOutDecode(BufferCursor c) {
    return new Slice[] {
      c.take(C), c.take(C), c.take(C), c.take(1), c.take(1), c.take(3L * C), c.take(C), c.take((long) NH * T),
      c.take(C), c.take(4L * C), c.take(4L * C), c.take(C), c.take(Vp)
    };
  }

  // ---------------------------------------------------------------- NextTokenModel

  @Override
  public int vocabSize() {
    return V;
  }

  @Override
  public int contextLength() {
    return T;
  }

  public GptConfig config() {
    return cfg;
  }

  @Override
  public String description() {
    long params = new ParameterLayout(cfg).totalCount();
    return String.format(Locale.ROOT, "%d layers x %d (%d heads), context %d, vocabulary %d, %.2fM parameters, %s",
        L, C, NH, T, V, params / 1e6, backend.name());
  }

  @Override
  public float[] nextLogits(int[] tokens, int length) {
    if (closed) throw new IllegalStateException("this generator was closed");
    if (length < 1 || length > tokens.length) {
      throw new IllegalArgumentException("context length " + length + " must be between 1 and " + tokens.length);
    }
    long start = windowStart(length);
    int m = (int) (length - start); // window length, 1 .. T
    for (int i = (int) start; i < length; i++) {
      if (tokens[i] < 0 || tokens[i] >= V) {
        throw new IllegalArgumentException("token id " + tokens[i] + " at position " + i + " is not in the model's "
            + V + "-token vocabulary (is the tokenizer the one this model was trained with?)");
      }
    }
    // Positions already in the cache for this window; the last one is always computed afresh.
    int reuse = 0;
    if (start == windowStart) {
      int limit = Math.min(cachedLength, m - 1);
      while (reuse < limit && window[reuse] == tokens[(int) start + reuse]) reuse++;
    }
    cachedLength = reuse;
    windowStart = start;
    if (m - 1 - reuse > prefillThreshold) {
      prefill(tokens, (int) start, m - 1);
    }
    for (int pos = cachedLength; pos < m; pos++) decode(tokens[(int) start + pos], pos);
    backend.read(logits.buf(), logits.offset(), hostLogits, 0, V);
    return hostLogits;
  }

  /** Index of the first token of the window for a sequence of {@code n} tokens (0 until it outgrows T). */
  long windowStart(long n) {
    if (n <= T) return 0;
    return ((n - T - 1) / slide + 1) * slide;
  }

  /** Calls with more new tokens than this prefill the window in one pass instead of decoding them one by one. */
  public void setPrefillThreshold(int tokens) {
    if (tokens < 0) throw new IllegalArgumentException("prefill threshold must be 0 or more, got " + tokens);
    prefillThreshold = tokens;
  }

  /** Decode steps run so far (one per position computed from the cache). */
  public long decodeSteps() {
    return decodeSteps;
  }

  /** Prefill passes run so far. */
  public long prefills() {
    return prefills;
  }

  @Override
  public void close() {
    closed = true;
  }

  // ---------------------------------------------------------------- steps

  /** Runs position {@code pos} of the window for {@code token}: k, v into the cache, logits out. */
  private void decode(int token, int pos) {
    hostInt[0] = token;
    backend.write(cache.token, 0, hostInt, 0, 1);
    hostInt[0] = pos;
    backend.write(cache.pos, 0, hostInt, 0, 1);
    backend.beginStep("decode");
    backend.encoderDecode(resA, cache.token, cache.pos, p.wte, p.wpe, C);
    for (int l = 0; l < L; l++) {
      // resB = resA + c_proj(attn(c_attn(ln_1(resA)))) over the cache
      backend.layernormForward(ln, mean, rstd, resA, p.ln1w[l], p.ln1b[l], 1, C);
      backend.matmulForward(qkv, ln, p.qkvw[l], p.qkvb[l], 1, C, 3 * C);
      backend.attentionDecode(atty, att, qkv, cache.k[l], cache.v[l], cache.pos, T, C, NH);
      backend.matmulForward(attproj, atty, p.attprojw[l], p.attprojb[l], 1, C, C);
      backend.residualForward(resB, resA, attproj, C);
      // resA = resB + c_proj(gelu(c_fc(ln_2(resB))))
      backend.layernormForward(ln, mean, rstd, resB, p.ln2w[l], p.ln2b[l], 1, C);
      backend.matmulForward(fch, ln, p.fcw[l], p.fcb[l], 1, C, 4 * C);
      backend.geluForward(fchGelu, fch, 4 * C);
      backend.matmulForward(fcproj, fchGelu, p.fcprojw[l], p.fcprojb[l], 1, 4 * C, C);
      backend.residualForward(resA, resB, fcproj, C);
    }
    backend.layernormForward(ln, mean, rstd, resA, p.lnfw, p.lnfb, 1, C);
    backend.matmulForward(logits, ln, p.wte, null, 1, C, Vp); // tied head
    backend.endStep();
    window[pos] = token;
    cachedLength = pos + 1;
    decodeSteps++;
  }

  /**
   * Fills cache positions 0 .. n-1 with k and v of {@code tokens[from .. from+n)} in one (1, T)
   * forward pass. The last layer stops after its qkv: only the cache is wanted, no logits.
   */
  private void prefill(int[] tokens, int from, int n) {
    if (prefill == null) prefill = new PrefillActivations();
    PrefillActivations a = prefill;
    int[] padded = new int[T];
    System.arraycopy(tokens, from, padded, 0, n);
    backend.write(a.tokens, 0, padded, 0, T);
    backend.beginStep("prefill");
    backend.encoderForward(a.resA, a.tokens, p.wte, p.wpe, 1, T, C);
    for (int l = 0; l < L; l++) {
      backend.layernormForward(a.ln, a.mean, a.rstd, a.resA, p.ln1w[l], p.ln1b[l], T, C);
      backend.matmulForward(a.qkv, a.ln, p.qkvw[l], p.qkvb[l], T, C, 3 * C);
      for (int t = 0; t < T; t++) {
        backend.copy(cache.kRows[l][t], a.kOfRow[t]);
        backend.copy(cache.vRows[l][t], a.vOfRow[t]);
      }
      if (l == L - 1) break;
      backend.attentionForward(a.atty, a.att, a.qkv, 1, T, C, NH);
      backend.matmulForward(a.attproj, a.atty, p.attprojw[l], p.attprojb[l], T, C, C);
      backend.residualForward(a.resB, a.resA, a.attproj, T * C);
      backend.layernormForward(a.ln, a.mean, a.rstd, a.resB, p.ln2w[l], p.ln2b[l], T, C);
      backend.matmulForward(a.fch, a.ln, p.fcw[l], p.fcb[l], T, C, 4 * C);
      backend.geluForward(a.fchGelu, a.fch, T * 4 * C);
      backend.matmulForward(a.fcproj, a.fchGelu, p.fcprojw[l], p.fcprojb[l], T, 4 * C, C);
      backend.residualForward(a.resA, a.resB, a.fcproj, T * C);
    }
    backend.endStep();
    System.arraycopy(padded, 0, window, 0, n);
    cachedLength = n;
    prefills++;
  }

  /** Activations of the (1, T) prefill pass; one set reused by every layer. */
  private final class PrefillActivations {
    final IntBuf tokens; // (T)
    final Slice resA, resB; // (T, C)
    final Slice ln; // (T, C)
    final Slice mean, rstd; // (T)
    final Slice qkv; // (T, 3C)
    final Slice[] kOfRow, vOfRow; // (T) x (C): the k and v parts of each row of qkv
    final Slice atty; // (T, C)
    final Slice att; // (NH, T, T)
    final Slice attproj; // (T, C)
    final Slice fch, fchGelu; // (T, 4C)
    final Slice fcproj; // (T, C)

    PrefillActivations() {
      BufferCursor counting = new BufferCursor(null);
      layOut(counting);
      FloatBuf buf = backend.allocFloat("prefill_acts", counting.sizeOrThrow("prefill activations"));
      Slice[] s = layOut(new BufferCursor(buf));
      resA = s[0];
      resB = s[1];
      ln = s[2];
      mean = s[3];
      rstd = s[4];
      qkv = s[5];
      atty = s[6];
      att = s[7];
      attproj = s[8];
      fch = s[9];
      fchGelu = s[10];
      fcproj = s[11];
      kOfRow = new Slice[T];
      vOfRow = new Slice[T];
      for (int t = 0; t < T; t++) {
        kOfRow[t] = qkv.sub(t * 3 * C + C, C);
        vOfRow[t] = qkv.sub(t * 3 * C + 2 * C, C);
      }
      tokens = backend.allocInt("prefill_tokens", T);
    }

    private Slice[] layOut(BufferCursor c) {
      long TC = (long) T * C;
      return new Slice[] {
        c.take(TC), c.take(TC), c.take(TC), c.take(T), c.take(T), c.take(3 * TC), c.take(TC),
        c.take((long) NH * T * T), c.take(TC), c.take(4 * TC), c.take(4 * TC), c.take(TC)
      };
    }
  }
}

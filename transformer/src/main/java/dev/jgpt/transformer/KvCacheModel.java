package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Bf16;
import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.HeapBackend;
import dev.jgpt.kernels.Slice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The KV-cache model: next-token logits from a GPT that keeps every position's keys and values,
 * so generation pays for one position per token. It runs the same {@link Block} as training, with
 * the attention over the cache ({@link CachedAttention}) or, to fill it, over the window
 * ({@link PrefillAttention}). Each call that extends the previous sequence by
 * one token runs one position (a "decode" step); a new or changed sequence is prefilled first.
 *
 * <p>Steps, both capture-safe (same ops, buffers and arguments every run):
 * <ul>
 *   <li>"prefill-R": a (1, R) forward pass over the window's tokens padded on the right to R
 *       rows (R: a power of two from 16, or T), writing k and v of every row into the cache.
 *       Causal attention keeps the padding from touching the real positions, and later decode
 *       steps overwrite its rows.
 *   <li>"decode": one position, its token and position read from one-int backend buffers by
 *       {@code encoderDecode} and {@code attentionDecode}; out come the logits. "decode-bf16"
 *       is the same step reading bf16 copies of the matrices ({@link #useWeights}).
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
public final class KvCacheModel implements NextTokenModel {
  private final GptConfig cfg;
  private final Backend backend;
  private final FloatBuf params; // (P) laid out by ParameterLayout; may be a Gpt's
  private final ParameterTensors p;
  private final KvCache cache;
  private final int T, C, NH, L, V, Vp;
  private final int slide; // S: how far the window moves when it is full

  private final Block block; // the one block every layer runs
  private final DecodeActivations d; // one position's activations, in one buffer
  private final BlockActivations decodeBlock; // d as a block sees it, reused by every layer
  private final CachedAttention cachedAttention; // a decode step's attention: over the cache

  private PrefillActivations prefill; // allocated on the first prefill
  private Bf16Weights bf16; // 16-bit copies of the matrices decode reads, or null: decode reads params

  // host side: what the cache holds
  private final int[] window; // (T) tokens at cache positions 0 .. cachedLength-1
  private int cachedLength;
  private long windowStart = -1; // index in the caller's sequence of cache position 0
  private final float[] hostLogits; // (V)
  private final int[] hostInt = new int[1];
  private int prefillThreshold;
  private long decodeSteps, prefills;
  private boolean closed;

  /** A KV-cache model over the weights of a model (shared, not copied: training updates show). */
  public static KvCacheModel forModel(Gpt model) {
    return new KvCacheModel(model.config(), model.backend(), model.paramsBuffer());
  }

  /** A KV-cache model with its own copy of {@code weights} (laid out by {@link ParameterLayout}) on {@code backend}. */
  public static KvCacheModel withWeights(GptConfig cfg, Backend backend, float[] weights) {
    ParameterLayout layout = new ParameterLayout(cfg);
    if (weights.length != layout.totalCount()) {
      throw new IllegalArgumentException("weights: expected " + layout.totalCount() + " floats for this model, got "
          + weights.length + " (shapes do not match)");
    }
    FloatBuf params = backend.allocFloat("params", weights.length, BufferKind.PARAMETERS);
    backend.write(params, 0, weights, 0, weights.length);
    return new KvCacheModel(cfg, backend, params);
  }

  /**
   * A KV-cache model whose weights {@code source} writes straight into the backend's parameter
   * buffer, tensor by tensor: a large model is never held twice on the heap.
   */
  public static KvCacheModel withWeights(GptConfig cfg, Backend backend, WeightSink.Source source) throws IOException {
    ParameterLayout layout = new ParameterLayout(cfg);
    FloatBuf params = backend.allocFloat("params", layout.totalCount(), BufferKind.PARAMETERS);
    source.writeTo((offset, data, from, length) -> backend.write(params, offset, data, from, length));
    return new KvCacheModel(cfg, backend, params);
  }

  /**
   * The Java heap that loading {@code cfg}'s weights and generating with {@link
   * #withWeights(GptConfig, Backend, float[])} on {@code backend} take, computed without
   * allocating, from the same layouts the model allocates: all the weights in a host array, and
   * where the backend's buffers are Java arrays ({@link HeapBackend}) their copy, the KV cache,
   * the decode activations and the prefill activations (allocated at the first prefill). Weights
   * streamed in hold far less: see {@link #memory(GptConfig, Backend, long)}.
   */
  public static MemoryEstimate memory(GptConfig cfg, Backend backend) {
    return memory(cfg, backend, new ParameterLayout(cfg).totalCount());
  }

  /**
   * The same with {@code asRead} floats of weights on the heap while they are read: all of them
   * for {@link #withWeights(GptConfig, Backend, float[])}; for weights streamed in ({@link
   * #withWeights(GptConfig, Backend, WeightSink.Source)}) what their loader holds at once
   * ({@link Checkpoint#floatsHeldWhileStreaming} for a run, HfGpt2.floatsHeldWhileReading for a
   * Hugging Face folder).
   */
  public static MemoryEstimate memory(GptConfig cfg, Backend backend, long asRead) {
    return new MemoryEstimate(parts(cfg, backend, asRead, true, false, false));
  }

  /**
   * The heap generating with {@code cfg} on {@code backend} takes with the caches and copies
   * given, the weights as read gone: the model's own buffers, the F32 KV cache ({@code f32Cache}:
   * made, or to be made before the first step of a model whose cache stays F32), the bf16 KV cache
   * and the bf16 copies of the weights.
   */
  static MemoryEstimate memory(GptConfig cfg, Backend backend, boolean f32Cache, boolean bf16Cache,
      boolean bf16Weights) {
    return new MemoryEstimate(parts(cfg, backend, 0, f32Cache, bf16Cache, bf16Weights));
  }

  // the parts of the estimates above, in one place
  private static List<MemoryEstimate.Part> parts(GptConfig cfg, Backend backend, long asRead, boolean f32Cache,
      boolean bf16Cache, boolean bf16Weights) {
    long P = new ParameterLayout(cfg).totalCount(); // validates cfg
    int L = cfg.nLayer(), T = cfg.blockSize(), C = cfg.nEmbd(), NH = cfg.nHead(), Vp = cfg.paddedVocabSize();
    long f = Float.BYTES;
    long onHeap = backend.buffersOnHeap() ? 1 : 0;
    List<MemoryEstimate.Part> parts = new ArrayList<>(List.of(
        new MemoryEstimate.Part("parameters as read", asRead * f),
        new MemoryEstimate.Part("parameters", onHeap * P * f),
        new MemoryEstimate.Part("activations", onHeap * (BufferCursor.count(c -> DecodeActivations.layOut(c, C, NH, T,
            Vp)) + BufferCursor.count(c -> PrefillActivations.layOut(c, T, C, NH))) * f)));
    if (f32Cache) parts.add(new MemoryEstimate.Part("KV cache", onHeap * 2 * KvCache.floatsPerTensor(L, T, C) * f));
    if (bf16Cache) {
      parts.add(new MemoryEstimate.Part("16-bit KV cache", onHeap * 2 * L * KvCache.intsPerLayer16(T, C) * Integer.BYTES));
    }
    if (bf16Weights) {
      parts.add(new MemoryEstimate.Part("16-bit weights", onHeap * Bf16Weights.ints(L, C, Vp) * Integer.BYTES));
    }
    return parts;
  }

  /** A decode step's name by (bf16 weights, bf16 KV cache): each its own captured step, named without allocating. */
  private static final String[] DECODE_STEPS = {"decode", "decode-kv16", "decode-bf16", "decode-bf16-kv16"};

  /** Below this many parameters, generation runs on one thread unless told otherwise. */
  public static final long SMALL_MODEL_PARAMETERS = 5_000_000;

  /**
   * Threads for generating with {@code cfg}: {@code requested} when given (> 0); else one for
   * small models, whose per-token ops take microseconds (splitting them gains little and, when
   * another program holds a core, a worker waiting for its time slice stalls every op), and all
   * cores (0) for larger ones.
   */
  public static int threadsFor(GptConfig cfg, int requested) {
    if (requested > 0) return requested;
    return cfg.parameterCount() < SMALL_MODEL_PARAMETERS ? 1 : 0;
  }

  private KvCacheModel(GptConfig cfg, Backend backend, FloatBuf params) {
    ParameterLayout layout = new ParameterLayout(cfg);
    this.cfg = cfg;
    this.backend = backend;
    this.params = params;
    this.p = new ParameterTensors(layout, params);
    this.T = cfg.blockSize();
    this.C = cfg.nEmbd();
    this.NH = cfg.nHead();
    this.L = cfg.nLayer();
    this.V = cfg.vocabSize();
    this.Vp = cfg.paddedVocabSize();
    this.slide = T - T / 2;
    this.cache = new KvCache(backend, L, T, C);

    FloatBuf decodeBuf = BufferCursor.allocate(backend, "decode_acts", "decode activations",
        c -> DecodeActivations.layOut(c, C, NH, T, Vp));
    this.d = DecodeActivations.layOut(new BufferCursor(decodeBuf), C, NH, T, Vp);
    this.decodeBlock = d.asBlock();
    this.block = new Block(backend, C);
    this.cachedAttention = new CachedAttention(backend, cache, C, NH);

    window = new int[T];
    hostLogits = new float[V];
    prefillThreshold = Math.max(4, T / 8);
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

  /** The backend the weights live on. */
  Backend backend() {
    return backend;
  }

  /**
   * The token embeddings wte (V, C), the real vocabulary's rows, read from the backend: the tied
   * output head too, so a row is both how a token goes in and what predicts it.
   */
  public float[] embeddings() {
    float[] wte = new float[V * C];
    backend.read(p.wte.buf(), p.wte.offset(), wte, 0, wte.length);
    return wte;
  }

  /** The weights (P): a forward-only {@link Gpt} shares them to inspect this model's forward pass. */
  FloatBuf paramsBuffer() {
    return params;
  }

  @Override
  public String description() {
    long params = new ParameterLayout(cfg).totalCount();
    return String.format(Locale.ROOT, "%d layers x %d (%d heads), context %d, vocabulary %d, %.2fM parameters, %s%s%s",
        L, C, NH, T, V, params / 1e6, backend.name(), bf16 == null ? "" : ", bf16 weights for decoding",
        cache.bf16() ? ", bf16 KV cache" : "");
  }

  /** The format decode steps keep the keys and values in (F32 unless {@link #useKvCache} said otherwise). */
  public WeightFormat kvCacheFormat() {
    return cache.bf16() ? WeightFormat.BF16 : WeightFormat.F32;
  }

  /**
   * Keeps the keys and values of the positions from now on in {@code format}. BF16 halves the
   * bytes a decode step reads from the cache (at a long context, the attention's share of a token),
   * at bf16's rounding of k and v; what is cached is forgotten, so the next call prefills afresh.
   * Refused in one line where the backend has no bf16 cache, the head size is odd (a pair of
   * columns would straddle two heads) or the cache does not fit {@code heap}. F32 after BF16 is
   * refused too: the bf16 caches stay once made.
   */
  public void useKvCache(WeightFormat format, HeapBudget heap) {
    if (closed) throw new IllegalStateException("this model was closed");
    if (format == kvCacheFormat()) return;
    if (format == WeightFormat.F32) {
      throw new IllegalArgumentException("this model keeps its KV cache in bf16 already; load it again for an F32 cache");
    }
    if (!backend.supportsBf16KvCache()) {
      throw new IllegalArgumentException("the " + backend.name() + " backend cannot keep a 16-bit KV cache: use "
          + "--kv-cache f32, or --backend cpu for --kv-cache bf16");
    }
    if (C % 2 != 0 || (C / NH) % 2 != 0) {
      throw new IllegalArgumentException("--kv-cache bf16 needs an even head size; this model's is " + C / NH
          + ": use --kv-cache f32");
    }
    MemoryCheck.requireFits(memory(cfg, backend, cache.holdsF32(), true, bf16 != null), heap, null);
    cache.useBf16();
    windowStart = -1;
    cachedLength = 0;
  }

  /** {@link #useKvCache(WeightFormat, HeapBudget)} against this JVM's heap. */
  public void useKvCache(WeightFormat format) {
    useKvCache(format, HeapBudget.current());
  }

  /** The format decode steps read the matrices in (F32 unless {@link #useWeights} said otherwise). */
  public WeightFormat weightFormat() {
    return bf16 == null ? WeightFormat.F32 : WeightFormat.BF16;
  }

  /** {@link #useWeights(WeightFormat, HeapBudget)} against this JVM's heap. */
  public void useWeights(WeightFormat format) {
    useWeights(format, HeapBudget.current());
  }

  /**
   * Decode steps read the matrices in {@code format} from now on. BF16 makes bf16 copies of the
   * block matrices and the tied head (once; the F32 weights stay for prefill, the embeddings and
   * a return to F32): a token then reads half the bytes. Refused in one line where the backend
   * has no bf16 matmul or the copies do not fit {@code heap}.
   */
  public void useWeights(WeightFormat format, HeapBudget heap) {
    if (closed) throw new IllegalStateException("this model was closed");
    if (format == WeightFormat.F32) {
      bf16 = null;
      return;
    }
    if (bf16 != null) return;
    if (!backend.supportsBf16Weights()) {
      throw new IllegalArgumentException("the " + backend.name() + " backend cannot decode with 16-bit weights: use "
          + "--weights f32, or --backend cpu for --weights bf16");
    }
    MemoryCheck.requireFits(bf16Memory(cfg, backend, cache.holdsF32() || !cache.bf16(), cache.bf16()), heap, null);
    bf16 = Bf16Weights.of(backend, p, C, Vp);
  }

  /**
   * The heap generating with {@code cfg} on {@code backend} takes once the bf16 copies are made:
   * the model's own buffers and KV caches ({@link #memory(GptConfig, Backend, boolean, boolean,
   * boolean)}), the copies, and while they are made the largest matrix (the head) as floats and as
   * packed ints on the host.
   */
  static MemoryEstimate bf16Memory(GptConfig cfg, Backend backend, boolean f32Cache, boolean bf16Cache) {
    int Vp = cfg.paddedVocabSize(), C = cfg.nEmbd();
    long head = (long) Vp * C * Float.BYTES + (long) Vp * Bf16.packedCols(C) * Integer.BYTES;
    List<MemoryEstimate.Part> parts = new ArrayList<>(parts(cfg, backend, 0, f32Cache, bf16Cache, true));
    parts.add(new MemoryEstimate.Part("the head while it is converted", head));
    return new MemoryEstimate(parts);
  }

  @Override
  public float[] nextLogits(int[] tokens, int length) {
    if (closed) throw new IllegalStateException("this model was closed");
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
    backend.read(d.logits().buf(), d.logits().offset(), hostLogits, 0, V);
    return hostLogits;
  }

  /**
   * Alternates prefills of a half window and runs of decode steps over a made-up sequence until
   * the budget or 2,000 decode steps are spent, then forgets it all (the next call starts
   * afresh).
   */
  @Override
  public void warmUp(long budgetNanos) {
    long deadline = System.nanoTime() + budgetNanos;
    int[] seq = new int[T];
    for (int i = 0; i < T; i++) seq[i] = (i * 31 + 7) % V;
    int prompt = Math.max(1, Math.min(T - 1, T / 2));
    int threshold = prefillThreshold;
    prefillThreshold = 0; // every new prompt is prefilled, so both paths warm up
    long firstStep = decodeSteps;
    try {
      for (int round = 0; decodeSteps - firstStep < 2_000 && System.nanoTime() < deadline; round++) {
        seq[0] = round % V; // a different first token: the cache cannot be reused
        for (int n = prompt; n <= T && System.nanoTime() < deadline; n++) nextLogits(seq, n);
      }
    } finally {
      prefillThreshold = threshold;
      windowStart = -1;
      cachedLength = 0;
    }
  }

  /**
   * Index of the first token of the window for a sequence of {@code n} tokens (0 until it outgrows
   * T): the logits after {@code n} tokens are those of a fresh forward pass over
   * {@code tokens[windowStart(n) .. n)}.
   */
  public long windowStart(long n) {
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
    Bf16Weights w16 = bf16;
    cache.prepare();
    backend.beginStep(DECODE_STEPS[(w16 == null ? 0 : 2) + (cache.bf16() ? 1 : 0)]); // other ops, another captured step
    backend.encoderDecode(d.resA(), cache.token, cache.pos, p.wte, p.wpe, C);
    for (int l = 0; l < L; l++) {
      block.forward(l, p.h[l], w16 == null ? null : w16.h()[l], decodeBlock, d.resA(), cachedAttention, 1, null);
    }
    backend.layernormForward(d.ln(), d.mean(), d.rstd(), d.resA(), p.lnfw, p.lnfb, 1, C);
    if (w16 == null) {
      backend.matmulForward(d.logits(), d.ln(), p.wte, null, 1, C, Vp); // tied head
    } else {
      backend.matmulForwardBf16(d.logits(), d.ln(), w16.head(), null, 1, C, Vp);
    }
    backend.endStep();
    window[pos] = token;
    cachedLength = pos + 1;
    decodeSteps++;
  }

  /**
   * Fills cache positions 0 .. n-1 with k and v of {@code tokens[from .. from+n)} in one forward
   * pass over a fixed number of rows: n rounded up to a power of two (at least 16, at most T), so
   * a slide (which keeps T/2 tokens) computes T/2 rows, not T, and each size is its own captured
   * step. The last layer stops after its qkv: only the cache is wanted, no logits.
   */
  private void prefill(int[] tokens, int from, int n) {
    if (prefill == null) prefill = new PrefillActivations(backend, cache, T, C, NH);
    int rows = prefillRows(n);
    PrefillActivations.Pass pass = prefill.pass(rows);
    int[] padded = new int[rows];
    System.arraycopy(tokens, from, padded, 0, n);
    backend.write(prefill.tokens, 0, padded, 0, rows);
    cache.prepare();
    backend.beginStep("prefill-" + rows + (cache.bf16() ? "-kv16" : ""));
    backend.encoderForward(pass.resA(), prefill.tokens, p.wte, p.wpe, 1, rows, C);
    for (int l = 0; l < L - 1; l++) block.forward(l, p.h[l], pass.block(), pass.resA(), pass.attention(), rows, null);
    block.qkvForward(p.h[L - 1], pass.block(), pass.resA(), rows);
    pass.attention().storeKv(L - 1);
    backend.endStep();
    System.arraycopy(padded, 0, window, 0, n);
    cachedLength = n;
    prefills++;
  }

  /** Rows a prefill of n tokens computes: the next power of two, at least 16, at most T. */
  int prefillRows(int n) {
    int rows = 16;
    while (rows < n) rows *= 2;
    return Math.min(rows, T);
  }
}

package dev.jgpt.kernels;

import java.util.function.BooleanSupplier;

/**
 * Every compute kernel a GPT needs, at op level, over buffers the backend owns.
 *
 * <p>Conventions (llm.c's): all tensors are row-major slices of flat buffers; shapes are given in
 * each method's comment, e.g. {@code inp (N,C)}. Forward ops overwrite their outputs. Backward
 * ops write their gradient outputs ({@code d...} arguments) in one of two ways, each op's comment
 * saying which ({@code =} or {@code +=}):
 * <ul>
 *   <li>gradients of parameters ({@code dweight}, {@code dbias}, {@code dwte}, {@code dwpe}) are
 *       <b>added</b> to, so micro-batches accumulate into one gradient; callers zero them with
 *       {@link #zero} before the first micro-batch of a step;
 *   <li>{@link #layernormBackward}'s {@code dinp} is <b>added</b> to: it is the residual stream's
 *       gradient, which already holds the gradient that bypasses the branch (so a residual add
 *       needs no op of its own);
 *   <li>every other input gradient ({@link #matmulBackward}'s {@code dinp},
 *       {@link #attentionBackward}'s {@code dqkv}, {@link #geluBackward}'s and
 *       {@link #dropoutBackward}'s {@code dinp}) is <b>written</b>, whatever it held before (NaN
 *       included): it is a fresh per-layer tensor, and zeroing it first would be a wasted pass
 *       over memory. The values equal those of adding into zeros (bit for bit, but for the sign
 *       of a zero).
 * </ul>
 * Nullable arguments say so. No op returns a value: results stay in backend buffers until
 * {@link #read}, so a whole step can run on a device.
 *
 * <p>Step capture: model code brackets each training or generation step with
 * {@link #beginStep}/{@link #endStep}. A capturing backend (TornadoVM) records the ops of the
 * first run of a named step and replays them afterwards; hence inside a step the op sequence,
 * buffers, slices and scalar arguments must be identical on every run, values that change per
 * step are read from buffers ({@link StepScalars}, position buffers), and {@link #read} is not
 * allowed. {@code CaptureChecker} (test utility) verifies this on the CPU.
 *
 * <p>Implementations: {@code ReferenceBackend} (scalar, the specification), {@code CpuBackend}
 * (Vector API + threads), {@code TornadoBackend} (profile {@code tornado}). They only compute:
 * {@link Backends#open} hands each out wrapped in {@link CheckedBackend}, which checks every
 * op's arguments (shapes, ids, positions) in one place.
 */
public interface Backend extends AutoCloseable {

  /** Short name: "reference", "cpu", "tornado". */
  String name();

  /** One line on the device and its settings, e.g. "CPU, 2 threads, AVX2 (256-bit)". */
  String description();

  /**
   * Bytes of Java heap the backend keeps as scratch of its own (beyond the buffers it is asked
   * for) once it has run training steps of a GPT with batches of B x T tokens, C channels, NH
   * heads and a padded vocabulary of Vp: lets a memory estimate count it before anything is
   * allocated. 0 for a backend that keeps no scratch on the heap.
   */
  default long trainingScratchBytes(int B, int T, int C, int NH, int Vp) {
    return 0;
  }

  /**
   * True when the buffers are Java heap arrays (reference, CPU), so a memory estimate counts
   * them against the heap; false for a device backend, whose buffers live off the heap.
   */
  default boolean buffersOnHeap() {
    return false;
  }

  // ---------------------------------------------------------------- buffers and copies

  /** A new zero-filled float buffer of kind {@link BufferKind#ACTIVATIONS}. Allocate at setup, never inside a step. */
  FloatBuf allocFloat(String name, int size);

  /**
   * A new zero-filled float buffer that holds kind: heap backends ignore the kind; a device
   * backend places each kind in its own device allocation. Allocate at setup, never inside a step.
   */
  default FloatBuf allocFloat(String name, int size, BufferKind kind) {
    return allocFloat(name, size);
  }

  /** A new zero-filled int buffer. */
  IntBuf allocInt(String name, int size);

  /** Host to backend: {@code dst[dstOffset .. +len) = src[srcOffset .. +len)}. */
  void write(FloatBuf dst, int dstOffset, float[] src, int srcOffset, int len);

  /** Backend to host: {@code dst[dstOffset .. +len) = src[srcOffset .. +len)}. */
  void read(FloatBuf src, int srcOffset, float[] dst, int dstOffset, int len);

  /** Host to backend for ints (token ids, targets, positions). */
  void write(IntBuf dst, int dstOffset, int[] src, int srcOffset, int len);

  /** Backend to host for ints. */
  void read(IntBuf src, int srcOffset, int[] dst, int dstOffset, int len);

  /** Backend-side copy: {@code dst = src} (same length). */
  void copy(Slice dst, Slice src);

  /** {@code x = 0}. */
  void zero(Slice x);

  /** Frees all buffers. */
  @Override
  void close();

  // ---------------------------------------------------------------- data-parallel shards

  /**
   * {@code n} backends over this one's buffers on which n data-parallel shards of a training step
   * (each its own rows of the batch, activations and gradients, the weights shared) run at the same
   * time, each on its own share of the cores; or this backend n times where it has fewer threads
   * than n, and the shards run one after another with the same results. null where shards are not
   * run (the default: a device runs one step at a time). The backends are this one's: made once,
   * closed with it, never closed by the caller. Each is used from one thread at a time.
   */
  default Backend[] coreShares(int n) {
    return null;
  }

  /**
   * Lends the calling thread to this share of {@link #coreShares}, whose shard another thread is
   * running, until {@code done} says stop: the share's ops may run parts of their work on it. A
   * shard whose pass has finished calls it so that its core works on a slower shard's ops instead
   * of waiting. The results are the same with or without help. The default returns at once.
   */
  default void helpUntil(BooleanSupplier done) {}

  /**
   * Runs each of {@code work}, one per share of {@link #coreShares}{@code (work.length)}, at the same
   * time on threads of this backend's own (the caller runs work[0]), and returns when all have
   * finished, throwing the first failure. A work may wait for another to finish (a shard lending
   * its thread to the others, {@link #helpUntil}): each has a thread. Where coreShares gave this
   * backend itself n times, and by default, they run one after another.
   */
  default void runTogether(Runnable... work) {
    for (Runnable w : work) w.run();
  }

  // ---------------------------------------------------------------- step capture

  /** Marks the start of a step named {@code name} ("train", "eval", "decode"...). */
  default void beginStep(String name) {}

  /** Marks the end of the current step. */
  default void endStep() {}

  // ---------------------------------------------------------------- embeddings

  /**
   * out (B,T,C) = wte[inp[b,t]] + wpe[t].
   * inp (B,T) token ids, wte (V,C), wpe (maxT,C).
   */
  void encoderForward(Slice out, IntBuf inp, Slice wte, Slice wpe, int B, int T, int C);

  /**
   * dwte (V,C) += scatter of dout by token id, dwpe (maxT,C) += sum over b of dout[b,t] (both
   * parameter gradients: added to).
   * dout (B,T,C), inp (B,T). Implemented in gather form (one writer per dwte row).
   */
  void encoderBackward(Slice dwte, Slice dwpe, Slice dout, IntBuf inp, int B, int T, int C, int V);

  /**
   * Decode form: out (C) = wte[token[0]] + wpe[pos[0]] for one new position.
   * token (1), pos (1) read on the backend so a decode step can be replayed.
   */
  void encoderDecode(Slice out, IntBuf token, IntBuf pos, Slice wte, Slice wpe, int C);

  // ---------------------------------------------------------------- layer norm

  /**
   * out (N,C) = (inp - mean) * rstd * weight + bias, per row; saves mean (N) and rstd (N) for
   * the backward pass. eps = 1e-5 as in GPT-2.
   */
  void layernormForward(Slice out, Slice mean, Slice rstd, Slice inp, Slice weight, Slice bias, int N, int C);

  /**
   * dinp (N,C) +=, dweight (C) +=, dbias (C) += the gradients of layernormForward given
   * dout (N,C), inp (N,C), weight (C), mean (N), rstd (N). All three are added to: dinp is the
   * residual stream's gradient (see the class comment). dbias may be null (no-bias models).
   */
  void layernormBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight,
      Slice mean, Slice rstd, int N, int C);

  // ---------------------------------------------------------------- matmul

  /** out (N,OC) = inp (N,C) @ weight (OC,C)^T + bias (OC); bias may be null. */
  void matmulForward(Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC);

  /**
   * dinp (N,C) = dout @ weight (written); dweight (OC,C) += dout^T @ inp and dbias (OC) += column
   * sums of dout (N,OC) (added to). dinp may be null when the input needs no gradient; dbias may
   * be null.
   */
  void matmulBackward(Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp, Slice weight,
      int N, int C, int OC);

  /**
   * The MLP's first matmul with GELU after it: pre (N,OC) = inp (N,C) @ weight (OC,C)^T + bias
   * (OC), then out (N,OC) = GELU(pre), as {@link #matmulForward} then {@link #geluForward} give
   * them (bit for bit). bias may be null. A backend that fuses them applies GELU to each block
   * of pre while it is still in cache, saving a pass over memory; the default runs the two ops.
   */
  default void matmulForwardGelu(Slice pre, Slice out, Slice inp, Slice weight, Slice bias, int N, int C, int OC) {
    matmulForward(pre, inp, weight, bias, N, C, OC);
    geluForward(out, pre, N * OC);
  }

  /**
   * The backward of the MLP's second matmul, whose input is inp (N,C) = GELU(pre (N,C)), with
   * GELU's backward after it: dpre (N,C) = GELU'(pre) * (dout (N,OC) @ weight (OC,C)) (written);
   * dweight (OC,C) += dout^T @ inp and dbias (OC) += column sums of dout (added to), as
   * {@link #matmulBackward} into dinp then {@link #geluBackward} from it give them (bit for bit).
   * dinp (N,C) is scratch for the product before GELU': afterwards it holds that product or is
   * left as it was (a backend that fuses never writes it). dpre may be inp's own memory (a layout
   * that reuses it): inp is read whole before dpre is written. dbias may be null.
   */
  default void matmulBackwardGelu(Slice dpre, Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp,
      Slice weight, Slice pre, int N, int C, int OC) {
    matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
    geluBackward(dpre, pre, dinp, N * C);
  }

  /**
   * True when this backend runs {@link #matmulForwardGeluSlope} and {@link
   * #matmulBackwardGeluSlope}: a training step then keeps GELU's slope where it kept GELU's
   * input, and the backward pass multiplies by it instead of evaluating GELU' (a tanh per
   * element) again. Optional: a backend that says false is run with the two ops above.
   */
  default boolean keepsGeluSlope() {
    return false;
  }

  /**
   * {@link #matmulForwardGelu} for a training step: out (N,OC) = GELU(x) for x = inp (N,C) @
   * weight (OC,C)^T + bias (OC), and slope (N,OC) = GELU'(x), the factor {@link
   * #matmulBackwardGeluSlope} multiplies by, with the bits {@link #geluBackward} computes it with
   * (GELU'(x) * 1 there). x itself is not kept. bias may be null. Only where {@link
   * #keepsGeluSlope} says so.
   */
  default void matmulForwardGeluSlope(Slice slope, Slice out, Slice inp, Slice weight, Slice bias, int N, int C,
      int OC) {
    throw new UnsupportedOperationException("the " + name() + " backend does not keep GELU's slope");
  }

  /**
   * {@link #matmulBackwardGelu} given GELU's slope (N,C) from {@link #matmulForwardGeluSlope}
   * instead of its input: dpre (N,C) = slope * (dout (N,OC) @ weight (OC,C)) (written), dweight and
   * dbias added to, with the bits matmulBackwardGelu gives for the slope's input; dinp, dpre over
   * inp and a null dbias as there. Only where {@link #keepsGeluSlope} says so.
   */
  default void matmulBackwardGeluSlope(Slice dpre, Slice dinp, Slice dweight, Slice dbias, Slice dout, Slice inp,
      Slice weight, Slice slope, int N, int C, int OC) {
    throw new UnsupportedOperationException("the " + name() + " backend does not keep GELU's slope");
  }

  /**
   * True when this backend runs {@link #matmulForwardBf16}: decoding with 16-bit weights is
   * optional (a backend that keeps only F32 weights says false, and the model stays in F32).
   */
  default boolean supportsBf16Weights() {
    return false;
  }

  /**
   * out (N,OC) = inp (N,C) @ weight (OC,C)^T + bias (OC) with the weight in bf16, packed as
   * {@link Bf16#packRows} packs it: weight (OC, Bf16.packedCols(C)) ints; bias may be null.
   * Decode reads every weight once per token, so half the bytes is up to twice the speed; the
   * sums are F32. Optional: only where {@link #supportsBf16Weights} says so.
   */
  default void matmulForwardBf16(Slice out, Slice inp, IntBuf weight, Slice bias, int N, int C, int OC) {
    throw new UnsupportedOperationException("the " + name() + " backend has no 16-bit weights; use --weights f32");
  }

  // ---------------------------------------------------------------- attention

  /**
   * Causal multi-head self-attention, training form.
   * qkv (B,T,3C) holds q, k, v for each position (head h uses channels h*hs .. (h+1)*hs of each,
   * hs = C/NH); out (B,T,C) = softmax(q k^T * scale) @ v per head, scale 1/sqrt(hs).
   *
   * <p>att is what {@link #attentionBackward} needs from this call, in one of two forms, told
   * apart by its length:
   * <ul>
   *   <li>at least B*NH*T*T floats: att (B,NH,T,T) receives the softmaxed attention weights
   *       (entries above the diagonal are 0). Every backend; what a caller that reads the weights
   *       (attention maps) passes.
   *   <li>fewer: the backend's own attention state of {@link #attentionStateSize} floats (e.g.
   *       each row's max and sum), which only attentionBackward reads. Allowed only where that
   *       size is below B*NH*T*T: a backend whose backward recomputes the weights from it, so the
   *       (B,NH,T,T) weights are never written to memory (a training step reads them nowhere else).
   * </ul>
   */
  void attentionForward(Slice out, Slice att, Slice qkv, int B, int T, int C, int NH);

  /**
   * dqkv (B,T,3C) = gradient of attentionForward given dout (B,T,C), qkv and the att that
   * attentionForward filled (either form; written, all of it).
   * The backend owns any scratch it needs (allocated on first use, reused after).
   */
  void attentionBackward(Slice dqkv, Slice dout, Slice qkv, Slice att, int B, int T, int C, int NH);

  /**
   * Floats of att that {@link #attentionForward} and {@link #attentionBackward} need for a (B,T)
   * batch of C channels in NH heads when the caller does not read the weights (training): B*NH*T*T,
   * the weights themselves, unless the backend keeps a smaller state of its own (the TornadoVM
   * backend's flash kernels: a max and a sum per attention row, 2*B*NH*T). A model allocates this
   * much for att where nothing reads the weights, and the full B*NH*T*T where something does.
   */
  default long attentionStateSize(int B, int T, int C, int NH) {
    return (long) B * NH * T * T;
  }

  /**
   * Decode form over a KV cache, for one new position p = pos[0]:
   * copies k and v of qkv (3C) into row p of kcache and vcache (maxT,C), then
   * out (C) = softmax(q . k[0..p] / sqrt(hs)) @ v[0..p] per head; att (NH,maxT) receives the
   * weights (entries beyond p are unspecified).
   */
  void attentionDecode(Slice out, Slice att, Slice qkv, Slice kcache, Slice vcache, IntBuf pos,
      int maxT, int C, int NH);

  /**
   * True when this backend runs {@link #attentionDecodeBf16} and {@link #packBf16}: a KV cache
   * kept in bf16, half the bytes a decode step reads from it. Optional, as 16-bit weights are.
   */
  default boolean supportsBf16KvCache() {
    return false;
  }

  /**
   * dst ints [dstOffset, dstOffset + Bf16.packedCols(n)) = src (n) rounded to bf16
   * ({@link Bf16#fromFloat}), two per int as {@link Bf16#packRows} packs a row: what a prefill
   * stores into a bf16 KV cache. Optional: only where {@link #supportsBf16KvCache} says so.
   */
  default void packBf16(IntBuf dst, int dstOffset, Slice src, int n) {
    throw new UnsupportedOperationException("the " + name() + " backend has no 16-bit KV cache; use --kv-cache f32");
  }

  /**
   * {@link #attentionDecode} over a bf16 KV cache: kcache, vcache (maxT, C/2) ints, row t packed
   * as {@link #packBf16} packs; k and v of qkv go into row p rounded to bf16, then the scores,
   * softmax and weighted sum are computed in F32 from the widened rows. C and C/NH even.
   * Optional: only where {@link #supportsBf16KvCache} says so.
   */
  default void attentionDecodeBf16(Slice out, Slice att, Slice qkv, IntBuf kcache, IntBuf vcache, IntBuf pos, int maxT,
      int C, int NH) {
    throw new UnsupportedOperationException("the " + name() + " backend has no 16-bit KV cache; use --kv-cache f32");
  }

  // ---------------------------------------------------------------- elementwise

  /** out (N) = GELU(inp) with GPT-2's tanh approximation. */
  void geluForward(Slice out, Slice inp, int N);

  /** dinp (N) = GELU'(inp) * dout (written). */
  void geluBackward(Slice dinp, Slice inp, Slice dout, int N);

  /** out (N) = a + b. */
  void residualForward(Slice out, Slice a, Slice b, int N);

  /** dst (N) += src: the backward of a residual add, and gradient accumulation. */
  void accumulate(Slice dst, Slice src, int N);

  /**
   * dst (N) += src, then src (N) = 0: a data-parallel shard's gradients moved into the model's,
   * its own ready for the next step. A backend may do both in one pass over src.
   */
  default void accumulateAndClear(Slice dst, Slice src, int N) {
    accumulate(dst, src, N);
    zero(src.sub(0, N));
  }

  /**
   * Inverted dropout: out (N) = inp * keep / (1 - p), keep = hash(seed, step, stream, i) >= p.
   * step is read from scalars[{@link StepScalars#RNG_STEP}]; stream separates the call sites of
   * one step (layer, position in the block). p = 0 copies. The same (seed, step, stream) gives
   * the same mask on every backend and thread count.
   */
  void dropoutForward(Slice out, Slice inp, Slice scalars, float p, long seed, int stream, int N);

  /** dinp (N) = dout * keep / (1 - p) (written: 0 where dropped), the mask recomputed from the same counters. */
  void dropoutBackward(Slice dinp, Slice dout, Slice scalars, float p, long seed, int stream, int N);

  // ---------------------------------------------------------------- softmax and loss

  /**
   * probs (N,Vp) = softmax over the first V of each row of logits (N,Vp); the padded columns
   * V..Vp get probability 0.
   */
  void softmaxForward(Slice probs, Slice logits, int N, int V, int Vp);

  /**
   * Fused softmax + cross-entropy, forward and backward in one pass over the logits:
   * losses (N) = -log softmax(logits)[targets]; then logits (N,Vp) is <b>overwritten</b> with
   * dlogits = (softmax - onehot(target)) * dlossScale (padded columns get 0). Pass
   * dlossScale = 1/(B*T*gradAccum) for a mean loss. Never stores probabilities separately.
   */
  void crossEntropyForwardBackward(Slice losses, Slice logits, IntBuf targets, float dlossScale,
      int N, int V, int Vp);

  /** Forward only (evaluation): losses (N) = -log softmax(logits (N,Vp))[targets]. */
  void crossEntropyForward(Slice losses, Slice logits, IntBuf targets, int N, int V, int Vp);

  // ---------------------------------------------------------------- optimizer

  /** scalars[{@link StepScalars#GRAD_NORM_SQ}] = sum of grads (N)^2. */
  void globalNormSquared(Slice scalars, Slice grads, int N);

  /**
   * AdamW over N parameters (llm.c / PyTorch semantics), lr and t read from scalars:
   * g = grads * clip, clip = min(1, maxNorm / (sqrt(normSq) + 1e-6)) when maxNorm > 0;
   * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; mhat = m / (1-b1^t); vhat = v / (1-b2^t);
   * params -= lr * (mhat / (sqrt(vhat) + eps) + weightDecay * params).
   * Call once per region of the layout with its weight decay (0 for biases and norms).
   */
  void adamw(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1, float beta2,
      float eps, float weightDecay, int N);

  /**
   * {@link #adamw}, then grads (N) = 0: the step consumes its gradients, as {@code
   * optimizer.zero_grad()} after {@code optimizer.step()}. A backend may clear each gradient as it
   * reads it, in the same pass.
   */
  default void adamwAndClearGrads(Slice params, Slice grads, Slice m, Slice v, Slice scalars, float beta1,
      float beta2, float eps, float weightDecay, int N) {
    adamw(params, grads, m, v, scalars, beta1, beta2, eps, weightDecay, N);
    zero(grads.sub(0, N));
  }
}

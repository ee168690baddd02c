package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.HeapBackend;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.Slice;
import dev.jgpt.kernels.StepScalars;
import java.util.List;

/**
 * A GPT-2 model (nanoGPT semantics: learned positions, pre-LN blocks, causal self-attention, GELU
 * MLP of width 4C, final layer norm, head tied to wte) for a fixed batch shape (B, T), written
 * llm.c-style: one flat buffer each for parameters, gradients, Adam m and v, activations and
 * activation gradients, and forward / backward / update as sequences of {@link Backend} ops.
 * Every layer is the one {@link Block} (the KV-cache model runs it too), over {@code h[l]} of the
 * weights ({@link LayerWeights}) and of the activations ({@link BlockActivations}).
 *
 * <p>Steps (names for {@link Backend#beginStep}): "train" (with data-parallel shards also
 * "train-shard1", the second shard's, and "add_shard_grads"), "eval", "zero_grads" (only when
 * gradients were accumulated and not consumed by an update), "update" (which also zeroes the gradients),
 * "logits", "last_logits", "inspect-T", "lens-T-depth"; a KvCacheModel sharing the backend uses
 * other names. Every step passes the same ops, slices and constant arguments each time; what
 * changes per step (token ids, learning rate, Adam t, RNG step) is written to backend buffers
 * before the step, and results (losses, gradient norm, logits) are read after it. So a capturing backend can record and replay steps.
 *
 * <p>Dropout follows nanoGPT on the embeddings and on both residual branches (after attn.c_proj and
 * mlp.c_proj); nanoGPT's dropout on the attention weights is not applied, because the attention op
 * computes weights and output in one kernel.
 *
 * <p>The model does not own the backend: {@link #close} releases nothing the backend would not
 * free itself when it is closed, and marks this model unusable.
 */
public final class Gpt implements AutoCloseable {
  /** Dropout seed until {@link #setDropoutSeed} is called. */
  public static final long DEFAULT_DROPOUT_SEED = 0x6A677074L;

  private final GptConfig cfg;
  private final ParameterLayout layout;
  private final Backend backend;
  private final int B, T;

  private final FloatBuf params; // (P) laid out by ParameterLayout
  private final FloatBuf grads; // (P)
  private final FloatBuf adamM, adamV; // (P)
  private final FloatBuf scalars; // (StepScalars.SIZE)
  private final Slice allScalars, allGrads; // whole buffers as slices: made once, as every slice a step uses
  private final AdamGroup decayed, notDecayed; // the AdamW groups: the 2-D weights, and the rest
  private final IntBuf inputs, targets; // (B, T) token ids
  private final ParameterTensors p; // slices of params
  private final ParameterTensors g; // slices of grads
  private final Recompute recompute; // what the backward pass recomputes instead of keeping per layer
  private final boolean geluSlope; // a training step keeps GELU's slope in fch (Block.keepsGeluSlope)
  private final Activations acts;
  private final ActivationGrads dacts;
  private final Block block; // the one block every layer runs
  private final CausalAttention batchAttention; // over the (B, T) batch
  private final CausalAttention rowAttention; // over batch row 0 alone (lastLogits, inspection)
  /** The data-parallel shards a training step runs on (see {@link DataParallelShards}), or null: the whole batch here. */
  private final DataParallelShards shards;
  /** The training step's name: "train", and "train-shard<k>" on shard k > 0 (its own ops and slices). */
  private final String trainStep;

  private final float[] hostScalar = new float[1]; // (1) one step scalar on its way to or from the backend
  private final float[] hostLosses; // (B*T)
  private long dropoutSeed = DEFAULT_DROPOUT_SEED;
  private Dropout dropout; // what a training step's dropout ops take; null when the model has none
  // grads hold zeros: allocated so, and left so by optimizerStep, whose step zeroes them after AdamW
  // read them; zeroGrads then has nothing to do, so a training step needs no "zero_grads" step
  // (on a capturing backend, one device round trip fewer per step)
  private boolean gradsZero = true;
  private boolean closed;

  /**
   * Allocates all buffers for batches of B sequences of T tokens (T <= blockSize). Parameters
   * start at zero: call {@link #initWeights} or {@link #writeParams}.
   */
  public Gpt(GptConfig cfg, Backend backend, int B, int T) {
    this(cfg, backend, B, T, null, Recompute.forTraining(cfg, B, T, trainingAttLength(cfg, backend, B, T)), null, 0);
  }

  /** A trainable model that keeps and recomputes activations as {@code recompute} says, whatever the rule would pick. */
  Gpt(GptConfig cfg, Backend backend, int B, int T, Recompute recompute) {
    this(cfg, backend, B, T, null, recompute, null, 0);
  }

  /**
   * Shard {@code index} of {@code owner}'s training step, on {@code backend} (one of the owner's
   * backend's {@link Backend#coreShares}): B rows of its own, activations and activation gradients
   * of its own, the owner's weights; shard 0 adds into the owner's gradients, the others into
   * gradients of their own that {@link DataParallelShards} adds to them. No Adam moments: only
   * {@link #forwardBackward} runs on a shard.
   */
  static Gpt shard(Gpt owner, Backend backend, int B, int index) {
    return new Gpt(owner.cfg, backend, B, owner.T, null, owner.recompute, owner, index);
  }

  /**
   * A model for forward passes only (B = 1, T rows) over the weights of {@code cached}, shared,
   * not copied: no gradients, Adam moments or activation gradients are allocated, and the training
   * methods throw. What {@link dev.jgpt.transformer.inspect.Inspector} runs the model's own forward
   * pass with, to read its activations.
   */
  public static Gpt forwardOnly(KvCacheModel cached, int T) {
    return new Gpt(cached.config(), cached.backend(), 1, T, cached.paramsBuffer(), Recompute.NONE, null, 0);
  }

  /** As {@link #forwardOnly(KvCacheModel, int)}, over the weights of another model (a training one: updates show). */
  public static Gpt forwardOnly(Gpt model, int T) {
    return new Gpt(model.cfg, model.backend, 1, T, model.params, Recompute.NONE, null, 0);
  }

  /**
   * @param sharedParams the weights of a forward-only model, or null for a trainable one with its own
   * @param recompute NONE for a forward-only model: inspection reads each layer's att and qkv
   * @param owner the model whose training step this one is shard {@code shardIndex} of, or null
   */
  private Gpt(GptConfig cfg, Backend backend, int B, int T, FloatBuf sharedParams, Recompute recompute, Gpt owner,
      int shardIndex) {
    this.layout = new ParameterLayout(cfg); // validates cfg
    this.cfg = cfg;
    this.backend = backend;
    checkBatchShape(cfg, B, T);
    this.B = B;
    this.T = T;
    this.trainStep = owner == null || shardIndex == 0 ? "train" : "train-shard" + shardIndex;
    int P = layout.totalCount();
    scalars = backend.allocFloat("scalars", StepScalars.SIZE);
    allScalars = scalars.all();
    inputs = backend.allocInt("inputs", B * T);
    this.recompute = recompute;
    this.geluSlope = Block.keepsGeluSlope(backend, recompute);
    // a training model's att is only read by the backward pass: the backend may keep less than the
    // weights there; a forward-only model's is read by inspection: the weights
    long attLength = sharedParams == null ? trainingAttLength(cfg, backend, B, T) : Activations.attentionWeights(cfg, B, T);
    ActivationGrads activationGrads =
        sharedParams == null ? new ActivationGrads(cfg, B, T, recompute, attLength, backend) : null;
    acts = new Activations(cfg, B, T, recompute, attLength, activationGrads, backend);
    block = new Block(backend, cfg.nEmbd());
    batchAttention = new CausalAttention(backend, B, T, cfg.nEmbd(), cfg.nHead());
    rowAttention = B == 1 ? batchAttention : new CausalAttention(backend, 1, T, cfg.nEmbd(), cfg.nHead());
    setDropoutSeed(DEFAULT_DROPOUT_SEED);
    if (sharedParams != null) {
      if (sharedParams.size() != P) throw new IllegalArgumentException("shared weights do not fit this model's layout");
      params = sharedParams;
      p = new ParameterTensors(layout, params);
      grads = adamM = adamV = null;
      allGrads = null;
      decayed = notDecayed = null;
      targets = null;
      g = null;
      dacts = null;
      hostLosses = null;
      shards = null;
      return;
    }
    if (owner != null) {
      params = owner.params;
      grads = shardIndex == 0 ? owner.grads : backend.allocFloat("shard_grads", P, BufferKind.GRADIENTS);
      adamM = adamV = null;
      decayed = notDecayed = null;
    } else {
      params = backend.allocFloat("params", P, BufferKind.PARAMETERS);
      grads = backend.allocFloat("grads", P, BufferKind.GRADIENTS);
      adamM = backend.allocFloat("adam_m", P, BufferKind.OPTIMIZER_STATE);
      adamV = backend.allocFloat("adam_v", P, BufferKind.OPTIMIZER_STATE);
      int D = layout.decayedCount();
      decayed = new AdamGroup(params.slice(0, D), grads.slice(0, D), adamM.slice(0, D), adamV.slice(0, D));
      notDecayed = new AdamGroup(params.slice(D, P - D), grads.slice(D, P - D), adamM.slice(D, P - D),
          adamV.slice(D, P - D));
    }
    allGrads = grads.all();
    targets = backend.allocInt("targets", B * T);
    p = new ParameterTensors(layout, params);
    g = new ParameterTensors(layout, grads);
    dacts = activationGrads;
    hostLosses = new float[B * T];
    int shardCount = owner == null ? shardCount(cfg, backend, B) : 1; // a shard runs its own rows whole
    shards = shardCount > 1 ? new DataParallelShards(this, B, shardCount) : null;
    if (shards != null) shards.setDropoutSeed(dropoutSeed);
  }

  /**
   * The Java heap that {@code new Gpt(cfg, backend, B, T)} and a training run with it take,
   * computed without allocating: the same counts the constructor allocates (the layout's
   * parameter count, the activation layouts' counting pass) plus the backend's own scratch.
   * Backend buffers count only where they are Java arrays ({@link HeapBackend}); a device
   * backend keeps them off the heap. Checks the shapes as the constructor does.
   */
  public static MemoryEstimate trainingMemory(GptConfig cfg, Backend backend, int B, int T) {
    long P = new ParameterLayout(cfg).totalCount(); // validates cfg
    checkBatchShape(cfg, B, T);
    long N = (long) B * T;
    long f = Float.BYTES;
    long onHeap = backend.buffersOnHeap() ? 1 : 0;
    long attLength = trainingAttLength(cfg, backend, B, T);
    Recompute recompute = Recompute.forTraining(cfg, B, T, attLength);
    return new MemoryEstimate(List.of(
        new MemoryEstimate.Part("parameters, gradients and Adam m, v", onHeap * 4 * P * f),
        new MemoryEstimate.Part(recompute.activationsPart(),
            onHeap * Activations.floatCount(cfg, B, T, recompute, attLength) * f),
        new MemoryEstimate.Part("activation gradients",
            onHeap * ActivationGrads.floatCount(cfg, B, T, recompute, attLength) * f),
        // inputs and targets on the backend, hostLosses here
        new MemoryEstimate.Part("token ids and losses", onHeap * 2 * N * Integer.BYTES + N * f),
        new MemoryEstimate.Part("backend scratch",
            backend.trainingScratchBytes(B, T, cfg.nEmbd(), cfg.nHead(), cfg.paddedVocabSize())),
        // a checkpoint reads parameters, Adam m and v to the host (Checkpoint.save); init needs two such copies
        new MemoryEstimate.Part("checkpoint copies", 3 * P * f),
        new MemoryEstimate.Part("data-parallel shards", shardBytes(cfg, backend, B, T, recompute, P))));
  }

  /**
   * What a model's {@link DataParallelShards} add (0 without): each shard's activations, their
   * gradients, token ids and losses, the gradients of shards k > 0, and the scratch of each share
   * of the backend that is not the backend itself. P: the model's parameter count.
   */
  private static long shardBytes(GptConfig cfg, Backend backend, int B, int T, Recompute recompute, long P) {
    int count = shardCount(cfg, backend, B);
    if (count == 1) return 0;
    long f = Float.BYTES, onHeap = backend.buffersOnHeap() ? 1 : 0;
    int rows = B / count;
    long shardAtt = trainingAttLength(cfg, backend, rows, T);
    long perShard = onHeap * (Activations.floatCount(cfg, rows, T, recompute, shardAtt)
        + ActivationGrads.floatCount(cfg, rows, T, recompute, shardAtt)) * f
        + onHeap * 2L * rows * T * Integer.BYTES + (long) rows * T * f;
    long scratch = 0;
    for (Backend share : backend.coreShares(count)) {
      if (share != backend) scratch += share.trainingScratchBytes(rows, T, cfg.nEmbd(), cfg.nHead(), cfg.paddedVocabSize());
    }
    return count * perShard + (count - 1) * onHeap * P * f + scratch;
  }

  /**
   * Floats of one layer's att in a training model: nothing but the backward pass reads it, so the
   * backend says how much its attention state takes (Backend#attentionStateSize): the weights
   * (B, NH, T, T) on the CPU and reference backends, each row's max and sum on TornadoVM's flash kernels.
   */
  static long trainingAttLength(GptConfig cfg, Backend backend, int B, int T) {
    return backend.attentionStateSize(B, T, cfg.nEmbd(), cfg.nHead());
  }

  /**
   * Models up to this many parameters train on data-parallel shards where the backend runs them
   * ({@link Backend#coreShares}): their ops are too small to keep every core busy one at a time
   * (nanoGPT's CPU recipe, 0.8M parameters, 2 cores: 17.4-21.0 ms a step on all cores op by op,
   * 14.7-17.0 for the two halves of the batch at once on a core each), and a copy of their
   * gradients costs little memory. Larger models' ops keep the cores busy, and a copy of GPT-2
   * 124M's gradients would take 500 MB.
   */
  static final int SHARDED_MAX_PARAMETERS = 1 << 22;

  /**
   * How many data-parallel shards a training step of B rows runs on: 2 for a model of at most
   * {@link #SHARDED_MAX_PARAMETERS} with an even B, where the backend runs shards; else 1. Never
   * the thread count: a step's sums are the same on any number of threads.
   */
  public static int shardCount(GptConfig cfg, Backend backend, int B) {
    boolean small = new ParameterLayout(cfg).totalCount() <= SHARDED_MAX_PARAMETERS;
    return small && B % 2 == 0 && backend.coreShares(2) != null ? 2 : 1;
  }

  /** How many data-parallel shards a training step runs on ({@link #shardCount}): 1 when the whole batch runs here. */
  public int trainingShards() {
    return shards == null ? 1 : shards.count();
  }

  /** The gradients' slice: a shard's own (added to the owner's by {@link DataParallelShards}) or the model's. */
  Slice gradsSlice() {
    return allGrads;
  }

  private static void checkBatchShape(GptConfig cfg, int B, int T) {
    if (B < 1) throw new IllegalArgumentException("batch size must be positive, got " + B);
    if (T < 1 || T > cfg.blockSize()) {
      throw new IllegalArgumentException(
          "sequence length " + T + " must be between 1 and block_size (" + cfg.blockSize() + ")");
    }
    if ((long) B * T * cfg.paddedVocabSize() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("batch " + B + "x" + T + " is too large for one logits buffer: lower the batch size");
    }
  }

  // ---------------------------------------------------------------- accessors

  public GptConfig config() {
    return cfg;
  }

  public ParameterLayout layout() {
    return layout;
  }

  public Backend backend() {
    return backend;
  }

  public int batchSize() {
    return B;
  }

  public int seqLen() {
    return T;
  }

  /** The parameter buffer itself (P), laid out by {@link #layout}: a KvCacheModel shares it to decode with these weights. */
  FloatBuf paramsBuffer() {
    return params;
  }

  /**
   * The activation gradients' buffer (training models only): tests fill it with garbage to show
   * that a backward pass writes every activation gradient before reading it, as nothing zeroes them.
   */
  FloatBuf activationGradsBuffer() {
    return dacts.buf;
  }

  /** Floats of each layer's att: the weights (B, NH, T, T), or the backend's smaller attention state (tests). */
  long activationsAttLength() {
    return acts.attLength;
  }

  /**
   * Seeds the dropout masks (with the step's rngStep and the call site). Set it before the first
   * training step, to the same value when resuming, so masks repeat bit for bit.
   */
  public void setDropoutSeed(long seed) {
    this.dropoutSeed = seed;
    this.dropout = cfg.dropout() > 0f ? new Dropout(allScalars, cfg.dropout(), seed) : null;
    if (shards != null) shards.setDropoutSeed(seed);
  }

  public long dropoutSeed() {
    return dropoutSeed;
  }

  // ---------------------------------------------------------------- init and state transfer

  /** GPT-2 init from {@code seed} (see {@link WeightInit}); identical on every backend. Resets Adam state. */
  public void initWeights(long seed) {
    checkTrainable();
    writeParams(WeightInit.initialParameters(layout, seed));
    float[] zeros = new float[layout.totalCount()];
    writeAdamM(zeros);
    writeAdamV(zeros);
  }

  public float[] readParams() {
    return readAll(params);
  }

  public void writeParams(float[] values) {
    writeAll(params, values, "parameters");
  }

  public float[] readGrads() {
    checkTrainable();
    return readAll(grads);
  }

  public float[] readAdamM() {
    checkTrainable();
    return readAll(adamM);
  }

  public void writeAdamM(float[] values) {
    checkTrainable();
    writeAll(adamM, values, "Adam m");
  }

  public float[] readAdamV() {
    checkTrainable();
    return readAll(adamV);
  }

  public void writeAdamV(float[] values) {
    checkTrainable();
    writeAll(adamV, values, "Adam v");
  }

  private float[] readAll(FloatBuf buf) {
    checkOpen();
    float[] out = new float[buf.size()];
    backend.read(buf, 0, out, 0, out.length);
    return out;
  }

  private void writeAll(FloatBuf buf, float[] values, String what) {
    checkOpen();
    if (values.length != buf.size()) {
      throw new IllegalArgumentException(
          what + ": expected " + buf.size() + " floats for this model, got " + values.length + " (shapes do not match)");
    }
    backend.write(buf, 0, values, 0, values.length);
  }

  // ---------------------------------------------------------------- steps

  /**
   * One training micro-step: forward with dropout, the fused cross-entropy backward scaled by
   * {@code dlossScale} (1/(B*T*gradAccum) for a mean loss), and the backward pass, which ADDS into
   * the gradients. inputs and targets are (B, T) token ids. rngStep (0 .. 2^24) picks this step's
   * dropout masks. Returns the mean loss over the B*T positions.
   */
  public float forwardBackward(int[] inputs, int[] targets, float dlossScale, long rngStep) {
    checkOpen();
    checkTrainable();
    if (rngStep < 0 || rngStep > (1 << 24)) {
      throw new IllegalArgumentException("rngStep " + rngStep + " outside 0 .. 2^24 (it travels as a float)");
    }
    if (shards != null) {
      checkIds(inputs, B * T, "inputs");
      checkIds(targets, B * T, "targets");
      gradsZero = false;
      return shards.forwardBackward(inputs, targets, dlossScale, rngStep);
    }
    upload(this.inputs, inputs, B * T, "inputs");
    upload(this.targets, targets, B * T, "targets");
    setScalar(StepScalars.RNG_STEP, rngStep);
    int N = B * T;
    gradsZero = false; // before the step: a step that fails halfway may have added to some gradients
    backend.beginStep(trainStep);
    forward(true, B);
    backend.crossEntropyForwardBackward(acts.losses, acts.logits, this.targets, dlossScale, N, cfg.vocabSize(), cfg.paddedVocabSize());
    backward();
    backend.endStep();
    return meanLoss();
  }

  /** Mean cross-entropy over the (B, T) batch, without dropout and without touching the gradients. */
  public float evalLoss(int[] inputs, int[] targets) {
    checkOpen();
    checkTrainable();
    upload(this.inputs, inputs, B * T, "inputs");
    upload(this.targets, targets, B * T, "targets");
    backend.beginStep("eval");
    forward(false, B);
    backend.crossEntropyForward(acts.losses, acts.logits, this.targets, B * T, cfg.vocabSize(), cfg.paddedVocabSize());
    backend.endStep();
    return meanLoss();
  }

  /**
   * grads = 0 (before the first micro-step of each optimizer step). Nothing to do, and no step
   * run, when they are zero already: after {@link #optimizerStep} and in a new model.
   */
  public void zeroGrads() {
    checkOpen();
    checkTrainable();
    if (gradsZero) return;
    backend.beginStep("zero_grads");
    backend.zero(allGrads);
    if (shards != null) shards.zeroOwnGrads(); // a step that failed halfway may have left some there
    backend.endStep();
    gradsZero = true;
  }

  /**
   * AdamW step number {@code t} (1, 2, ...) with global-norm clipping at {@code maxGradNorm}
   * (0 disables it); weight decay applies to the 2-D weights only. Returns the gradient norm
   * before clipping. Consumes the gradients: the same step zeroes them once AdamW has read them
   * (as {@code optimizer.zero_grad()} after {@code optimizer.step()}), so the next step's
   * {@link #zeroGrads} costs nothing.
   */
  public float optimizerStep(float lr, int t, float beta1, float beta2, float eps, float weightDecay, float maxGradNorm) {
    checkOpen();
    checkTrainable();
    if (t < 1 || t > (1 << 24)) throw new IllegalArgumentException("Adam step t " + t + " outside 1 .. 2^24");
    setScalar(StepScalars.LR, lr);
    setScalar(StepScalars.ADAM_T, t);
    setScalar(StepScalars.MAX_GRAD_NORM, maxGradNorm);
    Slice s = allScalars;
    backend.beginStep("update");
    backend.globalNormSquared(s, allGrads, layout.totalCount());
    // zeroGrads folded in here (the two groups cover all gradients): no step of its own before the next forwardBackward
    adamwAndClearGrads(decayed, s, beta1, beta2, eps, weightDecay);
    adamwAndClearGrads(notDecayed, s, beta1, beta2, eps, 0f);
    backend.endStep();
    gradsZero = true;
    backend.read(scalars, StepScalars.GRAD_NORM_SQ, hostScalar, 0, 1);
    return (float) Math.sqrt(hostScalar[0]);
  }

  /**
   * Logits of every position of a (B, T) batch, without dropout: (B, T, V) row-major, the real
   * vocabulary only.
   */
  public float[] logits(int[] inputs) {
    checkOpen();
    upload(this.inputs, inputs, B * T, "inputs");
    backend.beginStep("logits");
    forward(false, B);
    backend.endStep();
    int V = cfg.vocabSize();
    int Vp = cfg.paddedVocabSize();
    float[] padded = new float[B * T * Vp];
    backend.read(acts.logits.buf(), acts.logits.offset(), padded, 0, padded.length); // one transfer
    float[] out = new float[B * T * V];
    for (int row = 0; row < B * T; row++) System.arraycopy(padded, row * Vp, out, row * V, V);
    return out;
  }

  /**
   * Logits (V, the real vocabulary only) for the token that follows {@code context}, computed
   * from scratch over its last T tokens (as nanoGPT crops to the block size). It runs one fixed
   * (1, T) forward pass with the context padded on the right: attention is causal, so the padding
   * cannot change the position read. The reference for KV-cache generation.
   */
  public float[] lastLogits(int[] context) {
    checkOpen();
    if (context.length == 0) throw new IllegalArgumentException("context is empty: give at least one token");
    int n = Math.min(context.length, T);
    int[] window = new int[T];
    System.arraycopy(context, context.length - n, window, 0, n);
    upload(this.inputs, window, T, "context");
    backend.beginStep("last_logits");
    forward(false, 1);
    backend.endStep();
    float[] out = new float[cfg.vocabSize()];
    backend.read(acts.logits.buf(), acts.logits.offset() + (n - 1) * cfg.paddedVocabSize(), out, 0, out.length);
    return out;
  }

  // ---------------------------------------------------------------- inspection: reads of the real forward pass

  /**
   * Step "inspect-T": the forward pass without dropout over {@code context} (1 .. T tokens) padded
   * on the right to T rows, as {@link #lastLogits} runs it (attention is causal: the padding does
   * not reach the real rows). Every activation stays in place for the read methods below until
   * the next step; they read batch row 0.
   */
  public void inspectForward(int[] context) {
    checkOpen();
    if (context.length < 1 || context.length > T) {
      throw new IllegalArgumentException("context of " + context.length + " tokens: give 1 to " + T);
    }
    int[] window = new int[T];
    System.arraycopy(context, 0, window, 0, context.length);
    upload(this.inputs, window, T, "context");
    backend.beginStep("inspect-" + T);
    forward(false, 1);
    backend.endStep();
  }

  /**
   * The softmaxed attention weights the attention op computed in the last forward pass, of layer
   * {@code layer}, head {@code head}, query position {@code query}: {@code count} floats from key
   * 0 (keys after the query are 0) read from att (B, NH, T, T) into {@code dst}.
   */
  public void readAttention(int layer, int head, int query, float[] dst, int dstOffset, int count) {
    checkOpen();
    checkIndex(layer, cfg.nLayer(), "layer");
    checkIndex(head, cfg.nHead(), "head");
    checkIndex(query, T, "position");
    if (count < 0 || count > T) throw new IllegalArgumentException("count " + count + " outside 0 .. " + T);
    if (recompute == Recompute.ATTENTION_TOO || !acts.keepsAttentionWeights(cfg, B, T)) {
      throw new IllegalStateException("this training model keeps no attention weights per layer: inspect a forward-only one");
    }
    Slice att = acts.h[layer].att();
    backend.read(att.buf(), att.offset() + (head * T + query) * T, dst, dstOffset, count);
  }

  /** q, k and v (3C: the qkv activation of the last forward pass) of layer {@code layer} at {@code position}. */
  public void readQkv(int layer, int position, float[] dst, int dstOffset) {
    checkOpen();
    checkIndex(layer, cfg.nLayer(), "layer");
    checkIndex(position, T, "position");
    int C3 = 3 * cfg.nEmbd();
    Slice qkv = acts.h[layer].qkv();
    backend.read(qkv.buf(), qkv.offset() + position * C3, dst, dstOffset, C3);
  }

  /**
   * The residual stream (C) of the last forward pass at {@code position} after {@code depth}
   * blocks: depth 0 is the embeddings (wte + wpe), depth l (1 .. L) the output of block l.
   */
  public void readResidual(int depth, int position, float[] dst, int dstOffset) {
    checkOpen();
    checkIndex(depth, cfg.nLayer() + 1, "depth");
    checkIndex(position, T, "position");
    int C = cfg.nEmbd();
    Slice r = residualAfter(depth);
    backend.read(r.buf(), r.offset() + position * C, dst, dstOffset, C);
  }

  /**
   * Step "lens-T-depth", the logit lens: the model's own last two ops, the final layer norm and
   * the tied head, over the same buffers and row count, applied to the residual stream after
   * {@code depth} blocks of the last forward pass (see {@link #readResidual}) instead of after
   * all L. {@link #readLogits} then reads the result; for depth = L it is the model's output
   * again. Overwrites only the final layer norm's and the logits' activations.
   */
  public void lensForward(int depth) {
    checkOpen();
    checkIndex(depth, cfg.nLayer() + 1, "depth");
    backend.beginStep("lens-" + T + "-" + depth);
    head(residualAfter(depth), T);
    backend.endStep();
  }

  /** Logits (V, the real vocabulary) at {@code position} of the last forward pass or {@link #lensForward}. */
  public void readLogits(int position, float[] dst, int dstOffset) {
    checkOpen();
    checkIndex(position, T, "position");
    backend.read(acts.logits.buf(), acts.logits.offset() + position * cfg.paddedVocabSize(), dst, dstOffset,
        cfg.vocabSize());
  }

  /** The residual stream after {@code depth} blocks, as the forward pass without dropout leaves it. */
  private Slice residualAfter(int depth) {
    return depth == 0 ? acts.encoded : acts.h[depth - 1].residual3();
  }

  private static void checkIndex(int i, int n, String what) {
    if (i < 0 || i >= n) throw new IndexOutOfBoundsException(what + " " + i + " outside 0 .. " + (n - 1));
  }

  @Override
  public void close() {
    closed = true;
    if (shards != null) shards.close();
  }

  // ---------------------------------------------------------------- forward and backward

  /**
   * logits (b, T, Vp) of the current inputs; with dropout when {@code training} and the model has
   * some. b <= B: {@link #lastLogits} and inspection run the first row only.
   */
  private void forward(boolean training, int b) {
    int N = b * T, C = cfg.nEmbd(), L = cfg.nLayer();
    Dropout drop = training ? dropout : null;
    CausalAttention attention = b == B ? batchAttention : rowAttention;

    backend.encoderForward(acts.encoded, inputs, p.wte, p.wpe, b, T, C);
    Slice x = acts.encoded;
    if (drop != null) {
      backend.dropoutForward(acts.encodedDrop, acts.encoded, drop.scalars(), drop.p(), drop.seed(),
          Dropout.EMBEDDING_STREAM, N * C);
      x = acts.encodedDrop;
    }
    for (int l = 0; l < L; l++) {
      block.forward(l, p.h[l], acts.h[l], l == 0 ? x : acts.h[l - 1].residual3(), attention, N, drop,
          training && geluSlope);
    }
    head(acts.h[L - 1].residual3(), N);
  }

  // logits (N, Vp) = ln_f(residual (N, C)) @ wte^T: the tied head over the padded vocabulary (its padded rows are zero)
  private void head(Slice residual, int N) {
    backend.layernormForward(acts.lnf, acts.lnfMean, acts.lnfRstd, residual, p.lnfw, p.lnfb, N, cfg.nEmbd());
    backend.matmulForward(acts.logits, acts.lnf, p.wte, null, N, cfg.nEmbd(), cfg.paddedVocabSize());
  }

  /**
   * Adds the gradients of the training forward pass into grads, given dlogits (B, T, Vp) in
   * acts.logits. Walks the layers backwards carrying the residual stream's gradient in
   * dacts.dresidual (see {@link Block#backward}).
   */
  private void backward() {
    int N = B * T, C = cfg.nEmbd(), L = cfg.nLayer();
    Slice dres = dacts.dresidual;

    backend.zero(dres); // layer norm backward adds into it (the residual stream's gradient)
    backend.matmulBackward(dacts.dln1, g.wte, null, acts.logits, acts.lnf, p.wte, N, C, cfg.paddedVocabSize());
    backend.layernormBackward(dres, g.lnfw, g.lnfb, dacts.dln1, acts.h[L - 1].residual3(), p.lnfw, acts.lnfMean,
        acts.lnfRstd, N, C);
    for (int l = L - 1; l >= 0; l--) {
      Slice input = l > 0 ? acts.h[l - 1].residual3() : dropout != null ? acts.encodedDrop : acts.encoded;
      block.backward(l, p.h[l], g.h[l], acts.h[l], input, dacts, batchAttention, N, dropout, recompute, geluSlope);
    }
    Slice dx = dres;
    if (dropout != null) {
      backend.dropoutBackward(dacts.dencoded, dres, dropout.scalars(), dropout.p(), dropout.seed(),
          Dropout.EMBEDDING_STREAM, N * C);
      dx = dacts.dencoded;
    }
    backend.encoderBackward(g.wte, g.wpe, dx, inputs, B, T, C, cfg.vocabSize());
  }

  // ---------------------------------------------------------------- helpers

  /** Writes {@code n} token ids after checking that they are in the vocabulary. */
  private void upload(IntBuf dst, int[] ids, int n, String what) {
    checkIds(ids, n, what);
    backend.write(dst, 0, ids, 0, n);
  }

  /** Checks that there are {@code n} token ids, each in the vocabulary. */
  private void checkIds(int[] ids, int n, String what) {
    if (ids.length != n) {
      throw new IllegalArgumentException(what + ": expected " + n + " token ids (B*T = " + B + "*" + T + "), got " + ids.length);
    }
    int V = cfg.vocabSize();
    for (int i = 0; i < n; i++) {
      if (ids[i] < 0 || ids[i] >= V) {
        throw new IllegalArgumentException(what + "[" + i + "] = " + ids[i] + " is not a token id of a " + V + "-token vocabulary");
      }
    }
  }

  /** Parameters, gradients and Adam moments of one AdamW group: slices made once, at setup. */
  private record AdamGroup(Slice params, Slice grads, Slice m, Slice v) {}

  private void adamwAndClearGrads(AdamGroup group, Slice scalars, float beta1, float beta2, float eps,
      float weightDecay) {
    backend.adamwAndClearGrads(group.params(), group.grads(), group.m(), group.v(), scalars, beta1, beta2, eps,
        weightDecay, group.params().length());
  }

  private void setScalar(int slot, float value) {
    hostScalar[0] = value;
    backend.write(scalars, slot, hostScalar, 0, 1);
  }

  /** Mean of the B*T per-position losses, summed in double. */
  private float meanLoss() {
    backend.read(acts.losses.buf(), acts.losses.offset(), hostLosses, 0, hostLosses.length);
    double sum = 0;
    for (float v : hostLosses) sum += v;
    return (float) (sum / hostLosses.length);
  }

  private void checkTrainable() {
    if (grads == null) throw new IllegalStateException("this model is forward-only (it shares another's weights): it cannot train");
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("this model was closed");
  }
}

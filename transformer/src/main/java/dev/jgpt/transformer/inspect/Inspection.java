package dev.jgpt.transformer.inspect;

import dev.jgpt.transformer.Gpt;
import dev.jgpt.transformer.TokenProbabilities;
import java.util.ArrayList;
import java.util.List;

/**
 * One forward pass of the model over a window of tokens, read back on demand: attention weights
 * per layer and head, the residual stream after each block, and the logit lens. Every number comes
 * from the activations the model's own kernels wrote (on whatever backend it runs); nothing is
 * recomputed here except the softmax of logits into probabilities (in double, as the sampler does).
 *
 * <p>Valid until the owning {@link Inspector} runs the next inspection (reads then throw).
 * Positions are indices into {@link #tokens()}, 0 .. length-1; depth d is the residual stream
 * after d blocks (0 = the embeddings, L = the last block's output).
 */
public final class Inspection {
  private final Inspector owner;
  private final long run;
  private final Gpt model;
  private final int[] tokens;
  private final int start;
  private final int L, NH, V;
  private int logitsDepth; // whose logits the model's logits buffer holds: the forward pass leaves depth L

  Inspection(Inspector owner, long run, Gpt model, int[] tokens, int start) {
    this.owner = owner;
    this.run = run;
    this.model = model;
    this.tokens = tokens;
    this.start = start;
    this.L = model.config().nLayer();
    this.NH = model.config().nHead();
    this.V = model.config().vocabSize();
    this.logitsDepth = L;
  }

  /** The window the model saw (a copy). */
  public int[] tokens() {
    return tokens.clone();
  }

  /** Index of the window's first token in the sequence given to {@link Inspector#inspect} (0 until it outgrows the block size). */
  public int start() {
    return start;
  }

  /** Tokens in the window. */
  public int length() {
    return tokens.length;
  }

  public int layers() {
    return L;
  }

  public int heads() {
    return NH;
  }

  /**
   * The attention weights of {@code query}'s row in layer {@code layer}, head {@code head}: one
   * per key position 0 .. length-1 (the softmax over keys 0 .. query sums to 1; later keys are 0).
   */
  public float[] attentionRow(int layer, int head, int query) {
    checkLatest();
    checkPosition(query);
    float[] row = new float[tokens.length];
    model.readAttention(layer, head, query, row, 0, query + 1);
    return row;
  }

  /** The (length, length) attention matrix of layer {@code layer}, head {@code head}: rows are queries, columns keys. */
  public float[][] attention(int layer, int head) {
    float[][] m = new float[tokens.length][];
    for (int q = 0; q < tokens.length; q++) m[q] = attentionRow(layer, head, q);
    return m;
  }

  /** q, k and v (3C: q in [0, C), k in [C, 2C), v in [2C, 3C), head h at h*C/NH of each) of {@code layer} at {@code position}. */
  public float[] qkv(int layer, int position) {
    checkLatest();
    checkPosition(position);
    float[] out = new float[3 * model.config().nEmbd()];
    model.readQkv(layer, position, out, 0);
    return out;
  }

  /** The residual stream (C) at {@code position} after {@code depth} blocks (0 = embeddings). */
  public float[] residual(int depth, int position) {
    checkLatest();
    checkPosition(position);
    float[] out = new float[model.config().nEmbd()];
    model.readResidual(depth, position, out, 0);
    return out;
  }

  /** The model's own next-token logits (V) after the token at {@code position}. */
  public float[] logits(int position) {
    return lensLogits(L, position);
  }

  /**
   * The logit lens at {@code depth}: the final layer norm and tied head applied to the residual
   * stream after {@code depth} blocks, at {@code position} (V logits). Depth L is the model's
   * output. Runs {@link Gpt#lensForward} on the model's backend when the logits buffer holds
   * another depth.
   */
  public float[] lensLogits(int depth, int position) {
    checkLatest();
    checkPosition(position);
    if (depth < 0 || depth > L) throw new IndexOutOfBoundsException("depth " + depth + " outside 0 .. " + L);
    if (logitsDepth != depth) {
      model.lensForward(depth);
      logitsDepth = depth;
    }
    float[] out = new float[V];
    model.readLogits(position, out, 0);
    return out;
  }

  /**
   * The logit lens at {@code position} for every depth 0 .. L, as distributions (depth L is the
   * model's own; each has no chosen token). The lens steps run from the current depth in order.
   */
  public List<TokenProbabilities> lens(int position) {
    List<TokenProbabilities> out = new ArrayList<>(L + 1);
    for (int d = 0; d <= L; d++) out.add(null);
    // the depth already in the buffer first, then the rest: one lens step per other depth
    out.set(logitsDepth, TokenProbabilities.ofModel(lensLogits(logitsDepth, position), V, -1));
    for (int d = 0; d <= L; d++) {
      if (out.get(d) == null) out.set(d, TokenProbabilities.ofModel(lensLogits(d, position), V, -1));
    }
    return out;
  }

  private void checkPosition(int position) {
    if (position < 0 || position >= tokens.length) {
      throw new IndexOutOfBoundsException("position " + position + " outside 0 .. " + (tokens.length - 1));
    }
  }

  private void checkLatest() {
    if (!owner.isLatest(run)) throw new IllegalStateException("this inspection was replaced by a newer one");
  }
}

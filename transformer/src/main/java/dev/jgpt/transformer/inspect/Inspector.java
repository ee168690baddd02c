package dev.jgpt.transformer.inspect;

import dev.jgpt.transformer.KvCacheModel;
import dev.jgpt.transformer.Gpt;
import dev.jgpt.transformer.GptConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Looks inside a model: attention weights, the residual stream and the logit lens, all read from
 * the model's own forward pass on its own backend (a forward-only {@link Gpt} sharing the
 * KV-cache model's weights, see {@link Gpt#inspectForward}), and token similarities from its embedding
 * matrix. Shared by the REPL's {@code :attn}, {@code :lens} and {@code :similar} and the web page.
 *
 * <p>Memory: one forward-only model per row count, a power of two from 16 to the block size (so a
 * short context does not pay for a full window), each with training-shaped activations for B = 1;
 * made on first use and kept (a backend does not free buffers one by one). Nothing is allocated on
 * the training or generation path.
 *
 * <p>Not thread-safe; an {@link Inspection} is valid until the next {@link #inspect} call.
 */
public final class Inspector implements AutoCloseable {
  private final KvCacheModel cached; // the weights; its window rule
  private final GptConfig cfg;
  private final Map<Integer, Gpt> byRows = new HashMap<>();
  private long runs; // inspections so far: an Inspection checks it is still the latest
  private boolean closed;

  public Inspector(KvCacheModel cached) {
    this.cached = cached;
    this.cfg = cached.config();
  }

  public GptConfig config() {
    return cfg;
  }

  /**
   * Runs the model's forward pass over the window it would see after {@code tokens[0 .. length)}
   * (the whole sequence up to the block size; beyond, the KV-cache model's sliding window) and keeps
   * its activations for the returned inspection.
   */
  public Inspection inspect(int[] tokens, int length) {
    if (closed) throw new IllegalStateException("this inspector was closed");
    if (length < 1 || length > tokens.length) {
      throw new IllegalArgumentException("context length " + length + " must be between 1 and " + tokens.length);
    }
    int start = (int) cached.windowStart(length);
    int[] window = java.util.Arrays.copyOfRange(tokens, start, length);
    Gpt model = byRows.computeIfAbsent(rows(window.length), r -> Gpt.forwardOnly(cached, r));
    model.inspectForward(window);
    runs++;
    return new Inspection(this, runs, model, window, start);
  }

  /** Rows of the forward pass for {@code n} tokens: the next power of two, at least 16, at most the block size. */
  int rows(int n) {
    int rows = 16;
    while (rows < n) rows *= 2;
    return Math.min(rows, cfg.blockSize());
  }

  boolean isLatest(long run) {
    return run == runs && !closed;
  }

  /**
   * The {@code k} tokens whose embeddings (rows of wte, which is also the output head) are
   * nearest to token {@code id}'s by cosine similarity, most similar first; the token itself
   * comes first, with similarity 1 (unless its row is zero).
   */
  public List<Similar> similarTokens(int id, int k) {
    if (closed) throw new IllegalStateException("this inspector was closed");
    int V = cfg.vocabSize(), C = cfg.nEmbd();
    if (id < 0 || id >= V) throw new IllegalArgumentException("token id " + id + " outside 0 .. " + (V - 1));
    float[] wte = cached.embeddings();
    double[] norm = new double[V];
    for (int t = 0; t < V; t++) {
      double s = 0;
      for (int c = 0; c < C; c++) s += (double) wte[t * C + c] * wte[t * C + c];
      norm[t] = Math.sqrt(s);
    }
    List<Similar> all = new ArrayList<>(V);
    for (int t = 0; t < V; t++) {
      double dot = 0;
      for (int c = 0; c < C; c++) dot += (double) wte[id * C + c] * wte[t * C + c];
      double denom = norm[id] * norm[t];
      all.add(new Similar(t, denom == 0 ? 0 : dot / denom));
    }
    all.sort((a, b) -> a.cosine() != b.cosine() ? Double.compare(b.cosine(), a.cosine()) : Integer.compare(a.id(), b.id()));
    return List.copyOf(all.subList(0, Math.min(k, V)));
  }

  /** A token and its cosine similarity to the one asked about. */
  public record Similar(int id, double cosine) {}

  @Override
  public void close() {
    closed = true;
    byRows.values().forEach(Gpt::close);
    byRows.clear();
  }
}

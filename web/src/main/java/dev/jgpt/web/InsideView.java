package dev.jgpt.web;

import com.sun.net.httpserver.HttpExchange;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.TokenProbabilities;
import dev.jgpt.transformer.inspect.Inspection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inside view's endpoint, {@code POST /api/runs/{name}/inspect}: one forward pass of the
 * model over a text (or token ids), read back through the run's {@link
 * dev.jgpt.transformer.inspect.Inspector} (the same reads as the REPL's {@code :attn} and {@code
 * :lens}), as JSON for the page's heatmaps, logit-lens table and shape diagram.
 *
 * <p>Request: {@code {"text": "..."}} or {@code {"tokens": [ids]}}, optional {@code "top"}
 * (lens entries per depth, default 5, at most 20), {@code "position"} (where the lens reads,
 * default the last token) and {@code "layer"}, {@code "head"} (0-based: that head's full map in
 * {@code "head_map"}). At most the model's block size tokens (400 beyond, or with {@code
 * "last_window": true} the last block-size tokens, as the model would see them); runs through {@link
 * ModelPool#use}, so it shares the playground's limits (429 when busy).
 *
 * <p>Answer: {@code model} (the configuration and its shapes), {@code tokens} ({@code id},
 * {@code text}), {@code attention} ({@code [layer][head][query][key]}, each row the softmax over
 * keys 0 .. query and 0 after it) when it has at most {@link #FULL_ATTENTION_CELLS} numbers, else
 * {@code null} with {@code attention_thumbs} (each map averaged down to at most {@link #THUMB}
 * cells a side) for the overview, and {@code lens} (per depth 0 .. L: the top tokens and the rank
 * of the token the full model predicts).
 */
final class InsideView {
  /** Past this many attention weights in all (layers x heads x n x n), only thumbnails are sent. */
  static final int FULL_ATTENTION_CELLS = 1 << 21;
  /** Side of an attention thumbnail. */
  static final int THUMB = 32;

  private final RunsFolder runs;
  private final ModelPool models;
  private final WebServer.Options options;

  InsideView(RunsFolder runs, ModelPool models, WebServer.Options options) {
    this.runs = runs;
    this.models = models;
    this.options = options;
  }

  void inspect(HttpExchange ex, Map<String, String> params) throws Exception {
    String name = params.get("name");
    var dir = runs.resolve(name);
    Map<String, Object> body = Http.jsonBody(ex, options.maxPromptChars() * 4 + 1024);
    Object textValue = body.get("text");
    Object tokensValue = body.get("tokens");
    if (tokensValue != null && !(tokensValue instanceof List<?>)) throw ApiError.badRequest("\"tokens\" must be a list of token ids");
    if (tokensValue == null && !(textValue instanceof String)) {
      throw ApiError.badRequest("give the text to look inside as \"text\", or its token ids as \"tokens\"");
    }
    if (textValue instanceof String t && t.length() > options.maxPromptChars()) {
      throw ApiError.badRequest("the text is too long: " + t.length() + " characters, at most " + options.maxPromptChars());
    }
    if (tokensValue instanceof List<?> l && l.size() > options.maxPromptChars()) {
      throw ApiError.badRequest("too many tokens: " + l.size());
    }
    int top = intField(body, "top", 5, 1, 20);
    Map<String, Object> out = models.use(name, dir, m -> {
      GptConfig cfg = m.model().config();
      Tokenizer tok = m.tokenizer();
      int[] ids = tokensValue instanceof List<?> list ? ids(list, cfg.vocabSize()) : tok.encode((String) textValue);
      if (ids.length == 0) throw ApiError.badRequest("the text is empty: give at least one token");
      boolean lastWindow = Boolean.TRUE.equals(body.get("last_window"));
      int dropped = 0;
      if (ids.length > cfg.blockSize() && lastWindow) {
        dropped = ids.length - cfg.blockSize();
        ids = java.util.Arrays.copyOfRange(ids, dropped, ids.length);
      }
      if (ids.length > cfg.blockSize()) {
        throw ApiError.badRequest("the text is " + ids.length + " tokens, more than the model's block size of "
            + cfg.blockSize() + ": the inside view shows one window, so give at most " + cfg.blockSize() + " tokens");
      }
      int n = ids.length;
      int position = intField(body, "position", n - 1, 0, n - 1);
      Inspection ins = m.inspector().inspect(ids, n);
      int L = ins.layers(), NH = ins.heads();

      Map<String, Object> result = new LinkedHashMap<>();
      result.put("run", name);
      result.put("step", m.state() == null ? null : m.state().step());
      result.put("model", modelShape(cfg));
      result.put("dropped_tokens", dropped);
      List<Object> tokens = new ArrayList<>(n);
      for (int id : ids) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("id", id);
        t.put("text", Playground.tokenText(tok, id));
        t.put("shown", Playground.shown(tok, id));
        tokens.add(t);
      }
      result.put("tokens", tokens);

      boolean full = (long) L * NH * n * n <= FULL_ATTENTION_CELLS;
      List<Object> attention = full ? new ArrayList<>(L) : null;
      List<Object> thumbs = full ? null : new ArrayList<>(L);
      for (int l = 0; l < L; l++) {
        List<Object> heads = new ArrayList<>(NH);
        for (int h = 0; h < NH; h++) {
          float[][] map = ins.attention(l, h);
          heads.add(full ? rounded(map) : thumbnail(map));
        }
        (full ? attention : thumbs).add(heads);
      }
      result.put("attention", attention);
      if (!full) {
        result.put("attention_thumbs", thumbs);
        result.put("attention_note", "layers x heads x tokens^2 = " + (long) L * NH * n * n + " weights, more than "
            + FULL_ATTENTION_CELLS + ": the overview shows each map averaged to " + THUMB + " x " + THUMB
            + "; ask for one head with \"layer\" and \"head\"");
      }
      if (body.get("layer") != null || body.get("head") != null) {
        int layer = intField(body, "layer", 0, 0, L - 1), head = intField(body, "head", 0, 0, NH - 1);
        Map<String, Object> hm = new LinkedHashMap<>();
        hm.put("layer", layer);
        hm.put("head", head);
        hm.put("rows", rounded(ins.attention(layer, head)));
        result.put("head_map", hm);
      }
      result.put("lens", lens(ins, tok, position, top));
      return result;
    });
    Http.sendJson(ex, 200, out);
  }

  /** The configuration and the shapes the page's diagram draws. */
  static Map<String, Object> modelShape(GptConfig cfg) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("vocab_size", cfg.vocabSize());
    m.put("padded_vocab_size", cfg.paddedVocabSize());
    m.put("block_size", cfg.blockSize());
    m.put("n_layer", cfg.nLayer());
    m.put("n_head", cfg.nHead());
    m.put("n_embd", cfg.nEmbd());
    m.put("head_size", cfg.headSize());
    m.put("bias", cfg.bias());
    m.put("parameters", cfg.parameterCount());
    return m;
  }

  private static Map<String, Object> lens(Inspection ins, Tokenizer tok, int position, int top) {
    int L = ins.layers();
    List<TokenProbabilities> lens = ins.lens(position);
    TokenProbabilities model = lens.get(L);
    int predicted = model.top(1).get(0).id();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("position", position);
    out.put("predicted", candidate(tok, predicted, model.raw(predicted)));
    List<Object> depths = new ArrayList<>(L + 1);
    for (int d = 0; d <= L; d++) {
      TokenProbabilities tp = lens.get(d);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("depth", d);
      row.put("label", d == 0 ? "embeddings" : d == L ? "block " + d + " (output)" : "block " + d);
      List<Object> items = new ArrayList<>(top);
      for (TokenProbabilities.Candidate c : tp.top(top)) items.add(candidate(tok, c.id(), c.raw()));
      row.put("top", items);
      row.put("rank_of_predicted", tp.rawRank(predicted));
      row.put("p_of_predicted", (double) tp.raw(predicted));
      depths.add(row);
    }
    out.put("depths", depths);
    return out;
  }

  private static Map<String, Object> candidate(Tokenizer tok, int id, float p) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("id", id);
    e.put("text", Playground.tokenText(tok, id));
    e.put("shown", Playground.shown(tok, id));
    e.put("p", (double) p);
    return e;
  }

  /** Weights to 5 decimals (the JSON is 3x shorter; a row still sums to 1 within 5e-5 per key). */
  private static List<Object> rounded(float[][] map) {
    List<Object> rows = new ArrayList<>(map.length);
    for (float[] r : map) {
      List<Object> row = new ArrayList<>(r.length);
      for (float v : r) row.add(v == 0f ? 0L : (Object) (Math.round(v * 1e5) / 1e5));
      rows.add(row);
    }
    return rows;
  }

  /** The (n, n) map averaged over blocks to at most THUMB x THUMB (block edges by integer division). */
  private static List<Object> thumbnail(float[][] map) {
    int n = map.length, s = Math.min(n, THUMB);
    float[][] t = new float[s][s];
    for (int i = 0; i < s; i++) {
      int q0 = i * n / s, q1 = (i + 1) * n / s;
      for (int j = 0; j < s; j++) {
        int k0 = j * n / s, k1 = (j + 1) * n / s;
        double sum = 0;
        for (int q = q0; q < q1; q++) for (int k = k0; k < k1; k++) sum += map[q][k];
        t[i][j] = (float) (sum / ((q1 - q0) * (k1 - k0)));
      }
    }
    return rounded(t);
  }

  private static int[] ids(List<?> list, int vocabSize) {
    int[] ids = new int[list.size()];
    for (int i = 0; i < ids.length; i++) {
      if (!(list.get(i) instanceof Number num) || num.doubleValue() != Math.rint(num.doubleValue())
          || num.longValue() < 0 || num.longValue() >= vocabSize) {
        throw ApiError.badRequest("token " + i + " is not a token id from 0 to " + (vocabSize - 1) + ": " + list.get(i));
      }
      ids[i] = num.intValue();
    }
    return ids;
  }

  private static int intField(Map<String, Object> body, String key, int fallback, int min, int max) {
    Object v = body.get(key);
    if (v == null) return fallback;
    if (!(v instanceof Number num) || num.doubleValue() != Math.rint(num.doubleValue())) {
      throw ApiError.badRequest(key + " must be a whole number, got " + v);
    }
    long x = num.longValue();
    if (x < min || x > max) throw ApiError.badRequest(key + " must be between " + min + " and " + max + ", got " + x);
    return (int) x;
  }
}

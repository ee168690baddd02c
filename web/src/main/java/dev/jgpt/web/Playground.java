package dev.jgpt.web;

import com.sun.net.httpserver.HttpExchange;
import dev.jgpt.tokenizer.TokenText;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.GenerationLoop;
import dev.jgpt.transformer.SamplerSettings;
import dev.jgpt.transformer.Scorer;
import dev.jgpt.transformer.TokenProbabilities;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The playground's two endpoints, over the same classes as {@code jgpt generate} and {@code jgpt
 * score}: {@link GenerationLoop} (the KV-cache model, {@link SamplerSettings}, streaming decoder)
 * and {@link Scorer}.
 *
 * <ul>
 *   <li>{@code GET /api/runs/{name}/generate?prompt=&max_tokens=&temperature=&top_k=&top_p=&seed=&alternatives=}:
 *       server-sent events, {@code start} (with the context's token ids), one {@code token} per
 *       generated token (its text, the model's probability of it, the sampler's, and the top
 *       alternatives with both), then {@code done} or {@code error}. GET so that the browser's
 *       EventSource can read it. {@code context=ID,ID,...} instead of {@code prompt} continues
 *       from those tokens: the page's "pick an alternative" (the REPL's {@code :pick}) sends the
 *       prompt's ids, the tokens before the picked one, and the pick.
 *   <li>{@code POST /api/runs/{name}/score} with {@code {"text": ..., "alternatives": K}}: each
 *       token's probability and surprisal, and the totals.
 * </ul>
 */
final class Playground {
  private final RunsFolder runs;
  private final ModelPool models;
  private final WebServer.Options options;
  private final BooleanSupplier stopping;

  Playground(RunsFolder runs, ModelPool models, WebServer.Options options, BooleanSupplier stopping) {
    this.runs = runs;
    this.models = models;
    this.options = options;
    this.stopping = stopping;
  }

  void generate(HttpExchange ex, Map<String, String> params) throws Exception {
    String name = params.get("name");
    var dir = runs.resolve(name);
    Map<String, String> q = Http.query(ex);
    String prompt = q.getOrDefault("prompt", "");
    int[] given = contextParam(q.get("context"), options.maxPromptChars());
    if (prompt.length() > options.maxPromptChars()) {
      throw ApiError.badRequest("the prompt is too long: " + prompt.length() + " characters, at most "
          + options.maxPromptChars());
    }
    int maxTokens = intParam(q, "max_tokens", Math.min(200, options.maxNewTokens()), 1, options.maxNewTokens());
    int alternatives = intParam(q, "alternatives", 10, 0, 50);
    SamplerSettings settings;
    try {
      settings = SamplerSettings.defaults()
          .withTemperature(doubleParam(q, "temperature", 0.8, 0, 10))
          .withTopK(intParam(q, "top_k", 0, 0, Integer.MAX_VALUE))
          .withTopP(doubleParam(q, "top_p", 1.0, 0, 1))
          .withSeed(longParam(q, "seed", 1337))
          .withMaxNewTokens(maxTokens);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    models.use(name, dir, m -> {
      GenerationLoop loop = new GenerationLoop(m.model(), m.tokenizer());
      int[] context = given != null ? checkedIds(given, m.model().vocabSize()) : loop.promptTokens(prompt);
      MetricsStream.Sse sse = MetricsStream.Sse.start(ex);
      AtomicBoolean gone = new AtomicBoolean();
      try {
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("run", name);
        start.put("step", m.state().step());
        start.put("prompt_tokens", context.length);
        start.put("context_ids", context);
        start.put("max_tokens", maxTokens);
        start.put("model", m.model().description());
        sse.event("start", start);
        Tokenizer tok = m.tokenizer();
        GenerationLoop.Result result = loop.generate(context, settings, 0, new GenerationLoop.Listener() {
          @Override
          public void token(GenerationLoop.Token t) {
            if (gone.get()) return;
            TokenProbabilities p = t.probabilities();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("i", t.index());
            e.put("id", t.id());
            e.put("text", t.piece());
            e.put("token", tokenText(tok, t.id()));
            e.put("shown", shown(tok, t.id()));
            e.put("p", p.raw(t.id()));
            e.put("p_sampler", p.filtered(t.id()));
            e.put("rank", p.rawRank(t.id()));
            e.put("entropy_bits", p.rawEntropyBits());
            e.put("top", candidates(tok, p.top(alternatives)));
            try {
              sse.event("token", e);
            } catch (IOException closed) {
              gone.set(true); // the tab was closed: stop generating
            }
          }

          @Override
          public void trailingText(String text) {
            if (gone.get()) return;
            try {
              sse.event("trailing", Map.of("text", text));
            } catch (IOException closed) {
              gone.set(true);
            }
          }
        }, () -> gone.get() || stopping.getAsBoolean());
        if (!gone.get()) {
          Map<String, Object> done = new LinkedHashMap<>();
          done.put("reason", result.reason().label());
          done.put("tokens", result.newTokens().length);
          done.put("tokens_per_s", result.tokensPerSecond());
          done.put("first_token_ms", result.firstTokenNanos() / 1e6);
          done.put("text", result.text());
          sse.event("done", done);
        }
      } catch (RuntimeException e) {
        if (!gone.get()) sse.event("error", Map.of("error", Router.oneLine(e)));
      } finally {
        sse.close();
      }
      return null;
    });
  }

  void score(HttpExchange ex, Map<String, String> params) throws Exception {
    String name = params.get("name");
    var dir = runs.resolve(name);
    Map<String, Object> body = Http.jsonBody(ex, options.maxPromptChars() * 4 + 1024);
    Object textValue = body.get("text");
    if (!(textValue instanceof String text) || text.isEmpty()) throw ApiError.badRequest("give the text to score as \"text\"");
    if (text.length() > options.maxPromptChars()) {
      throw ApiError.badRequest("the text is too long: " + text.length() + " characters, at most "
          + options.maxPromptChars());
    }
    int alternatives = body.get("alternatives") instanceof Number n ? Math.clamp(n.intValue(), 0, 50) : 10;
    Map<String, Object> out = models.use(name, dir, m -> {
      Scorer.Result r = new Scorer(m.model(), m.tokenizer()).score(text, alternatives, stopping);
      List<Object> tokens = new ArrayList<>();
      for (Scorer.TokenScore t : r.tokens()) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", t.id());
        e.put("text", t.text());
        e.put("shown", shown(m.tokenizer(), t.id()));
        e.put("bytes", t.bytes());
        e.put("scored", t.scored());
        e.put("p", t.scored() ? t.probability() : null);
        e.put("surprisal_bits", t.scored() ? t.surprisalBits() : null);
        e.put("rank", t.rank());
        e.put("entropy_bits", t.entropyBits());
        e.put("top", candidates(m.tokenizer(), t.top()));
        tokens.add(e);
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("run", name);
      result.put("tokens", tokens);
      result.put("scored_tokens", r.scoredTokens());
      result.put("total_nll", r.totalNll());
      result.put("mean_nll", r.meanNll());
      result.put("perplexity", r.perplexity());
      result.put("bits_per_byte", r.bitsPerByte());
      return result;
    });
    Http.sendJson(ex, 200, out);
  }

  /** {@code context=ID,ID,...}: null when absent; at most {@code max} ids. */
  private static int[] contextParam(String v, int max) {
    if (v == null || v.isBlank()) return null;
    String[] parts = v.split(",", -1);
    if (parts.length > max) throw ApiError.badRequest("the context is too long: " + parts.length + " tokens, at most " + max);
    int[] ids = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        ids[i] = Integer.parseInt(parts[i].strip());
      } catch (NumberFormatException e) {
        throw ApiError.badRequest("context must be token ids separated by commas, got " + parts[i]);
      }
    }
    return ids;
  }

  private static int[] checkedIds(int[] ids, int vocabSize) {
    for (int id : ids) {
      if (id < 0 || id >= vocabSize) throw ApiError.badRequest("token id " + id + " outside 0 .. " + (vocabSize - 1));
    }
    return ids;
  }

  private static List<Object> candidates(Tokenizer tok, List<TokenProbabilities.Candidate> top) {
    List<Object> out = new ArrayList<>(top.size());
    for (TokenProbabilities.Candidate c : top) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", c.id());
      e.put("text", tokenText(tok, c.id()));
      e.put("shown", shown(tok, c.id()));
      e.put("p", c.raw());
      e.put("p_sampler", c.filtered());
      out.add(e);
    }
    return out;
  }

  /** A token's bytes as text (a piece of a multi-byte character shows as U+FFFD): for the page's running text. */
  static String tokenText(Tokenizer tok, int id) {
    return new String(tok.tokenBytes(id), StandardCharsets.UTF_8);
  }

  /**
   * A token as labels and tables show it, the REPL's way ({@link TokenText#render}): whitespace
   * and control characters escaped, a piece of a multi-byte character as its bytes.
   */
  static String shown(Tokenizer tok, int id) {
    return TokenText.render(tok.tokenBytes(id));
  }

  private static int intParam(Map<String, String> q, String key, int fallback, int min, int max) {
    String v = q.get(key);
    if (v == null || v.isBlank()) return fallback;
    try {
      int x = Integer.parseInt(v.strip());
      if (x < min || x > max) throw ApiError.badRequest(key + " must be between " + min + " and " + max + ", got " + x);
      return x;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(key + " must be a whole number, got " + v);
    }
  }

  private static long longParam(Map<String, String> q, String key, long fallback) {
    String v = q.get(key);
    if (v == null || v.isBlank()) return fallback;
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(key + " must be a whole number, got " + v);
    }
  }

  private static double doubleParam(Map<String, String> q, String key, double fallback, double min, double max) {
    String v = q.get(key);
    if (v == null || v.isBlank()) return fallback;
    try {
      double x = Double.parseDouble(v.strip());
      if (!(x >= min && x <= max)) throw ApiError.badRequest(key + " must be between " + min + " and " + max + ", got " + v);
      return x;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(key + " must be a number, got " + v);
    }
  }
}

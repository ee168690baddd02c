package dev.jgpt.cli;

import dev.jgpt.transformer.interop.LoadedModel;
import dev.jgpt.cli.repl.RunOptions;
import dev.jgpt.cli.repl.ScoreView;
import dev.jgpt.cli.repl.Style;
import dev.jgpt.common.Json;
import dev.jgpt.transformer.Scorer;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jgpt score}: how likely a trained model finds a text, token by token. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Score a text: each token's probability and surprisal, total NLL, perplexity, bits per byte.",
    footer = {"", "Examples:", "  jgpt score --text 'To be, or not to be'",
        "  cat notes.txt | jgpt score --json | jq .bits_per_byte"})
final class ScoreCommand implements Callable<Integer> {
  @Option(names = "--text", paramLabel = "TEXT", description = "The text to score (default: read stdin).")
  String text;

  @Option(names = "--json", description = "One JSON object: per-token scores and the totals.")
  boolean json;

  @Option(names = "--top-logprobs", paramLabel = "K", defaultValue = "0", description = "Alternatives per token in --json output (default ${DEFAULT-VALUE}).")
  int topLogprobs;

  @Mixin RunOptions runOptions;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (topLogprobs < 0) {
      throw new ParameterException(spec.commandLine(), "--top-logprobs must be 0 or more, got " + topLogprobs);
    }
    // Piped text is scored as the bytes it is (any encoding), so bits per byte divide by its true size.
    byte[] piped = null;
    if (text == null) {
      if (System.console() != null && System.console().isTerminal()) {
        throw new IllegalArgumentException("give the text with --text TEXT or pipe it in: cat FILE | jgpt score");
      }
      piped = System.in.readAllBytes();
    }
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
    try (LoadedModel model = runOptions.open()) {
      Scorer scorer = new Scorer(model.model(), model.tokenizer());
      Scorer.Result r = piped != null ? scorer.score(piped, topLogprobs, () -> false)
          : scorer.score(text, topLogprobs, () -> false);
      if (json) {
        out.println(Json.write(toJson(r, model)));
      } else {
        Style style = System.console() != null && System.console().isTerminal() ? Style.terminal() : Style.plain();
        ScoreView.table(r, model.tokenizer(), style).forEach(out::println);
      }
      out.flush();
    }
    return 0;
  }

  private Map<String, Object> toJson(Scorer.Result r, LoadedModel model) {
    List<Object> tokens = new ArrayList<>();
    for (Scorer.TokenScore t : r.tokens()) {
      Map<String, Object> o = GenerateCommand.tokenFields(t.id(), model.tokenizer(), (float) t.logprob());
      o.put("prob", t.scored() ? t.probability() : null);
      o.put("surprisal_bits", t.scored() ? t.surprisalBits() : null);
      o.put("rank", t.scored() ? t.rank() : null);
      if (topLogprobs > 0) {
        List<Object> top = new ArrayList<>();
        for (var c : t.top()) top.add(GenerateCommand.tokenFields(c.id(), model.tokenizer(), c.rawLogprob()));
        o.put("top", top);
      }
      tokens.add(o);
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("tokens", tokens);
    o.put("token_count", r.tokens().size());
    o.put("scored_tokens", r.scoredTokens());
    o.put("scored_bytes", r.scoredBytes());
    o.put("total_nll", r.totalNll());
    o.put("mean_nll", r.meanNll());
    o.put("perplexity", r.perplexity());
    o.put("bits_per_byte", r.bitsPerByte());
    o.put("run", model.name());
    return o;
  }
}

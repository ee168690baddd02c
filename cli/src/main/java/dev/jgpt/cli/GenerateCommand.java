package dev.jgpt.cli;

import dev.jgpt.transformer.interop.LoadedModel;
import dev.jgpt.cli.repl.RunOptions;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.common.Json;
import dev.jgpt.transformer.GenerationLoop;
import dev.jgpt.transformer.SamplerSettings;
import dev.jgpt.transformer.TokenProbabilities;
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

/** {@code jgpt generate}: continue a prompt with a trained model, streaming text or JSON lines. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Continue a prompt with a trained model; the text streams to stdout.",
    footer = {"", "Examples:", "  jgpt generate --prompt 'ROMEO:' --max-new-tokens 200",
        "  jgpt generate --run runs/shakespeare --prompt 'To be' --temperature 0 --json"})
final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--prompt", paramLabel = "TEXT", description = "Text to continue (default: empty, a new document).")
  String prompt = "";

  @Option(names = "--json", description = "One JSON object per generated token (id, text, bytes, logprob, top alternatives), then a summary "
      + "(tokens, seconds of generation, tokens_per_s).")
  boolean json;

  @Option(names = "--top-logprobs", paramLabel = "K", defaultValue = "5", description = "Alternatives per token in --json output (default ${DEFAULT-VALUE}).")
  int topLogprobs;

  @Mixin RunOptions runOptions;
  @Mixin GenerateOptions sampling;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (topLogprobs < 0) {
      throw new ParameterException(spec.commandLine(), "--top-logprobs must be 0 or more, got " + topLogprobs);
    }
    SamplerSettings settings = sampling.settings();
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
    try (LoadedModel model = runOptions.open()) {
      GenerationLoop loop = new GenerationLoop(model.model(), model.tokenizer());
      Tokenizer tok = model.tokenizer();
      boolean[] endsWithNewline = {true};
      // `jgpt generate | head`: System.out swallows the broken pipe and only remembers it, so look
      // after each token and stop generating for a reader that has gone.
      boolean[] readerGone = {false};
      GenerationLoop.Result r = loop.generate(loop.promptTokens(prompt), settings, 0, new GenerationLoop.Listener() {
        @Override
        public void token(GenerationLoop.Token t) {
          if (json) {
            if (t.id() != tok.eotId()) out.println(Json.write(tokenObject(t, tok)));
          } else if (!t.printable().isEmpty()) {
            out.print(t.printable());
            endsWithNewline[0] = t.printable().endsWith("\n");
          }
          out.flush();
          if (System.out.checkError()) readerGone[0] = true;
        }

        @Override
        public void trailingText(String text) {
          if (!json) out.print(text);
          endsWithNewline[0] = text.endsWith("\n");
        }
      }, () -> readerGone[0]);
      if (readerGone[0]) return 0; // the reader has what it wanted: nothing went wrong, nothing more to say
      if (json) out.println(Json.write(summary(r, settings)));
      else if (!endsWithNewline[0]) out.println();
      out.flush();
    }
    return 0;
  }

  private Map<String, Object> tokenObject(GenerationLoop.Token t, Tokenizer tok) {
    TokenProbabilities p = t.probabilities();
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("index", t.index());
    o.putAll(tokenFields(t.id(), tok, p.rawLogprob(t.id())));
    o.put("rank", p.rawRank(t.id()));
    o.put("sampler_prob", p.filtered(t.id()));
    List<Object> top = new ArrayList<>();
    for (TokenProbabilities.Candidate c : p.top(topLogprobs)) top.add(tokenFields(c.id(), tok, c.rawLogprob()));
    o.put("top", top);
    return o;
  }

  /** id, text (the token's own bytes as UTF-8, lossy), bytes, logprob (float precision): OpenAI's logprobs fields. */
  static Map<String, Object> tokenFields(int id, Tokenizer tok, float logprob) {
    byte[] b = tok.tokenBytes(id);
    int[] bytes = new int[b.length];
    for (int i = 0; i < b.length; i++) bytes[i] = b[i] & 0xff;
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("id", id);
    o.put("text", new String(b, StandardCharsets.UTF_8));
    o.put("bytes", bytes);
    o.put("logprob", logprob);
    return o;
  }

  private static Map<String, Object> summary(GenerationLoop.Result r, SamplerSettings s) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("finish_reason", switch (r.reason()) {
      case MAX_TOKENS -> "length";
      case STOP_STRING -> "stop";
      case END_OF_TEXT -> "end_of_text";
      case CANCELLED -> "cancelled";
    });
    o.put("text", r.text());
    o.put("tokens", r.newTokens().length);
    o.put("seed", s.seed());
    // Measured over the generation loop alone (model calls, sampling, writing each token), not the
    // JVM start or the model load: tokens_per_s is tokens / seconds.
    o.put("seconds", r.nanos() / 1e9);
    o.put("tokens_per_s", Math.round(r.tokensPerSecond() * 10) / 10.0);
    return o;
  }
}

package dev.jgpt.cli.repl;

import static dev.jgpt.cli.repl.ReplArguments.integer;
import static dev.jgpt.cli.repl.ReplArguments.longInteger;
import static dev.jgpt.cli.repl.ReplArguments.number;
import static dev.jgpt.cli.repl.ReplArguments.onOff;
import static dev.jgpt.cli.repl.ReplArguments.tokenId;

import dev.jgpt.tokenizer.TokenText;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.SamplerSettings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The REPL's settings and the commands that change them: the sampler ({@code :temp}, {@code :topk},
 * {@code :stop}, {@code :penalty}, {@code :ban}, {@code :bias}...), the random draws ({@code :seed}),
 * and how output looks ({@code :probs}, {@code :color}). A command whose argument is wrong leaves
 * every setting as it was.
 */
final class ReplSettings {
  private final SamplerSettings initial; // what a saved script starts from
  private SamplerSettings sampler;
  private long nextDraw; // draw i uses the seed and i: :seed restarts them, so the same inputs replay the same text
  private boolean probs;
  private int probsTop = 10;
  private boolean colour = true;

  ReplSettings(SamplerSettings initial) {
    this.initial = initial;
    this.sampler = initial;
  }

  SamplerSettings sampler() {
    return sampler;
  }

  /** Whether each generated token is shown with its probability table ({@code :probs on}). */
  boolean probs() {
    return probs;
  }

  /** Rows of a probability table. */
  int probsTop() {
    return probsTop;
  }

  /** Whether generated text is coloured by probability ({@code :color on}). */
  boolean colour() {
    return colour;
  }

  long nextDraw() {
    return nextDraw;
  }

  /** Takes the next random draw's index (a {@code :step}). */
  long takeDraw() {
    return nextDraw++;
  }

  /** Counts the draws a generation took. */
  void drew(long draws) {
    nextDraw += draws;
  }

  // ---------------------------------------------------------------- the commands

  void temperature(String arg) {
    sampler = sampler.withTemperature(number(":temp", arg));
  }

  void topK(String arg) {
    sampler = sampler.withTopK(integer(":topk", arg));
  }

  void topP(String arg) {
    sampler = sampler.withTopP(number(":topp", arg));
  }

  void minP(String arg) {
    sampler = sampler.withMinP(number(":minp", arg));
  }

  void seed(String arg) {
    sampler = sampler.withSeed(longInteger(":seed", arg));
    nextDraw = 0;
  }

  void maxNewTokens(String arg) {
    sampler = sampler.withMaxNewTokens(integer(":max", arg));
  }

  void colour(String arg) {
    colour = onOff(":color", arg);
  }

  void stop(String arg, PrintWriter out) {
    if (arg.isEmpty()) {
      out.println(sampler.stopStrings().isEmpty() ? "  no stop strings (generation still ends at <|endoftext|>)"
          : "  stop at: " + String.join(", ", sampler.stopStrings().stream().map(TokenText::quote).toList()));
      return;
    }
    if (arg.strip().equals("clear")) {
      sampler = sampler.withStopStrings(List.of());
      return;
    }
    List<String> stops = new ArrayList<>(sampler.stopStrings());
    stops.add(TokenText.unescape(arg));
    sampler = sampler.withStopStrings(stops);
  }

  void penalty(String arg) {
    String[] parts = arg.strip().split("\\s+");
    String kind = parts[0].toLowerCase(Locale.ROOT);
    if (kind.equals("off")) {
      sampler = sampler.withRepetitionPenalty(1).withPresencePenalty(0).withFrequencyPenalty(0);
      return;
    }
    if (parts.length != 2) {
      throw new IllegalArgumentException(":penalty needs KIND VALUE: repetition 1.1, presence 0.5, frequency 0.5, "
          + "window 64, or off");
    }
    String cmd = ":penalty " + kind;
    switch (kind) {
      case "repetition", "rep" -> sampler = sampler.withRepetitionPenalty(number(cmd, parts[1]));
      case "presence" -> sampler = sampler.withPresencePenalty(number(cmd, parts[1]));
      case "frequency", "freq" -> sampler = sampler.withFrequencyPenalty(number(cmd, parts[1]));
      case "window" -> sampler = sampler.withPenaltyLastN(integer(cmd, parts[1]));
      default -> throw new IllegalArgumentException("unknown penalty '" + parts[0]
          + "'; use repetition, presence, frequency, window or off");
    }
  }

  /** {@code :ban}; ids are checked against {@code vocabSize}, listed with their text when there is a tokenizer. */
  void ban(String arg, Tokenizer tokenizerOrNull, int vocabSize, PrintWriter out) {
    String[] words = arg.strip().split("\\s+");
    if (arg.isBlank()) {
      out.println(sampler.bannedTokens().isEmpty() ? "  no banned tokens"
          : "  banned: " + tokenList(sampler.bannedTokens(), tokenizerOrNull));
    } else if (words[0].equals("clear")) {
      sampler = sampler.withBannedTokens(Set.of());
    } else {
      Set<Integer> banned = new TreeSet<>(sampler.bannedTokens());
      for (String word : words) banned.add(tokenId(":ban", word, vocabSize));
      sampler = sampler.withBannedTokens(banned);
    }
  }

  void bias(String arg, int vocabSize, PrintWriter out) {
    String[] words = arg.strip().split("\\s+");
    if (arg.isBlank()) {
      out.println(sampler.logitBias().isEmpty() ? "  no logit bias" : "  logit bias: " + sampler.logitBias());
    } else if (words[0].equals("clear")) {
      sampler = sampler.withLogitBias(Map.of());
    } else if (words.length != 2) {
      throw new IllegalArgumentException(":bias needs ID VALUE (e.g. :bias 10 -5), or clear");
    } else {
      Map<Integer, Float> bias = new TreeMap<>(sampler.logitBias());
      bias.put(tokenId(":bias", words[0], vocabSize), (float) number(":bias", words[1]));
      sampler = sampler.withLogitBias(bias);
    }
  }

  void probs(String arg) {
    String[] parts = arg.strip().split("\\s+");
    boolean on = onOff(":probs", parts[0]);
    int rows = parts.length > 1 ? integer(":probs", parts[1]) : probsTop;
    if (rows < 1) throw new IllegalArgumentException(":probs needs a positive number of rows, got " + rows);
    probs = on; // both read before either changes: a bad line leaves the setting as it was
    probsTop = rows;
  }

  private static String tokenList(Set<Integer> ids, Tokenizer tokenizerOrNull) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      sb.append(sb.isEmpty() ? "" : ", ").append(id);
      if (tokenizerOrNull != null) sb.append(' ').append(TokenText.quoted(tokenizerOrNull, id));
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- :show and :save

  /** The settings part of {@code :show}. */
  List<String> describe(int width) {
    List<String> lines = new ArrayList<>();
    for (String s : sampler.describe()) lines.addAll(Layout.wrap(List.of(s.split(" ")), width - 1, "  "));
    lines.add("  probs       " + (probs ? "on, top " + probsTop : "off"));
    lines.add("  draws       " + nextDraw + " so far");
    return lines;
  }

  /** The commands that set the sampler as it was when the session started: how a saved script begins. */
  List<String> initialCommands() {
    SamplerSettings s = initial;
    List<String> c = new ArrayList<>(List.of(
        ":temp " + s.temperature(), ":topk " + s.topK(), ":topp " + s.topP(), ":minp " + s.minP(),
        ":penalty repetition " + s.repetitionPenalty(), ":penalty presence " + s.presencePenalty(),
        ":penalty frequency " + s.frequencyPenalty(), ":penalty window " + s.penaltyLastN(),
        ":max " + s.maxNewTokens(), ":stop clear", ":ban clear", ":bias clear"));
    for (String stop : s.stopStrings()) c.add(":stop " + TokenText.escape(stop));
    for (int id : s.bannedTokens()) c.add(":ban " + id);
    s.logitBias().forEach((id, bias) -> c.add(":bias " + id + " " + bias));
    c.add(":seed " + s.seed()); // last: it restarts the draws
    return c;
  }
}

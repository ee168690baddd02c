package dev.jgpt.cli.repl;

import static dev.jgpt.cli.repl.ReplArguments.integer;
import static dev.jgpt.cli.repl.ReplArguments.longInteger;
import static dev.jgpt.cli.repl.ReplArguments.number;
import static dev.jgpt.cli.repl.ReplArguments.onOff;
import static dev.jgpt.cli.repl.ReplArguments.required;
import static dev.jgpt.cli.repl.ReplArguments.tokenId;

import dev.jgpt.cli.HeapBudget;
import dev.jgpt.cli.MemoryCheck;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.CheckpointFiles;
import dev.jgpt.transformer.GenerationLoop;
import dev.jgpt.transformer.KvCacheModel;
import dev.jgpt.transformer.SamplerSettings;
import dev.jgpt.transformer.Scorer;
import dev.jgpt.transformer.TextEscapes;
import dev.jgpt.transformer.TokenProbabilities;
import dev.jgpt.transformer.inspect.Inspector;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntSupplier;

/**
 * The REPL's state and commands, independent of how lines arrive (a JLine terminal or a pipe):
 * {@link #handle} takes one input line and writes the answer. Errors become one line and the
 * session goes on.
 *
 * <p>State: the loaded model, the sampler settings, the number of random draws so far (draw i
 * uses the seed and i, so {@code :seed} and the same inputs replay the same text), and the
 * context: the tokens that text input, generation, {@code :step}, {@code :pick} and
 * {@code :back} build up.
 */
public final class ReplSession implements AutoCloseable {
  /** Opens a run folder by the name the user typed. */
  @FunctionalInterface
  public interface ModelLoader {
    LoadedModel load(String run) throws IOException;
  }

  private static final int TAIL_CHARS = 60;

  private final ModelLoader loader;
  private final PrintWriter out;
  private final Style style;
  private final SamplerSettings initialSettings;
  private final List<String> transcript = new ArrayList<>();

  private LoadedModel loaded;
  private String initialModel;
  private GenerationLoop loop;
  private SamplerSettings settings;
  private long nextDraw;
  private boolean probs;
  private int probsTop = 10;
  private boolean colour = true;
  private boolean legendShown; // the colour legend, once per session after the first coloured output
  private int[] context = new int[0];
  private InspectCommands inspect; // :attn, :lens, :similar; made on first use
  private IntSupplier width = () -> 80; // the terminal's columns
  private Thread warmer; // warms the model up while the first line is typed
  private volatile boolean cancelRequested;
  private int errors;
  private boolean quit;

  public ReplSession(ModelLoader loader, PrintWriter out, Style style, SamplerSettings settings) {
    this.loader = loader;
    this.out = out;
    this.style = style;
    this.settings = settings;
    this.initialSettings = settings;
  }

  // ---------------------------------------------------------------- for the input loops

  /** Asks a running generation or score to stop after the current token (Ctrl-C). */
  public void cancel() {
    cancelRequested = true;
  }

  /** Lines that ended in an error so far. */
  public int errors() {
    return errors;
  }

  /** True after :quit. */
  public boolean quitRequested() {
    return quit;
  }

  public Style style() {
    return style;
  }

  /** Where the session learns the terminal's width (views such as :attn fit it); 80 columns without. */
  public void setWidth(IntSupplier columns) {
    this.width = columns;
  }

  /** The loaded model's description, or null. */
  public String modelDescription() {
    return loaded == null ? null : loaded.description();
  }

  /** Opens a run as the session's model (as :load does); errors are printed as one line. */
  public void loadInitial(String run) {
    loadInitial(run, loader);
  }

  /** As {@link #loadInitial(String)}, with a loader of its own (one that was started earlier, in parallel). */
  public void loadInitial(String run, ModelLoader initialLoader) {
    try {
      install(initialLoader.load(run));
      initialModel = run;
    } catch (Exception e) {
      error(e);
    }
  }

  /**
   * Warms the model up on a background thread for up to {@code budgetNanos}; the next command
   * waits for it. A terminal session does this while its user types the first line.
   */
  public void warmUpInBackground(long budgetNanos) {
    if (loaded == null) return;
    var model = loaded.model();
    GenerationLoop warmLoop = loop;
    SamplerSettings warmSettings = SamplerSettings.defaults().withMaxNewTokens(32);
    warmer = Thread.ofPlatform().daemon().name("jgpt-warm-up").start(() -> {
      try {
        model.warmUp(budgetNanos);
        // the sampler, the decoder and the stop-string check too, on throw-away text
        warmLoop.generate(warmLoop.promptTokens("warm up"), warmSettings, 0, t -> {}, () -> false);
      } catch (RuntimeException e) {
        // a broken model shows its error on the first real command
      }
    });
  }

  private void awaitWarmUp() {
    Thread t = warmer;
    if (t == null) return;
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    warmer = null;
    if (interrupted) Thread.currentThread().interrupt();
  }

  /** Prints an error as one line and counts it. */
  public void error(Exception e) {
    errors++;
    String m = e.getMessage();
    if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
    if (e instanceof java.nio.file.NoSuchFileException) m = "no such file: " + m;
    out.println(style.error("error: " + m.replace('\n', ' ').strip()));
    out.flush();
  }

  /** Handles one input line (a command, a comment, text to continue, or empty to continue the context). */
  public void handle(String line) {
    awaitWarmUp();
    cancelRequested = false;
    try {
      dispatch(line);
    } catch (Exception e) {
      error(e);
    } catch (OutOfMemoryError e) {
      error(new IllegalStateException(MemoryCheck.outOfMemory(e, HeapBudget.current())));
    }
    out.flush();
  }

  private void dispatch(String line) throws IOException {
    if (line.startsWith("#")) return; // a comment (saved sessions carry their outputs as comments)
    if (!line.startsWith(":")) {
      transcript.add(scriptLine(line));
      if (line.isEmpty()) continueContext();
      else generateAfter(line);
      return;
    }
    int space = line.indexOf(' ');
    String name = (space < 0 ? line : line.substring(0, space)).toLowerCase(Locale.ROOT);
    String arg = space < 0 ? "" : line.substring(space + 1);
    if (ReplCommands.find(name).isEmpty()) {
      throw new IllegalArgumentException("unknown command " + name + "; type :help for the list");
    }
    if (name.equals(":load")) {
      transcript.add(":load " + absoluteRun(arg.strip())); // a saved script replays from any folder
    } else if (!name.equals(":save") && !name.equals(":help") && !name.equals(":quit") && !name.equals(":exit")) {
      transcript.add(scriptLine(line));
    }
    switch (name) {
      case ":help" -> ReplCommands.help(style, width()).forEach(out::println);
      case ":temp" -> settings = settings.withTemperature(number(name, arg));
      case ":topk" -> settings = settings.withTopK(integer(name, arg));
      case ":topp" -> settings = settings.withTopP(number(name, arg));
      case ":minp" -> settings = settings.withMinP(number(name, arg));
      case ":seed" -> {
        settings = settings.withSeed(longInteger(name, arg));
        nextDraw = 0;
      }
      case ":max" -> settings = settings.withMaxNewTokens(integer(name, arg));
      case ":stop" -> stop(arg);
      case ":penalty" -> penalty(arg);
      case ":ban" -> ban(arg);
      case ":bias" -> bias(arg);
      case ":show" -> show();
      case ":probs" -> probs(arg);
      case ":color" -> colour = onOff(name, arg);
      case ":next" -> next(arg);
      case ":score" -> score(arg);
      case ":step" -> step(arg);
      case ":pick" -> pick(integer(name, arg));
      case ":back" -> back(arg.isBlank() ? 1 : integer(name, arg));
      case ":tok" -> tok(arg);
      case ":attn" -> inspect().attn(arg, contextOrStart());
      case ":lens" -> {
        inspect().lens(arg.isEmpty() ? contextOrStart() : promptTokens(arg));
        legend();
      }
      case ":similar" -> inspect().similar(arg, encode(TextEscapes.unescape(arg)));
      case ":gen" -> generateAfter(required(name, arg, "TEXT"));
      case ":add" -> add(required(name, arg, "TEXT"));
      case ":reset" -> context = new int[0];
      case ":load" -> {
        load(required(name, arg, "RUN").strip());
        out.println("loaded " + loaded.description());
      }
      case ":save" -> save(Path.of(required(name, arg, "FILE").strip()));
      case ":quit", ":exit" -> quit = true;
      default -> throw new IllegalStateException("command " + name + " has no handler");
    }
  }

  // ---------------------------------------------------------------- generation

  private void generateAfter(String text) {
    requireModel();
    context = promptTokens(text);
    if (style.colours()) out.print(style.dim(text));
    generate();
  }

  /** {@code :add TEXT}: TEXT's tokens appended to the context, nothing generated; the next generation goes on from them. */
  private void add(String text) {
    requireModel();
    int[] ids = encode(text);
    context = context.length == 0 ? promptTokens(text) : concat(context, ids);
    showTail(Double.NaN);
  }

  private void continueContext() {
    requireModel();
    if (context.length == 0) context = loop.promptTokens("");
    generate();
  }

  private void generate() {
    Tokenizer tok = loaded.tokenizer();
    boolean[] atLineStart = {!style.colours()};
    GenerationLoop.Listener listener = new GenerationLoop.Listener() {
      @Override
      public void token(GenerationLoop.Token t) {
        if (probs) {
          out.println((atLineStart[0] ? "" : "\n") + style.bold("[" + (t.index() + 1) + "]") + " "
              + TokenDisplay.quoted(tok, t.id()));
          ProbabilityView.render(t.probabilities(), probsTop, id -> TokenDisplay.quoted(tok, id), style, true,
              width()).forEach(out::println);
          atLineStart[0] = true;
        } else if (!t.printable().isEmpty()) {
          double p = t.probabilities().raw(t.id());
          out.print(colour ? style.byProbability(t.printable(), p) : t.printable());
          atLineStart[0] = t.printable().endsWith("\n");
        }
        out.flush();
      }

      @Override
      public void trailingText(String text) {
        if (!probs) out.print(text);
        atLineStart[0] = text.endsWith("\n");
      }
    };
    GenerationLoop.Result r = loop.generate(context, settings, nextDraw, listener, () -> cancelRequested);
    nextDraw += r.draws();
    context = r.context();
    if (probs) out.println(style.bold("text: ") + TextEscapes.quote(r.text()));
    else if (!atLineStart[0] || style.colours()) out.println();
    if (style.colours()) {
      List<String> summary = List.of("[" + Layout.count(r.newTokens().length, "token") + ",",
          String.format(Locale.ROOT, "%.0f tokens/s,", r.tokensPerSecond()),
          String.format(Locale.ROOT, "first after %.0f ms;", r.firstTokenNanos() / 1e6),
          "stopped: " + stopReason(r.reason()) + "]");
      for (String l : Layout.wrap(summary, width() - 1, "")) out.println(style.dim(l));
      if (colour || probs) legend();
    } else if (r.reason() == GenerationLoop.StopReason.CANCELLED) {
      out.println("(stopped: cancelled)");
    }
    for (String l : r.text().split("\n", -1)) transcript.add("# " + l);
  }

  /** Why a generation ended, in the summary line's words. */
  static String stopReason(GenerationLoop.StopReason reason) {
    return switch (reason) {
      case MAX_TOKENS -> "length";
      case END_OF_TEXT -> "end of text";
      case STOP_STRING -> "stop string";
      case CANCELLED -> "cancelled";
    };
  }

  /** The colour legend, once per session, after the first output coloured by probability (terminals only). */
  private void legend() {
    if (!style.colours() || legendShown) return;
    legendShown = true;
    out.println(style.dim("  ") + style.legend());
  }

  private int width() {
    return Math.max(40, width.getAsInt());
  }

  private void next(String text) {
    requireModel();
    int[] ctx = text.isEmpty() ? contextOrStart() : promptTokens(text);
    float[] logits = loop.model().nextLogits(ctx, ctx.length);
    TokenProbabilities tp = loop.sampler().distribution(logits, settings, ctx, ctx.length);
    table(tp);
  }

  private void step(String text) {
    requireModel();
    if (!text.isEmpty()) context = promptTokens(text);
    else context = contextOrStart();
    float[] logits = loop.model().nextLogits(context, context.length);
    TokenProbabilities tp = loop.sampler().sample(logits, settings, context, context.length, nextDraw++);
    context = append(context, tp.chosen());
    table(tp);
    showTail(tp.raw(tp.chosen()));
  }

  private void pick(int rank) {
    requireModel();
    if (context.length < 2) throw new IllegalArgumentException(":pick needs a token with context before it: :step first");
    int n = context.length - 1;
    float[] logits = loop.model().nextLogits(context, n);
    TokenProbabilities tp = loop.sampler().distribution(logits, settings, context, n);
    if (rank < 1 || rank > tp.vocabSize()) {
      throw new IllegalArgumentException(":pick needs a rank from 1 to " + tp.vocabSize() + ", got " + rank);
    }
    int id = tp.top(rank).get(rank - 1).id();
    tp = tp.withChosen(id);
    context[n] = id;
    table(tp);
    showTail(tp.raw(id));
  }

  private void back(int count) {
    requireModel();
    if (count < 1) throw new IllegalArgumentException(":back needs a positive count, got " + count);
    context = Arrays.copyOf(context, Math.max(0, context.length - count));
    if (context.length == 0) out.println("(context empty)");
    else showTail(Double.NaN);
  }

  /**
   * The tokens of an input line: the bytes it was typed or piped as ({@link LosslessText}), so a
   * non-UTF-8 byte is itself and not a replacement character.
   */
  private int[] encode(String text) {
    byte[] bytes = LosslessText.encode(text);
    return loaded.tokenizer().encodeBytes(bytes, 0, bytes.length);
  }

  /** As {@link GenerationLoop#promptTokens}, for an input line (see {@link #encode}). */
  private int[] promptTokens(String text) {
    int[] ids = encode(text);
    return ids.length > 0 ? ids : loop.promptTokens("");
  }

  private int[] contextOrStart() {
    return context.length > 0 ? context : loop.promptTokens("");
  }

  private static int[] concat(int[] a, int[] b) {
    int[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private static int[] append(int[] a, int id) {
    int[] b = Arrays.copyOf(a, a.length + 1);
    b[a.length] = id;
    return b;
  }

  private void table(TokenProbabilities tp) {
    Tokenizer tok = loaded.tokenizer();
    ProbabilityView.render(tp, probsTop, id -> TokenDisplay.quoted(tok, id), style, true, width()).forEach(out::println);
    legend();
  }

  /** The end of the context, its last token marked (coloured by {@code p} on a terminal, bracketed in plain text). */
  private void showTail(double p) {
    Tokenizer tok = loaded.tokenizer();
    int n = context.length;
    String before = tok.decode(Arrays.copyOf(context, n - 1));
    String last = TokenDisplay.escaped(tok.tokenBytes(context[n - 1]));
    if (before.length() > TAIL_CHARS) before = "…" + before.substring(before.length() - TAIL_CHARS);
    String marked = style.colours()
        ? style.bold(Double.isNaN(p) ? last : style.byProbability(last, p))
        : "[" + last + "]";
    out.println("  context (" + Layout.count(n, "token") + "): " + TextEscapes.escape(before) + marked);
  }

  // ---------------------------------------------------------------- inspection

  private void score(String text) {
    requireModel();
    if (text.isEmpty()) throw new IllegalArgumentException(":score needs TEXT, e.g. :score To be or not to be");
    Scorer.Result r = new Scorer(loaded.model(), loaded.tokenizer()).score(LosslessText.encode(text), 5, () -> cancelRequested);
    if (style.colours()) out.println("  " + ScoreView.colouredText(r, style));
    ScoreView.table(r, loaded.tokenizer(), style, width()).forEach(out::println);
    legend();
  }

  private InspectCommands inspect() {
    requireModel();
    if (inspect == null) {
      if (!(loaded.model() instanceof KvCacheModel g)) {
        throw new IllegalStateException("this model cannot be looked inside (it is not a jgpt transformer)");
      }
      inspect = new InspectCommands(new Inspector(g), loaded.tokenizer(), style, out, width);
    }
    return inspect;
  }

  private void tok(String text) {
    requireModel();
    if (text.isEmpty()) throw new IllegalArgumentException(":tok needs TEXT, e.g. :tok To be or not to be");
    Tokenizer tok = loaded.tokenizer();
    int[] ids = encode(text);
    StringBuilder line = new StringBuilder();
    long bytes = 0;
    for (int id : ids) {
      String item = id + " " + TokenDisplay.quoted(tok, id);
      if (!line.isEmpty() && line.length() + 2 + item.length() > width() - 4) {
        out.println("  " + line);
        line.setLength(0);
      }
      line.append(line.isEmpty() ? "" : "  ").append(item);
      bytes += tok.tokenBytes(id).length;
    }
    if (!line.isEmpty()) out.println("  " + line);
    out.println(String.format(Locale.ROOT, "  %s, %s, %.2f bytes per token", Layout.count(ids.length, "token"),
        Layout.count(bytes, "byte"), ids.length == 0 ? 0.0 : (double) bytes / ids.length));
  }

  private void show() {
    for (String s : settings.describe()) {
      Layout.wrap(Arrays.asList(s.split(" ")), width() - 1, "  ").forEach(out::println);
    }
    out.println("  probs       " + (probs ? "on, top " + probsTop : "off"));
    out.println("  draws       " + nextDraw + " so far");
    out.println("  model       " + (loaded == null ? "none (:load RUN)" : loaded.description()));
    if (loaded != null && context.length > 0) {
      String text = loaded.tokenizer().decode(context);
      if (text.length() > TAIL_CHARS) text = "…" + text.substring(text.length() - TAIL_CHARS);
      out.println("  context     " + Layout.count(context.length, "token") + ": " + TextEscapes.quote(text));
    } else {
      out.println("  context     empty");
    }
  }

  // ---------------------------------------------------------------- settings

  private void stop(String arg) {
    if (arg.isEmpty()) {
      out.println(settings.stopStrings().isEmpty() ? "  no stop strings (generation still ends at <|endoftext|>)"
          : "  stop at: " + String.join(", ", settings.stopStrings().stream().map(TextEscapes::quote).toList()));
      return;
    }
    if (arg.strip().equals("clear")) {
      settings = settings.withStopStrings(List.of());
      return;
    }
    List<String> stops = new ArrayList<>(settings.stopStrings());
    stops.add(TextEscapes.unescape(arg));
    settings = settings.withStopStrings(stops);
  }

  private void penalty(String arg) {
    String[] parts = arg.strip().split("\\s+");
    String kind = parts[0].toLowerCase(Locale.ROOT);
    if (kind.equals("off")) {
      settings = settings.withRepetitionPenalty(1).withPresencePenalty(0).withFrequencyPenalty(0);
      return;
    }
    if (parts.length != 2) {
      throw new IllegalArgumentException(":penalty needs KIND VALUE: repetition 1.1, presence 0.5, frequency 0.5, "
          + "window 64, or off");
    }
    String cmd = ":penalty " + kind;
    switch (kind) {
      case "repetition", "rep" -> settings = settings.withRepetitionPenalty(number(cmd, parts[1]));
      case "presence" -> settings = settings.withPresencePenalty(number(cmd, parts[1]));
      case "frequency", "freq" -> settings = settings.withFrequencyPenalty(number(cmd, parts[1]));
      case "window" -> settings = settings.withPenaltyLastN(integer(cmd, parts[1]));
      default -> throw new IllegalArgumentException("unknown penalty '" + parts[0]
          + "'; use repetition, presence, frequency, window or off");
    }
  }

  private void ban(String arg) {
    String[] words = arg.strip().split("\\s+");
    if (arg.isBlank()) {
      out.println(settings.bannedTokens().isEmpty() ? "  no banned tokens" : "  banned: " + tokenList(settings.bannedTokens()));
    } else if (words[0].equals("clear")) {
      settings = settings.withBannedTokens(Set.of());
    } else {
      Set<Integer> banned = new TreeSet<>(settings.bannedTokens());
      for (String word : words) banned.add(tokenId(":ban", word, vocabSizeOrMax()));
      settings = settings.withBannedTokens(banned);
    }
  }

  private void bias(String arg) {
    String[] words = arg.strip().split("\\s+");
    if (arg.isBlank()) {
      out.println(settings.logitBias().isEmpty() ? "  no logit bias" : "  logit bias: " + settings.logitBias());
    } else if (words[0].equals("clear")) {
      settings = settings.withLogitBias(Map.of());
    } else if (words.length != 2) {
      throw new IllegalArgumentException(":bias needs ID VALUE (e.g. :bias 10 -5), or clear");
    } else {
      Map<Integer, Float> bias = new TreeMap<>(settings.logitBias());
      bias.put(tokenId(":bias", words[0], vocabSizeOrMax()), (float) number(":bias", words[1]));
      settings = settings.withLogitBias(bias);
    }
  }

  /** The loaded model's vocabulary size (ids are checked against it), or no limit without a model. */
  private int vocabSizeOrMax() {
    return loaded == null ? Integer.MAX_VALUE : loaded.model().vocabSize();
  }

  private String tokenList(Set<Integer> ids) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      sb.append(sb.isEmpty() ? "" : ", ").append(id);
      if (loaded != null) sb.append(' ').append(TokenDisplay.quoted(loaded.tokenizer(), id));
    }
    return sb.toString();
  }

  private void probs(String arg) {
    String[] parts = arg.strip().split("\\s+");
    boolean on = onOff(":probs", parts[0]);
    int rows = parts.length > 1 ? integer(":probs", parts[1]) : probsTop;
    if (rows < 1) throw new IllegalArgumentException(":probs needs a positive number of rows, got " + rows);
    probs = on; // both read before either changes: a bad line leaves the setting as it was
    probsTop = rows;
  }

  // ---------------------------------------------------------------- models and files

  private void load(String run) throws IOException {
    install(loader.load(run));
  }

  private void install(LoadedModel next) {
    GenerationLoop nextLoop;
    try {
      nextLoop = new GenerationLoop(next.model(), next.tokenizer());
    } catch (RuntimeException e) {
      next.close();
      throw e;
    }
    closeInspect();
    if (loaded != null) loaded.close();
    loaded = next;
    loop = nextLoop;
    context = new int[0];
  }

  /**
   * Writes a script that replays the session: the model, the settings at the start, then every
   * input line. Run folders are written as absolute paths, so the script replays from any folder;
   * the file's folder must exist (a typo is an error, not a new folder).
   */
  private void save(Path file) throws IOException {
    Path folder = file.toAbsolutePath().getParent();
    if (folder != null && !Files.isDirectory(folder)) {
      throw new IllegalArgumentException(":save: no folder " + folder + " (create it first, or save elsewhere)");
    }
    StringBuilder sb = new StringBuilder();
    sb.append("# jgpt repl session saved ")
        .append(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")))
        .append("; replay it with: jgpt repl < ").append(file.getFileName()).append('\n');
    if (initialModel != null) sb.append(":load ").append(absoluteRun(initialModel)).append('\n');
    for (String s : settingsCommands(initialSettings)) sb.append(s).append('\n');
    for (String s : transcript) sb.append(s).append('\n');
    byte[] script = LosslessText.encode(sb.toString()); // the bytes that were typed, so a replay scores the same
    CheckpointFiles.write(file, o -> o.write(script));
    out.println("saved " + Layout.count(transcript.size(), "line") + " to " + file);
  }

  /** A run folder as an absolute path when it exists here; anything else as typed. */
  private static String absoluteRun(String run) {
    try {
      Path p = Path.of(run);
      return Files.isDirectory(p) ? p.toAbsolutePath().normalize().toString() : run;
    } catch (java.nio.file.InvalidPathException e) {
      return run;
    }
  }

  private static List<String> settingsCommands(SamplerSettings s) {
    List<String> c = new ArrayList<>(List.of(
        ":temp " + s.temperature(), ":topk " + s.topK(), ":topp " + s.topP(), ":minp " + s.minP(),
        ":penalty repetition " + s.repetitionPenalty(), ":penalty presence " + s.presencePenalty(),
        ":penalty frequency " + s.frequencyPenalty(), ":penalty window " + s.penaltyLastN(),
        ":max " + s.maxNewTokens(), ":stop clear", ":ban clear", ":bias clear"));
    for (String stop : s.stopStrings()) c.add(":stop " + TextEscapes.escape(stop));
    for (int id : s.bannedTokens()) c.add(":ban " + id);
    s.logitBias().forEach((id, bias) -> c.add(":bias " + id + " " + bias));
    c.add(":seed " + s.seed()); // last: it restarts the draws
    return c;
  }

  /** An input as a script line: multi-line input continues with a trailing backslash, as typed. */
  private static String scriptLine(String input) {
    return input.replace("\n", "\\\n");
  }

  private void closeInspect() {
    if (inspect != null) inspect.close();
    inspect = null;
  }

  private void requireModel() {
    if (loaded == null) {
      throw new IllegalStateException("no model loaded: :load RUN, or train one with 'jgpt train'");
    }
  }

  @Override
  public void close() {
    awaitWarmUp();
    closeInspect();
    if (loaded != null) loaded.close();
    loaded = null;
  }
}

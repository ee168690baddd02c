package dev.jgpt.cli.repl;

import dev.jgpt.tokenizer.TokenText;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.GenerationLoop;
import dev.jgpt.transformer.KvCacheModel;
import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.MemoryCheck;
import dev.jgpt.transformer.SamplerSettings;
import dev.jgpt.transformer.Scorer;
import dev.jgpt.transformer.TokenProbabilities;
import dev.jgpt.transformer.inspect.Inspector;
import dev.jgpt.transformer.interop.LoadedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * The REPL's state and what its commands do, independent of how lines arrive (a JLine terminal
 * or a pipe): {@link #handle} takes one input line, finds its command in {@link ReplCommands} and
 * runs it. Errors become one line and the session goes on.
 *
 * <p>State: the loaded model and the context: the tokens that text input, generation,
 * {@code :step}, {@code :pick} and {@code :back} build up. The settings live in {@link
 * ReplSettings}, the output in {@link ReplPrinter}, the script {@code :save} writes in {@link
 * Transcript}.
 */
public final class ReplSession implements AutoCloseable {
  /** Opens a run folder by the name the user typed. */
  @FunctionalInterface
  public interface ModelLoader {
    LoadedModel load(String run) throws IOException;
  }

  private final ModelLoader loader;
  private final ReplPrinter print;
  private final ReplSettings settings;
  private final Transcript transcript = new Transcript();

  private LoadedModel loaded;
  private GenerationLoop loop;
  private int[] context = new int[0];
  private InspectCommands inspect; // :attn, :lens, :similar; made on first use
  private final WarmUp warmUp = new WarmUp(); // while the first line is typed
  private volatile boolean cancelRequested;
  private int errors;
  private boolean quit;

  public ReplSession(ModelLoader loader, PrintWriter out, Style style, SamplerSettings settings) {
    this.loader = loader;
    this.print = new ReplPrinter(out, style);
    this.settings = new ReplSettings(settings);
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
    return print.style();
  }

  /** Where the session learns the terminal's width (views such as :attn fit it); 80 columns without. */
  public void setWidth(IntSupplier columns) {
    print.setColumns(columns);
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
      install(open(initialLoader, run));
      transcript.startedWith(run);
    } catch (Exception e) {
      error(e);
    }
  }

  /**
   * Warms the model up on a background thread for up to {@code budgetNanos}; the next command
   * waits for it. A terminal session does this while its user types the first line.
   */
  public void warmUpInBackground(long budgetNanos) {
    if (loaded != null) warmUp.start(loaded.model(), loop, budgetNanos);
  }

  /** Prints an error as one line and counts it. */
  public void error(Exception e) {
    errors++;
    print.error(e);
  }

  /** Handles one input line (a command, a comment, text to continue, or empty to continue the context). */
  public void handle(String line) {
    warmUp.await();
    cancelRequested = false;
    try {
      dispatch(line);
    } catch (Exception e) {
      error(e);
    } catch (OutOfMemoryError e) {
      error(new IllegalStateException(MemoryCheck.outOfMemory(e, HeapBudget.current())));
    }
    print.flush();
  }

  private void dispatch(String line) throws IOException {
    if (line.startsWith("#")) return; // a comment (saved sessions carry their outputs as comments)
    if (!line.startsWith(":")) {
      transcript.input(line);
      if (line.isEmpty()) continueContext();
      else generateAfter(line);
      return;
    }
    int space = line.indexOf(' ');
    String name = space < 0 ? line : line.substring(0, space);
    String arg = space < 0 ? "" : line.substring(space + 1);
    ReplCommands.Command command = ReplCommands.find(name).orElseThrow(() -> new IllegalArgumentException(
        "unknown command " + name.toLowerCase(java.util.Locale.ROOT) + "; type :help for the list"));
    transcript.command(command, line, arg);
    command.handler().run(this, arg);
  }

  // ---------------------------------------------------------------- what the table's handlers reach

  ReplSettings settings() {
    return settings;
  }

  PrintWriter out() {
    return print.out();
  }

  /** The loaded model's tokenizer, or null without a model. */
  Tokenizer tokenizerOrNull() {
    return loaded == null ? null : loaded.tokenizer();
  }

  /** The loaded model's vocabulary size (ids are checked against it), or no limit without a model. */
  int vocabSizeOrMax() {
    return loaded == null ? Integer.MAX_VALUE : loaded.model().vocabSize();
  }

  void help(String arg) {
    print.lines(ReplCommands.help(print.style(), print.width()));
  }

  void quit() {
    quit = true;
  }

  void reset() {
    context = new int[0];
  }

  // ---------------------------------------------------------------- generation

  void generateAfter(String text) {
    requireModel();
    context = promptTokens(text);
    if (print.style().colours()) out().print(print.style().dim(text));
    generate();
  }

  /** {@code :add TEXT}: TEXT's tokens appended to the context, nothing generated; the next generation goes on from them. */
  void add(String text) {
    requireModel();
    context = context.length == 0 ? promptTokens(text) : concat(context, encode(text));
    print.contextTail(context, loaded.tokenizer(), Double.NaN);
  }

  private void continueContext() {
    requireModel();
    if (context.length == 0) context = loop.promptTokens("");
    generate();
  }

  private void generate() {
    ReplPrinter.Generation shown = print.generation(loaded.tokenizer(), settings);
    GenerationLoop.Result r = loop.generate(context, settings.sampler(), settings.nextDraw(), shown,
        () -> cancelRequested);
    settings.drew(r.draws());
    context = r.context();
    shown.finish(r);
    transcript.output(r.text());
  }

  void next(String text) {
    requireModel();
    int[] ctx = text.isEmpty() ? contextOrStart() : promptTokens(text);
    float[] logits = loop.model().nextLogits(ctx, ctx.length);
    print.table(loop.sampler().distribution(logits, settings.sampler(), ctx, ctx.length), loaded.tokenizer(),
        settings.probsTop());
  }

  void step(String text) {
    requireModel();
    if (!text.isEmpty()) context = promptTokens(text);
    else context = contextOrStart();
    float[] logits = loop.model().nextLogits(context, context.length);
    TokenProbabilities tp = loop.sampler().sample(logits, settings.sampler(), context, context.length,
        settings.takeDraw());
    context = append(context, tp.chosen());
    print.table(tp, loaded.tokenizer(), settings.probsTop());
    print.contextTail(context, loaded.tokenizer(), tp.raw(tp.chosen()));
  }

  void pick(int rank) {
    requireModel();
    if (context.length < 2) throw new IllegalArgumentException(":pick needs a token with context before it: :step first");
    int n = context.length - 1;
    float[] logits = loop.model().nextLogits(context, n);
    TokenProbabilities tp = loop.sampler().distribution(logits, settings.sampler(), context, n);
    if (rank < 1 || rank > tp.vocabSize()) {
      throw new IllegalArgumentException(":pick needs a rank from 1 to " + tp.vocabSize() + ", got " + rank);
    }
    int id = tp.top(rank).get(rank - 1).id();
    tp = tp.withChosen(id);
    context[n] = id;
    print.table(tp, loaded.tokenizer(), settings.probsTop());
    print.contextTail(context, loaded.tokenizer(), tp.raw(id));
  }

  void back(int count) {
    requireModel();
    if (count < 1) throw new IllegalArgumentException(":back needs a positive count, got " + count);
    context = Arrays.copyOf(context, Math.max(0, context.length - count));
    if (context.length == 0) print.println("(context empty)");
    else print.contextTail(context, loaded.tokenizer(), Double.NaN);
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

  // ---------------------------------------------------------------- inspection

  void score(String text) {
    requireModel();
    if (text.isEmpty()) throw new IllegalArgumentException(":score needs TEXT, e.g. :score To be or not to be");
    Scorer.Result r = new Scorer(loaded.model(), loaded.tokenizer()).score(LosslessText.encode(text), 5,
        () -> cancelRequested);
    print.score(r, loaded.tokenizer());
  }

  void tok(String text) {
    requireModel();
    if (text.isEmpty()) throw new IllegalArgumentException(":tok needs TEXT, e.g. :tok To be or not to be");
    print.tokens(encode(text), loaded.tokenizer());
  }

  void attn(String arg) {
    inspect().attn(arg, contextOrStart());
  }

  void lens(String text) {
    inspect().lens(text.isEmpty() ? contextOrStart() : promptTokens(text));
    print.legend();
  }

  void similar(String token) {
    inspect().similar(token, encode(TokenText.unescape(token)));
  }

  private InspectCommands inspect() {
    requireModel();
    if (inspect == null) {
      if (!(loaded.model() instanceof KvCacheModel g)) {
        throw new IllegalStateException("this model cannot be looked inside (it is not a jgpt transformer)");
      }
      inspect = new InspectCommands(new Inspector(g), loaded.tokenizer(), print.style(), print.out(), print.columns());
    }
    return inspect;
  }

  void show(String arg) {
    print.lines(settings.describe(print.width()));
    print.println("  model       " + (loaded == null ? "none (:load RUN)" : loaded.description()));
    print.contextSummary(context, tokenizerOrNull());
  }

  // ---------------------------------------------------------------- models and files

  void load(String run) throws IOException {
    install(open(loader, run));
    print.println("loaded " + loaded.description());
  }

  // the run opened by the loader; a model too large for the heap is refused naming the run (a
  // session may :load several)
  private static LoadedModel open(ModelLoader loader, String run) throws IOException {
    try {
      return loader.load(run);
    } catch (MemoryCheck.DoesNotFit e) {
      throw new IllegalStateException(run + ": " + e.getMessage(), e);
    }
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

  /** {@code :save FILE}: the session as a script that replays it. */
  void save(String arg) throws IOException {
    Path file = Path.of(ReplArguments.required(":save", arg, "FILE").strip());
    int lines = transcript.save(file, settings.initialCommands());
    print.println("saved " + Layout.count(lines, "line") + " to " + file);
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
    warmUp.await();
    closeInspect();
    if (loaded != null) loaded.close();
    loaded = null;
  }
}

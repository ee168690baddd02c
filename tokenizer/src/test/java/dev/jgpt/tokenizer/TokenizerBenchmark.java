package dev.jgpt.tokenizer;

import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Tokenizer numbers on a real corpus, jgpt and JTokkit side by side, one thread, median of
 * several timed runs after warm-up. Not a test (timings do not belong in tests); run it as
 * described in docs/bench.md (section "Tokenizer"):
 *
 * <pre>
 * mvn -q -pl tokenizer test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -cp tokenizer/target/test-classes:tokenizer/target/classes:$(cat tokenizer/target/bench.cp) \
 *   dev.jgpt.tokenizer.TokenizerBenchmark [corpus.txt] [runs]
 * </pre>
 *
 * Encoding is timed with a freshly loaded tokenizer each run (the piece cache starts empty, as
 * for a text never seen) and, in brackets, again with a warm cache. jgpt and JTokkit runs
 * alternate, so both see the same load from other processes.
 */
public final class TokenizerBenchmark {
  private TokenizerBenchmark() {}

  private static int runs = 7;
  private static final int WARMUP = 3;

  public static void main(String[] args) throws IOException {
    Path corpus = Path.of(args.length > 0 ? args[0] : "../shared/corpus/tinyshakespeare.txt");
    if (args.length > 1) runs = Integer.parseInt(args[1]);
    String text = Files.readString(corpus);
    double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
    System.out.printf(Locale.ROOT, "corpus %s: %.2f MB; median of %d runs after %d warm-up runs; 1 thread; %s%n", corpus, mb, runs,
        WARMUP, Runtime.version());

    for (int vocab : new int[] {4096, 8192}) {
      double ms = medianMs(() -> BpeTrainer.train(text, vocab, "gpt2", List.of(Tokenizer.END_OF_TEXT), 2, null));
      System.out.printf(Locale.ROOT, "train to %d (gpt2 pattern, min frequency 2): %.0f ms%n", vocab, ms);
    }

    Path dir = Files.createTempDirectory("jgpt-bench");
    try {
      for (EncodingType type : new EncodingType[] {EncodingType.R50K_BASE, EncodingType.CL100K_BASE}) {
        compareEncoding(type, text, mb, dir);
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) Files.delete(p);
      }
      Files.delete(dir);
    }
  }

  private static void compareEncoding(EncodingType type, String text, double mb, Path dir) throws IOException {
    String name = type.getName();
    String pattern = type == EncodingType.CL100K_BASE ? "cl100k" : "gpt2";
    Path rankFile = dir.resolve(name + ".tiktoken");
    Files.writeString(rankFile, Fixtures.rankFile(name));
    Encoding jtokkit = Fixtures.jtokkit(type);
    Tokenizer warm = Tokenizer.load(rankFile, pattern);
    int[] ids = warm.encode(text);
    if (!Arrays.equals(ids, jtokkit.encodeOrdinary(text).toArray())) throw new IllegalStateException(name + ": ids differ from JTokkit");

    System.out.printf(Locale.ROOT, "%s (%,d tokens, %.2f bytes/token):%n", name, ids.length, mb * 1e6 / ids.length);
    double load = medianMs(() -> load(rankFile, pattern));
    System.out.printf(Locale.ROOT, "  load rank file     jgpt %7.0f ms%n", load);
    // jgpt and JTokkit runs alternate, so both see the same machine (other processes included).
    Tokenizer[] fresh = new Tokenizer[1];
    double[] encode = medianPair(() -> fresh[0] = load(rankFile, pattern), () -> fresh[0].encode(text),
        () -> jtokkit.encodeOrdinary(text));
    double hot = medianMs(() -> warm.encode(text));
    System.out.printf(Locale.ROOT, "  encode             jgpt %7.1f MB/s (warm cache %.1f MB/s) | JTokkit %5.1f MB/s | %.2fx%n",
        mb / encode[0] * 1e3, mb / hot * 1e3, mb / encode[1] * 1e3, encode[1] / encode[0]);
    IntArrayList list = new IntArrayList(ids.length);
    for (int id : ids) list.add(id);
    double[] decode = medianPair(() -> null, () -> warm.decode(ids), () -> jtokkit.decode(list));
    double decodeBytes = medianMs(() -> warm.decodeBytes(ids));
    System.out.printf(Locale.ROOT, "  decode to String   jgpt %7.1f MB/s (to bytes %.1f MB/s) | JTokkit %5.1f MB/s | %.2fx%n",
        mb / decode[0] * 1e3, mb / decodeBytes * 1e3, mb / decode[1] * 1e3, decode[1] / decode[0]);
    String as = "a".repeat(100_000);
    double[] a = medianPair(() -> fresh[0] = load(rankFile, pattern), () -> fresh[0].encode(as), () -> jtokkit.encodeOrdinary(as));
    System.out.printf(Locale.ROOT, "  100,000 'a'        jgpt %7.1f ms   | JTokkit %5.1f ms%n", a[0], a[1]);
  }

  private static Tokenizer load(Path file, String pattern) {
    try {
      return Tokenizer.load(file, pattern);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static double medianMs(Supplier<?> work) {
    return medianMs(() -> null, work);
  }

  /** Medians of {@code ours} (after an untimed {@code setup}) and {@code theirs}, run alternately. */
  private static double[] medianPair(Supplier<?> setup, Supplier<?> ours, Supplier<?> theirs) {
    double[] a = new double[runs];
    double[] b = new double[runs];
    for (int i = -WARMUP; i < runs; i++) {
      double x = timeMs(setup, ours);
      double y = timeMs(() -> null, theirs);
      if (i >= 0) {
        a[i] = x;
        b[i] = y;
      }
    }
    Arrays.sort(a);
    Arrays.sort(b);
    return new double[] {a[runs / 2], b[runs / 2]};
  }

  private static double timeMs(Supplier<?> setup, Supplier<?> work) {
    setup.get();
    System.gc();
    long t0 = System.nanoTime();
    Object result = work.get();
    long t1 = System.nanoTime();
    if (result == null) throw new AssertionError("no result");
    return (t1 - t0) / 1e6;
  }

  /** Median wall time of {@code work}, each run preceded by an untimed {@code setup}. */
  private static double medianMs(Supplier<?> setup, Supplier<?> work) {
    double[] ms = new double[runs];
    for (int i = -WARMUP; i < runs; i++) {
      double t = timeMs(setup, work);
      if (i >= 0) ms[i] = t;
    }
    Arrays.sort(ms);
    return ms[runs / 2];
  }
}

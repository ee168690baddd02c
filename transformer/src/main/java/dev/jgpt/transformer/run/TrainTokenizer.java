package dev.jgpt.transformer.run;

import dev.jgpt.corpus.CorpusSource;
import dev.jgpt.tokenizer.BpeTrainer;
import dev.jgpt.tokenizer.ChunkCounts;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.TrainConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The tokenizer of a fresh training run. With no --tokenizer and vocab_size above 256 it is made
 * here: GPT-2's split pattern, merges learned on (the first {@link #MAX_BYTES} of) the corpus,
 * and {@code <|endoftext|>} (which separates documents) as the last id.
 */
public final class TrainTokenizer {
  private TrainTokenizer() {}

  /** Enough text to learn the frequent merges; more mostly costs time. */
  public static final long MAX_BYTES = 32L << 20;

  /** --tokenizer FILE, bytes only for vocab_size 256, else a BPE tokenizer trained on the corpus. */
  public static Tokenizer choose(TrainConfig config, CorpusSource source, Consumer<String> out, StopSignal stop)
      throws IOException {
    if (!config.tokenizer().isEmpty()) return Tokenizer.load(Path.of(config.tokenizer()));
    if (config.vocabSize() == 256) return Tokenizer.bytesOnly();
    out.accept("training a BPE tokenizer with " + config.vocabSize() + " tokens on " + source.name() + "...");
    return train(source, config.vocabSize(), out, stop);
  }

  /** {@code stop} (Ctrl-C) stops it between documents or merges; it writes no file, so nothing is left behind. */
  public static Tokenizer train(CorpusSource source, int vocabSize, Consumer<String> out, StopSignal stop)
      throws IOException {
    long t0 = System.nanoTime();
    List<String> specials = List.of(Tokenizer.END_OF_TEXT);
    ChunkCounts counts = new ChunkCounts("gpt2", specials);
    long[] seen = {0};
    source.forEachDocument((doc, bytes) -> {
      stop.throwIfStopped("reading " + source.name() + " to train the tokenizer");
      if (seen[0] >= MAX_BYTES) return;
      int n = (int) Math.min(bytes.length, MAX_BYTES - seen[0]);
      counts.add(bytes, 0, n);
      seen[0] += n;
    });
    BpeTrainer.Result r = BpeTrainer.train(counts, vocabSize, specials, 2,
        (done, total) -> stop.throwIfStopped("training the tokenizer"));
    out.accept(String.format(Locale.ROOT, "tokenizer: %d merges learned on %.1f MB in %.1f s, %.2f bytes per token",
        r.merges(), r.corpusBytes() / 1e6, (System.nanoTime() - t0) / 1e9, r.bytesPerToken()));
    return r.tokenizer();
  }
}

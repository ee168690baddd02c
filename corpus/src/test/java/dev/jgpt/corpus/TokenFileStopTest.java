package dev.jgpt.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A token file build asked to stop (Ctrl-C) ends at the next chunk and leaves no file, whole or partial. */
class TokenFileStopTest {
  @TempDir Path tmp;

  @Test
  void aStoppedBuildLeavesNoFile() throws IOException {
    Path text = tmp.resolve("corpus.txt");
    Files.writeString(text, "a line of text to tokenize.\n".repeat(40_000)); // about 1.1 MB: several chunks
    CorpusSource source = CorpusSource.resolve(text.toString(), CorpusOptions.defaults());
    Path file = tmp.resolve("tokens").resolve("corpus.tok");
    AtomicInteger checks = new AtomicInteger();
    InterruptedIOException e = assertThrows(InterruptedIOException.class, () -> TokenFile.prepare(source,
        Tokenizer.bytesOnly(), file, 2, BuildProgress.NONE, () -> checks.incrementAndGet() >= 3));
    assertEquals("tokenizing " + text + " was stopped; the partial token file was removed", e.getMessage());
    assertEquals(3, checks.get(), "stopped at the check that asked, after two chunks were encoded");
    try (Stream<Path> left = Files.list(file.getParent())) {
      assertEquals(List.of(), left.toList());
    }
    try (TokenFile whole = TokenFile.prepare(source, Tokenizer.bytesOnly(), file, 2, BuildProgress.NONE, () -> false)) {
      assertTrue(whole.built(), "the next run builds it from the start");
      assertEquals(Files.size(text), whole.size());
    }
  }
}

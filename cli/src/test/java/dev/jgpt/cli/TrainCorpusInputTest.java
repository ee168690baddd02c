package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.common.Json;
import dev.jgpt.transformer.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad corpus-related input to {@code jgpt train}, end to end: --include/--exclude, --folds larger
 * than the corpus allows, --out on a file, files that are not UTF-8. Each is one line on stderr
 * with the exit code docs/errors.md gives (2 for a flag or value, 1 for a file), found before anything is written.
 */
class TrainCorpusInputTest {
  @TempDir Path tmp;

  private CliRunner.Result train(String... flags) {
    List<String> args = new ArrayList<>(List.of("train", "--preset", "tiny", "--cache-dir", tmp.resolve("cache").toString(),
        "--threads", "1", "--max-iters", "2", "--eval-interval", "2", "--log-interval", "1", "--sample-tokens", "0"));
    args.addAll(List.of(flags));
    return CliRunner.run(args.toArray(String[]::new));
  }

  private static void assertOneLineError(CliRunner.Result r, int code, String expected) {
    assertEquals(code, r.exitCode(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r);
    assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r);
    assertFalse(r.err().contains("internal error") || r.err().contains("Exception"), r.toString());
  }

  private static long tokensOf(CliRunner.Result r) {
    Matcher m = Pattern.compile("corpus .*: ([\\d,]+) tokens").matcher(r.out());
    assertTrue(m.find(), r.toString());
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  private Path notesFolder() throws IOException {
    Path notes = tmp.resolve("notes");
    Files.createDirectories(notes.resolve("drafts"));
    Files.writeString(notes.resolve("a.md"), "markdown notes, kept. ".repeat(40)); // 880 bytes
    Files.writeString(notes.resolve("drafts/b.md"), "a draft, left out. ".repeat(40));
    Files.writeString(notes.resolve("c.txt"), "plain text, left out. ".repeat(40));
    return notes;
  }

  @Test
  void includeAndExcludeChooseTheFilesOfAFolderAndAreSavedWithTheRun() throws IOException {
    Path notes = notesFolder();
    Path run = tmp.resolve("run");
    CliRunner.Result r = train("--corpus", notes.toString(), "--include", "*.md", "--exclude", "drafts/**",
        "--out", run.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(Files.size(notes.resolve("a.md")), tokensOf(r), "bytes-only tokenizer: a.md alone, one token a byte");
    Map<String, Object> config = Json.parseObject(Files.readString(run.resolve(Checkpoint.CONFIG)));
    assertEquals(List.of("*.md"), config.get("include"), "--resume must read the same files");
    assertEquals(List.of("drafts/**"), config.get("exclude"));

    CliRunner.Result all = train("--corpus", notes.toString(), "--out", tmp.resolve("run-all").toString());
    assertEquals(0, all.exitCode(), all.toString());
    assertFalse(all.out().contains("(cached)"), "other globs, other token file: " + all.out());
    assertTrue(tokensOf(all) > tokensOf(r), all.out());
  }

  @Test
  void aGlobThatDoesNotParseIsAUsageError() throws IOException {
    CliRunner.Result r = train("--corpus", notesFolder().toString(), "--include", "[md", "--out", tmp.resolve("run").toString());
    assertOneLineError(r, 2, "bad glob '[md'");
    assertFalse(Files.exists(tmp.resolve("cache")), "nothing tokenized");
  }

  @Test
  void globsOnASingleFileCorpusAreAUsageError() throws IOException {
    Path file = tmp.resolve("book.txt");
    Files.writeString(file, "one document. ".repeat(100));
    CliRunner.Result r = train("--corpus", file.toString(), "--exclude", "*.md", "--out", tmp.resolve("run").toString());
    assertOneLineError(r, 2, "is a single file; leave them out");
  }

  @Test
  void tooManyFoldsAreRejectedBeforeTokenizingNamingTheLargestCount() throws IOException {
    Path book = tmp.resolve("book.txt");
    Files.writeString(book, "x".repeat(1000));
    Path run = tmp.resolve("run");
    CliRunner.Result r = train("--corpus", book.toString(), "--folds", "100000", "--out", run.toString());
    // tiny: block_size 16, so a fold needs 17 tokens; 1000 bytes make at most 1000 tokens: 58 folds
    assertOneLineError(r, 2, "use --folds 58 or fewer");
    assertFalse(Files.exists(run), "no fold folder written");
    assertFalse(Files.exists(tmp.resolve("cache").resolve("tokens")), "not even tokenized");
  }

  @Test
  void tooManyFoldsForTheTokensAreRejectedBeforeAFoldFolderIsWritten() throws IOException {
    Path book = tmp.resolve("book.txt");
    String text = "the cat sat on the mat and the dog sat on the log. ".repeat(40);
    Files.writeString(book, text);
    Path tokenizerFile = tmp.resolve("tok.json");
    Tokenizer tok = dev.jgpt.tokenizer.BpeTrainer.train(text, 270, "gpt2", List.of(Tokenizer.END_OF_TEXT), 2, null);
    tok.save(tokenizerFile);
    long tokens = tok.encode(text).length;
    long exact = tokens / 17;
    long byBytes = text.length() / 17;
    assertTrue(exact + 1 <= byBytes, "the test needs a K the bytes allow and the tokens do not");
    Path run = tmp.resolve("run");
    CliRunner.Result r = train("--corpus", book.toString(), "--tokenizer", tokenizerFile.toString(), "--folds",
        Long.toString(exact + 1), "--out", run.toString());
    assertOneLineError(r, 2, "use --folds " + exact + " or fewer");
    assertFalse(Files.exists(run.resolve("fold-0")), "no fold folder written");
  }

  @Test
  void outOnAFileIsAUsageErrorFoundBeforeTokenizing() throws IOException {
    Path book = tmp.resolve("book.txt");
    Files.writeString(book, "some text to train on. ".repeat(100));
    Path file = tmp.resolve("taken.txt");
    Files.writeString(file, "not a run folder");
    CliRunner.Result r = train("--corpus", book.toString(), "--out", file.toString());
    assertOneLineError(r, 2, "--out " + file + " is a file; give a folder");
    assertFalse(Files.exists(tmp.resolve("cache")), "failed fast, before tokenizing");
    assertEquals("not a run folder", Files.readString(file));
  }

  @Test
  void aConfigFileThatIsNotUtf8IsNamed() throws IOException {
    Path config = tmp.resolve("settings.json");
    Files.write(config, new byte[] {'{', '"', 's', 'e', 'e', 'd', '"', ':', ' ', '1', ',', ' ', '"', (byte) 0xE9, '"', '}'});
    CliRunner.Result r = train("--config", config.toString(), "--out", tmp.resolve("run").toString());
    assertOneLineError(r, 1, config + " is not valid UTF-8 text (byte 0xE9 at offset 13)");
  }

  @Test
  void runFilesThatAreNotUtf8AreNamedOnResume() throws IOException {
    Path book = tmp.resolve("book.txt");
    Files.writeString(book, "some text to train on. ".repeat(100));
    Path run = tmp.resolve("run");
    assertEquals(0, train("--corpus", book.toString(), "--out", run.toString()).exitCode());
    for (String name : List.of(Checkpoint.CONFIG, Checkpoint.STATE)) {
      Path f = run.resolve(name);
      byte[] saved = Files.readAllBytes(f);
      byte[] damaged = saved.clone();
      damaged[5] = (byte) 0xFF;
      Files.write(f, damaged);
      CliRunner.Result r = CliRunner.run("train", "--resume", run.toString(), "--max-iters", "3", "--cache-dir",
          tmp.resolve("cache").toString());
      assertOneLineError(r, 1, f + " is not valid UTF-8 text");
      Files.write(f, saved);
    }
  }
}

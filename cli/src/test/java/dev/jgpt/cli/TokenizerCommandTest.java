package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: jgpt tokenizer train | encode | decode | inspect, through Main.run. */
class TokenizerCommandTest {
  @TempDir Path dir;
  Path corpus;

  private static final String[] WORDS = ("the king and queen of england said that thou art a villain and "
      + "my lord shall not go to rome tonight for all the world is a stage").split(" ");

  @BeforeEach
  void writeCorpus() throws IOException {
    Random rnd = new Random(1);
    StringBuilder sb = new StringBuilder();
    while (sb.length() < 60_000) {
      for (int w = 0; w < 8; w++) sb.append(w == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
      sb.append(rnd.nextInt(4) == 0 ? ".\n\n" : ",\n");
    }
    corpus = dir.resolve("corpus.txt");
    Files.writeString(corpus, sb);
  }

  private Path train(int vocab) {
    Path out = dir.resolve("tok-" + vocab + ".json");
    CliRunner.Result r = CliRunner.run("tokenizer", "train", "--corpus", corpus.toString(), "--vocab-size", "" + vocab,
        "--out", out.toString());
    assertEquals(0, r.exitCode(), r.toString());
    return out;
  }

  private static void assertOneLineError(CliRunner.Result r, int exit, String fragment) {
    assertEquals(exit, r.exitCode(), r.toString());
    assertEquals("", r.out(), r.toString());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "one line: " + err);
    assertTrue(err.contains(fragment), fragment + " in: " + err);
  }

  @Test
  void trainWritesATokenizerAndSummarises() throws IOException {
    Path out = dir.resolve("tokenizer.json");
    CliRunner.Result r = CliRunner.run("tokenizer", "train", "--corpus", corpus.toString(), "--vocab-size", "300",
        "--out", out.toString(), "--pattern", "cl100k", "--special", "<|endoftext|>", "<|pad|>");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().matches("trained 42 merges \\(vocab 300\\) on .*corpus\\.txt \\(60,\\d+ bytes, \\d+ distinct chunks\\) "
        + "in \\d+\\.\\d\\d s: \\d\\.\\d\\d bytes/token; wrote .*tokenizer\\.json\\n"), r.out());
    assertEquals("", r.err(), "no progress bar when not on a terminal");
    Tokenizer t = Tokenizer.load(out);
    assertEquals(300, t.vocabSize());
    assertEquals("cl100k", t.pattern());
    assertEquals(299, t.specialId("<|pad|>"));
  }

  @Test
  void encodeThenDecodeGivesTheTextBack() {
    Path tok = train(340);
    String text = "the king said: thou art a villain \u00e9t\u00e9 \ud83d\ude00\n";
    CliRunner.Result enc = CliRunner.run("tokenizer", "encode", "--tokenizer", tok.toString(), "--text", text);
    assertEquals(0, enc.exitCode(), enc.toString());
    String ids = enc.out().strip();
    assertTrue(ids.matches("\\d+( \\d+)*"), ids);
    CliRunner.Result dec = CliRunner.runWithInput(ids + "\n", "tokenizer", "decode", "--tokenizer", tok.toString());
    assertEquals(0, dec.exitCode(), dec.toString());
    assertEquals(text, dec.out());
    CliRunner.Result stdin = CliRunner.runWithInput(text, "tokenizer", "encode", "--tokenizer", tok.toString());
    assertEquals(enc.out(), stdin.out());
    CliRunner.Result args = CliRunner.run(("tokenizer decode --tokenizer " + tok + " " + ids).split(" "));
    assertEquals(text, args.out());
  }

  @Test
  void encodeJsonLinesAddsIds() {
    Path tok = train(300);
    String in = "{\"text\": \"the king\", \"id\": 7}\n\n{\"text\": \"\"}\n";
    CliRunner.Result r = CliRunner.runWithInput(in, "tokenizer", "encode", "--tokenizer", tok.toString(), "--jsonl");
    assertEquals(0, r.exitCode(), r.toString());
    String[] lines = r.out().split("\n", -1);
    assertEquals(4, lines.length, r.out());
    assertTrue(lines[0].matches("\\{\"text\":\"the king\",\"id\":7,\"ids\":\\[\\d+(,\\d+)*\\]\\}"), lines[0]);
    assertEquals("", lines[1]);
    assertEquals("{\"text\":\"\",\"ids\":[]}", lines[2]);
    CliRunner.Result badSecond = CliRunner.runWithInput("{\"text\": \"a\"}\n{\"txt\": 1}\n", "tokenizer", "encode",
        "--tokenizer", tok.toString(), "--jsonl");
    assertEquals(1, badSecond.exitCode(), badSecond.toString());
    assertTrue(badSecond.err().contains("line 2: expected an object with a \"text\" string field"), badSecond.toString());
    assertTrue(badSecond.out().matches("\\{\"text\":\"a\",\"ids\":\\[\\d+\\]\\}\n"), "line 1 still written: " + badSecond);
    assertOneLineError(CliRunner.runWithInput("not json\n", "tokenizer", "encode", "--tokenizer", tok.toString(), "--jsonl"),
        1, "line 1: malformed JSON");
  }

  @Test
  void specialTokenModes() {
    Path tok = train(300);
    String eot = "299";
    CliRunner.Result allow = CliRunner.run("tokenizer", "encode", "-t", tok.toString(), "--text", "<|endoftext|>",
        "--special-tokens", "allow");
    assertEquals(eot, allow.out().strip());
    CliRunner.Result ordinary = CliRunner.run("tokenizer", "encode", "-t", tok.toString(), "--text", "<|endoftext|>");
    assertFalse(ordinary.out().strip().equals(eot));
    assertOneLineError(CliRunner.run("tokenizer", "encode", "-t", tok.toString(), "--text", "a<|endoftext|>",
        "--special-tokens", "disallow"), 1, "special token <|endoftext|>");
    CliRunner.Result bad = CliRunner.run("tokenizer", "encode", "-t", tok.toString(), "--text", "x", "--special-tokens", "maybe");
    assertEquals(2, bad.exitCode(), bad.toString());
    assertTrue(bad.err().contains("ORDINARY, DISALLOW, ALLOW"), bad.err());
  }

  @Test
  void readsTiktokenRankFilesWithTheirPattern() throws IOException {
    Path gpt2 = copyRankFile("r50k_base");
    CliRunner.Result r = CliRunner.run("tokenizer", "encode", "--tokenizer", gpt2.toString(), "--text", "Hello world");
    assertEquals("15496 995", r.out().strip(), r.toString()); // GPT-2's ids
    Path cl100k = copyRankFile("cl100k_base");
    r = CliRunner.run("tokenizer", "encode", "--tokenizer", cl100k.toString(), "--pattern", "cl100k", "--text", "hello world");
    assertEquals("15339 1917", r.out().strip(), r.toString());
    r = CliRunner.run("tokenizer", "decode", "--tokenizer", cl100k.toString(), "--pattern", "cl100k", "15339", "1917", "100257");
    assertEquals("hello world<|endoftext|>", r.out());
  }

  private Path copyRankFile(String name) throws IOException {
    Path file = dir.resolve(name + ".tiktoken");
    try (InputStream in = com.knuddels.jtokkit.Encodings.class.getResourceAsStream("/com/knuddels/jtokkit/" + name + ".tiktoken")) {
      Files.copy(in, file);
    }
    return file;
  }

  @Test
  void inspectShowsTheVocabularyAndHowATextSplits() {
    Path tok = train(300);
    CliRunner.Result r = CliRunner.run("tokenizer", "inspect", "--tokenizer", tok.toString(), "--text", "the king\n");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("vocab size: 300 (43 merges, 1 special)\npattern:    gpt2\nspecials:   <|endoftext|>=299\nhash:"), r.out());
    assertTrue(r.out().contains("text:       9 bytes, "), r.out());
    String pieces = r.out().lines().filter(l -> l.startsWith("pieces:     ")).findFirst().orElseThrow();
    assertEquals("the king\\n", pieces.substring(12).replace("|", ""), "pieces, with the newline escaped");
    assertTrue(r.out().contains("\n   10  \"\\n\"\n"), "id and token per line: " + r.out());
    CliRunner.Result summary = CliRunner.run("tokenizer", "inspect", "--tokenizer", tok.toString(), "--longest", "3");
    assertTrue(summary.out().contains("longest tokens:\n"), summary.out());
    assertEquals(8, summary.out().split("\n").length, summary.out());
  }

  @Test
  void inspectEscapesBytesThatAreNotText() {
    assertEquals("\"a\\n\\u0000\\xe2\\x82\\\"\u00e9\"", TokenizerInspectCommand.shown(new byte[] {'a', '\n', 0, (byte) 0xE2, (byte) 0x82, '"', (byte) 0xC3, (byte) 0xA9}));
  }

  @Test
  void badInputGivesOneLineErrors() throws IOException {
    Path out = dir.resolve("never.json");
    String o = out.toString();
    assertOneLineError(CliRunner.run("tokenizer", "train", "--corpus", dir.resolve("missing.txt").toString(),
        "--vocab-size", "300", "--out", o), 1, "missing.txt");
    Path empty = dir.resolve("empty.txt");
    Files.writeString(empty, "");
    assertOneLineError(CliRunner.run("tokenizer", "train", "--corpus", empty.toString(), "--vocab-size", "300", "--out", o),
        1, "is empty");
    assertOneLineError(CliRunner.run("tokenizer", "train", "--corpus", corpus.toString(), "--vocab-size", "100", "--out", o),
        2, "at least 256");
    assertOneLineError(CliRunner.run("tokenizer", "train", "--corpus", corpus.toString(), "--vocab-size", "100000", "--out", o),
        1, "larger than this corpus allows");
    assertOneLineError(CliRunner.run("tokenizer", "train", "--corpus", corpus.toString(), "--vocab-size", "300", "--out", o,
        "--pattern", "(unclosed"), 1, "invalid split pattern");
    assertFalse(Files.exists(out), "nothing written on failure");
    try (var files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
    assertOneLineError(CliRunner.run("tokenizer", "train", "--corpus", corpus.toString(), "--vocab-size", "x", "--out", o),
        2, "--vocab-size");
    assertOneLineError(CliRunner.run("tokenizer", "encode", "--tokenizer", dir.resolve("nope.json").toString(), "--text", "a"),
        1, "nope.json");
    assertOneLineError(CliRunner.run("tokenizer", "encode", "--tokenizer", corpus.toString(), "--text", "a"),
        1, "is not a tokenizer");
    Path tok = train(300);
    assertOneLineError(CliRunner.run("tokenizer", "decode", "--tokenizer", tok.toString(), "1", "300"), 1,
        "token id 300 is not in this tokenizer's vocabulary");
    assertOneLineError(CliRunner.run("tokenizer", "decode", "--tokenizer", tok.toString(), "1", "two"), 1,
        "'two' is not a token id");
    assertOneLineError(CliRunner.run("tokenizer", "encode", "--tokenizer", tok.toString(), "--bogus"), 2, "--bogus");
  }

  @Test
  void everySubcommandHasHelp() {
    for (String sub : new String[] {"train", "encode", "decode", "inspect"}) {
      CliRunner.Result r = CliRunner.run("tokenizer", sub, "--help");
      assertEquals(0, r.exitCode(), r.toString());
      assertTrue(r.out().contains("Usage: jgpt tokenizer " + sub), r.out());
    }
  }
}

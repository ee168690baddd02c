package dev.jgpt.cli;

import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --tokenizer} and {@code --pattern}, shared by encode, decode and inspect. */
final class TokenizerOptions {
  @Option(names = {"-t", "--tokenizer"}, required = true, paramLabel = "FILE",
      description = "A jgpt tokenizer file, a tiktoken .tiktoken rank file (with --pattern), or a folder with "
          + "GPT-2's vocab.json and merges.txt.")
  Path path;

  @Option(names = "--pattern", paramLabel = "PATTERN",
      description = "Split pattern: gpt2, cl100k, o200k or a regular expression. Default: the one the jgpt file names, "
          + "else gpt2.")
  String pattern;

  Tokenizer load() throws IOException {
    return Tokenizer.load(path, pattern);
  }
}

package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every bad flag or value, in every command, is a usage error: exit 2, one line on stderr that
 * starts with the command's name, nothing on stdout. The run, corpus and tokenizer named are
 * missing, so an invocation that slipped through would fail fast with exit 1.
 */
class BadFlagsTest {
  private static final String NO_RUN = "/no/such/run";
  private static final String NO_CORPUS = "/no/such/corpus.txt";

  /** Bad invocations, one per line: what they get wrong is in the arguments. */
  private static final List<String[]> BAD = List.of(
      args("--no-such-flag"),
      args("devices", "--bogus"),
      // train: unknown flag, missing value, not a number, out of range, not finite, bad names
      train("--no-such-flag"),
      train("--max-iters"),
      train("--max-iters", "abc"),
      train("--max-iters", "0"),
      train("--batch-size", "-3"),
      train("--dropout", "1.5"),
      train("--dropout", "NaN"),
      train("--learning-rate", "NaN"),
      train("--learning-rate", "-1"),
      train("--min-lr", "Infinity"),
      train("--weight-decay", "Infinity"),
      train("--weight-decay", "-0.1"),
      train("--beta1", "-Infinity"),
      train("--beta2", "1e999"),
      train("--grad-clip", "NaN"),
      train("--lr-schedule", "bogus"),
      train("--preset", "bogus"),
      train("--backend", "bogus"),
      train("--device", "-1"),
      train("--bias", "maybe"),
      train("--folds", "1"),
      train("--vocab-size", "12"),
      // generate: every sampling number, finite and in range
      generate("--temperature", "NaN"),
      generate("--temperature", "Infinity"),
      generate("--temperature", "-1"),
      generate("--top-p", "NaN"),
      generate("--top-p", "1.5"),
      generate("--min-p", "NaN"),
      generate("--repetition-penalty", "Infinity"),
      generate("--presence-penalty", "NaN"),
      generate("--frequency-penalty", "-Infinity"),
      generate("--logit-bias", "5=NaN"),
      generate("--logit-bias", "5=Infinity"),
      generate("--top-k", "abc"),
      generate("--max-new-tokens", "-1"),
      generate("--top-logprobs", "-1"),
      generate("--seed", "1.5"),
      generate("--backend", "bogus"),
      generate("--threads", "-1"),
      generate("--json", "--prompt"),
      args("score", "--run", NO_RUN, "--text", "x", "--top-logprobs", "-1"),
      args("score", "--run", NO_RUN, "--text", "x", "--device", "x"),
      args("repl", "--run", NO_RUN, "--temperature", "NaN"),
      args("repl", "--run", NO_RUN, "--top-p", "Infinity"),
      // tokenizer and bench
      args("tokenizer", "encode", "-t", "/no/such/tokenizer.json", "--special-tokens", "bogus"),
      args("tokenizer", "encode", "-t", "/no/such/tokenizer.json", "--jsonl", "--text", "x"),
      args("tokenizer", "train", "-c", NO_CORPUS, "-v", "12", "-o", "/tmp/never-written.json"),
      args("tokenizer", "train", "-c", NO_CORPUS, "-o", "/tmp/never-written.json"),
      args("bench", "kernels", "--repeat", "0"),
      args("bench", "kernels", "--backend", "bogus"),
      args("bench", "generate", "--tokens", "0"),
      args("bench", "generate", "--preset", "bogus"),
      args("bench", "generate", "--vocab-size", "300"),
      args("bench", "generate", "--kv-cache", "fp8"),
      // the backend options, one group in every command that runs a model
      args("bench", "generate", "--device", "-1"),
      args("bench", "kernels", "--threads", "-1"),
      args("serve", "--backend", "bogus"),
      args("serve", "--threads", "-2"),
      args("repl", "--run", NO_RUN, "--threads", "-1"),
      args("score", "--run", NO_RUN, "--text", "x", "--backend", "gpu"),
      train("--threads", "-1"));

  @Test
  void everyBadFlagOrValueIsExit2AndOneLine() {
    List<String> failures = new ArrayList<>();
    for (String[] a : BAD) {
      CliRunner.Result r = CliRunner.run(a);
      List<String> errLines = r.err().strip().lines().toList();
      boolean ok = r.exitCode() == 2 && errLines.size() == 1 && errLines.get(0).startsWith("jgpt") && r.out().isEmpty()
          && !r.err().contains("\tat ");
      if (!ok) failures.add(String.join(" ", a) + " -> exit " + r.exitCode() + ": " + r.err().strip() + r.out());
    }
    assertTrue(failures.isEmpty(), failures.size() + " of " + BAD.size() + " wrong:\n" + String.join("\n", failures));
  }

  private static String[] args(String... a) {
    return a;
  }

  private static String[] train(String... flags) {
    return concat(new String[] {"train", "--corpus", NO_CORPUS, "--out", "/no/such/dir/run"}, flags);
  }

  private static String[] generate(String... flags) {
    return concat(new String[] {"generate", "--run", NO_RUN, "--prompt", "x"}, flags);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}

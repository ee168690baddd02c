package dev.jgpt.cli;

import picocli.CommandLine.Command;

/** {@code jgpt tokenizer ...}: train, encode, decode and inspect byte-level BPE tokenizers. */
@Command(
    name = "tokenizer",
    mixinStandardHelpOptions = true,
    description = "Train, apply and inspect byte-level BPE tokenizers.",
    subcommands = {
      TokenizerTrainCommand.class,
      TokenizerEncodeCommand.class,
      TokenizerDecodeCommand.class,
      TokenizerInspectCommand.class,
    })
final class TokenizerCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}

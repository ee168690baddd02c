package dev.jgpt.cli;

import picocli.CommandLine.Command;

/** {@code jgpt bench ...}: measure this machine (kernels, training, generation) and print medians. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmark jgpt's kernels, training and generation speed on this machine.",
    subcommands = {GenerateBenchCommand.class, BenchKernelsCommand.class, BenchTrainCommand.class})
final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}

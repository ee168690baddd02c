package dev.jgpt.cli;

import dev.jgpt.cli.repl.RunFinder;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.interop.GgufExport;
import dev.jgpt.transformer.interop.HfGpt2Export;
import dev.jgpt.transformer.interop.ModelFolder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jgpt export}: hands a run to other tools, as a Hugging Face GPT-2 folder
 * (transformers) or one GGUF file (llama.cpp, ollama, LM Studio).
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {"Export a run for other tools: a Hugging Face GPT-2 folder or a GGUF file.",
        "transformers' GPT2LMHeadModel and AutoTokenizer load the folder; llama.cpp, ollama and LM Studio the GGUF file."},
    footer = {"", "Examples:", "  jgpt export --run runs/shakespeare --format hf --out exports/shakespeare-hf",
        "  jgpt export --run runs/shakespeare --format gguf --f16 --out exports/shakespeare.gguf",
        "  llama-cli -m exports/shakespeare.gguf -p 'ROMEO:'"})
final class ExportCommand implements Callable<Integer> {
  enum Format { hf, gguf }

  @Option(names = "--run", paramLabel = "DIR", description = "Run folder (default: the most recent under runs/).")
  Path run;

  @Option(names = "--format", paramLabel = "FORMAT", required = true, description = "hf or gguf.")
  Format format;

  @Option(names = "--out", paramLabel = "PATH", required = true,
      description = "Folder to create (hf) or .gguf file to write (gguf).")
  Path out;

  @Option(names = "--f16", description = "gguf: store the 2-D weights as F16 (half the size; norms, biases and positions stay F32).")
  boolean f16;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (f16 && format != Format.gguf) throw new ParameterException(spec.commandLine(), "--f16 is for --format gguf");
    if (format == Format.gguf && Files.isDirectory(out)) {
      throw new ParameterException(spec.commandLine(), "--out " + out + " is a folder; give a file name such as "
          + out.resolve("model.gguf"));
    }
    if (format == Format.hf && Files.isRegularFile(out)) {
      throw new ParameterException(spec.commandLine(), "--out " + out + " is a file; give a folder for --format hf");
    }
    if (format == Format.hf && Files.isDirectory(out) && !RunDirectory.isEmptyDir(out)) {
      throw new ParameterException(spec.commandLine(), "--out " + out + " is a folder that is not empty; give a new one");
    }
    Path dir = RunFinder.choose(run, Path.of("runs"));
    RunDirectory.Run r = ModelFolder.load(dir);
    String why = format == Format.hf ? HfGpt2Export.unsupportedReason(r.tokenizer()) : GgufExport.unsupportedReason(r.tokenizer());
    if (why != null) throw new IllegalArgumentException("cannot export " + dir + " as " + format + ": " + why);
    PrintStream stdout = System.out;
    switch (format) {
      case hf -> HfGpt2Export.write(out, r.model(), r.tokenizer(), r.params());
      case gguf -> {
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        GgufExport.write(out, r.model(), r.tokenizer(), r.params(), f16);
      }
    }
    stdout.printf(Locale.ROOT, "exported %s (%,d parameters) to %s%n", dir, r.model().parameterCount(), out);
    return 0;
  }
}

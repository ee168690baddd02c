package dev.jgpt.cli;

import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.CheckpointState;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.MemoryCheck;
import dev.jgpt.transformer.MemoryEstimate;
import dev.jgpt.transformer.ParameterLayout;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.RunLock;
import dev.jgpt.transformer.interop.HfGpt2;
import dev.jgpt.transformer.interop.ModelFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jgpt import}: converts a Hugging Face GPT-2 folder into a jgpt run folder (weights,
 * tokenizer and configuration, at step 0), written with the trainer's own checkpoint journal.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {"Convert a Hugging Face GPT-2 folder into a jgpt run folder.",
        "The folder as downloaded: config.json, model.safetensors, vocab.json + merges.txt (or tokenizer.json).",
        "Commands that take --run also open such a folder directly."},
    footer = {"", "Examples:", "  jgpt import gpt2 --out runs/gpt2", "  jgpt repl --run runs/gpt2"})
final class ImportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "The Hugging Face model folder.")
  Path source;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "The run folder to create, e.g. runs/gpt2.")
  Path out;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (Files.isRegularFile(out)) throw new ParameterException(spec.commandLine(), "--out " + out + " is a file; give a folder");
    if (Files.isDirectory(out) && !RunDirectory.isEmptyDir(out)) {
      throw new ParameterException(spec.commandLine(), "--out " + out + " is not empty; give a new folder");
    }
    if (!HfGpt2.isHfFolder(source)) {
      throw new IllegalArgumentException(source + " is not a Hugging Face model folder (no config.json with a model_type); "
          + "download the model's config.json, model.safetensors, vocab.json and merges.txt into one folder");
    }
    // config.json says the size: a model the heap cannot hold is refused before gigabytes are read
    MemoryCheck.requireFits(memory(HfGpt2.readConfig(source)), HeapBudget.current(), null);
    long t0 = System.nanoTime();
    HfGpt2.Model m = HfGpt2.load(source);
    GptConfig cfg = m.config();
    CheckpointState state = ModelFolder.stepZero(m);
    try (RunLock lock = RunLock.acquire(out)) { // the folder's one writer while it is written
      RunDirectory.writeTokenizer(out, m.tokenizer());
      Checkpoint.saveWeights(out, cfg, m.params(), state);
    }
    System.out.printf(Locale.ROOT, "imported %s into %s: %,d parameters, %d layers x %d (%d heads), context %d, vocabulary %d "
        + "(%.1f s)%n", source, out, cfg.parameterCount(), cfg.nLayer(), cfg.nEmbd(), cfg.nHead(), cfg.blockSize(),
        cfg.vocabSize(), (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  /** What an import holds on the heap: every parameter, and the tensor being read (twice for a Conv1D weight). */
  static MemoryEstimate memory(GptConfig cfg) {
    return new MemoryEstimate(List.of(
        new MemoryEstimate.Part("parameters", (long) new ParameterLayout(cfg).totalCount() * Float.BYTES),
        new MemoryEstimate.Part("tensor as read", HfGpt2.floatsHeldWhileReading(cfg) * Float.BYTES)));
  }
}

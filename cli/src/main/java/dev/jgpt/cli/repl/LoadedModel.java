package dev.jgpt.cli.repl;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.Generator;
import dev.jgpt.transformer.NextTokenModel;
import dev.jgpt.transformer.RunDirectory;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A model ready to generate with: the model, its tokenizer, and where it came from. Closing it
 * closes the model and the backend it runs on (when it owns one).
 *
 * @param name what to call it in messages (the run folder)
 * @param model next-token logits (a KV-cache {@link Generator} for a trained run)
 * @param tokenizer the tokenizer the model was trained with
 * @param backend the backend to close with it, or null
 */
public record LoadedModel(String name, NextTokenModel model, Tokenizer tokenizer, Backend backend)
    implements AutoCloseable {

  /** Loads a run folder onto a new backend ({@code backendName} "auto", "cpu"...; threads 0 = all cores). */
  public static LoadedModel open(Path runDir, String backendName, int threads) throws IOException {
    RunDirectory.Run run = RunDirectory.load(runDir);
    Backend backend = Backends.open(backendName, threads);
    try {
      Generator generator = Generator.withWeights(run.model(), backend, run.params());
      return new LoadedModel(runDir.toString(), generator, run.tokenizer(), backend);
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /** "runs/x: 4 layers x 128 (4 heads), context 64, ..." */
  public String description() {
    return name + ": " + model.description();
  }

  @Override
  public void close() {
    model.close();
    if (backend != null) backend.close();
  }
}

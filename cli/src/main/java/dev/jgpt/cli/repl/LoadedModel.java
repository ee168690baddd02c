package dev.jgpt.cli.repl;

import dev.jgpt.cli.HeapBudget;
import dev.jgpt.cli.MemoryCheck;
import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.KvCacheModel;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.NextTokenModel;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.interop.HfGpt2;
import dev.jgpt.transformer.interop.ModelFolder;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A model ready to generate with: the model, its tokenizer, and where it came from. Closing it
 * closes the model and the backend it runs on (when it owns one).
 *
 * @param name what to call it in messages (the run folder)
 * @param model next-token logits (a KV-cache {@link KvCacheModel} for a trained run)
 * @param tokenizer the tokenizer the model was trained with
 * @param backend the backend to close with it, or null
 */
public record LoadedModel(String name, NextTokenModel model, Tokenizer tokenizer, Backend backend)
    implements AutoCloseable {

  /**
   * Loads a run folder (or a Hugging Face GPT-2 folder) onto a new backend ({@code backendName} "auto", "cpu"...) on device
   * {@code device}; threads 0 = automatic.
   */
  public static LoadedModel open(Path runDir, String backendName, int device, int threads) throws IOException {
    GptConfig hf = ModelFolder.configBeforeLoading(runDir);
    if (hf != null) return openHuggingFace(runDir, hf, backendName, device, threads);
    RunDirectory.Run run = ModelFolder.load(runDir);
    Backend backend = Backends.open(backendName, device, KvCacheModel.threadsFor(run.model(), threads));
    try {
      MemoryCheck.requireFits(KvCacheModel.memory(run.model(), backend), HeapBudget.current(), null);
      KvCacheModel generator = KvCacheModel.withWeights(run.model(), backend, run.params());
      return new LoadedModel(runDir.toString(), generator, run.tokenizer(), backend);
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /**
   * A Hugging Face GPT-2 folder: its size is known from config.json before anything is read, and
   * its weights stream from model.safetensors straight into the backend, tensor by tensor, so a
   * gpt2-xl (6.2 GB of weights) is never held twice.
   */
  private static LoadedModel openHuggingFace(Path dir, GptConfig cfg, String backendName, int device, int threads)
      throws IOException {
    Backend backend = Backends.open(backendName, device, KvCacheModel.threadsFor(cfg, threads));
    KvCacheModel generator;
    try {
      MemoryCheck.requireFits(KvCacheModel.memory(cfg, backend, HfGpt2.floatsHeldWhileReading(cfg)), HeapBudget.current(),
          null);
      generator = KvCacheModel.withWeights(cfg, backend, sink -> HfGpt2.readWeights(dir, cfg, sink));
    } catch (IOException | RuntimeException e) {
      backend.close();
      throw e;
    }
    try {
      return new LoadedModel(dir.toString(), generator, HfGpt2.readTokenizer(dir, cfg), backend);
    } catch (IOException | RuntimeException e) {
      generator.close();
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

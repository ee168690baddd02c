package dev.jgpt.transformer.interop;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.CheckpointReader;
import dev.jgpt.transformer.CheckpointState;
import dev.jgpt.transformer.KvCacheModel;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.MemoryCheck;
import dev.jgpt.transformer.MemoryEstimate;
import dev.jgpt.transformer.NextTokenModel;
import dev.jgpt.transformer.ParameterLayout;
import dev.jgpt.transformer.RunDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BiConsumer;

/**
 * A model ready to generate with, and the one way a model folder becomes one: generate, score,
 * the REPL, the generation benchmark and the web server all {@link #open} here. Closing it closes
 * the model and the backend it runs on (when it owns one).
 *
 * @param name what to call it in messages (the folder as given)
 * @param model next-token logits (a KV-cache {@link KvCacheModel} for a folder opened here)
 * @param tokenizer the tokenizer the model was trained with
 * @param state the checkpoint's training state (step 0 for a Hugging Face model), or null
 * @param backend the backend to close with it, or null
 */
public record LoadedModel(String name, NextTokenModel model, Tokenizer tokenizer, CheckpointState state,
    Backend backend) implements AutoCloseable {

  /**
   * Opens a jgpt run folder or a Hugging Face GPT-2 folder on a new backend of {@code backend}
   * (chosen by {@link Backends#choose}) on device {@code device}; threads 0 = automatic
   * ({@link KvCacheModel#threadsFor}). A model that does not fit the heap is refused in one line
   * before its weights are read: its size is in config.json (a Hugging Face folder) or in
   * state.json and tokenizer.json (a jgpt run). Either way the weights then stream from
   * model.safetensors straight into the backend, tensor by tensor, so they are never held twice.
   */
  public static LoadedModel open(Path dir, Backends.Choice backend, int device, int threads) throws IOException {
    return open(dir, backend, device, threads, HeapBudget.current(), (need, heap) -> {});
  }

  /** As {@link #open(Path, Backends.Choice, int, int)}, checked against {@code heap}. */
  public static LoadedModel open(Path dir, Backends.Choice choice, int device, int threads, HeapBudget heap)
      throws IOException {
    return open(dir, choice, device, threads, heap, (need, h) -> {});
  }

  /**
   * As {@link #open(Path, Backends.Choice, int, int)}, checked against {@code heap}, and first tells
   * {@code memory} what the model needs and what the heap allows, before the weights are copied
   * (and before a refusal).
   */
  public static LoadedModel open(Path dir, Backends.Choice choice, int device, int threads, HeapBudget heap,
      BiConsumer<MemoryEstimate, HeapBudget> memory) throws IOException {
    GptConfig hf = ModelFolder.configBeforeLoading(dir);
    if (hf != null) return openHuggingFace(dir, hf, choice, device, threads, heap, memory);
    return openRun(dir, choice, device, threads, heap, memory);
  }

  /**
   * A jgpt run folder: its shape and tokenizer come from state.json and tokenizer.json, memory is
   * checked, and only then is model.safetensors checked against its CRC-32C and streamed into the
   * backend from the file that was checked, one tensor on the heap at a time.
   */
  private static LoadedModel openRun(Path dir, Backends.Choice choice, int device, int threads, HeapBudget heap,
      BiConsumer<MemoryEstimate, HeapBudget> memory) throws IOException {
    RunDirectory.Header run = RunDirectory.readHeader(dir);
    ParameterLayout layout = new ParameterLayout(run.model());
    Backend backend = Backends.open(choice.provider(), device, KvCacheModel.threadsFor(run.model(), threads));
    try {
      checkMemory(KvCacheModel.memory(run.model(), backend, Checkpoint.floatsHeldWhileStreaming(layout)), heap, memory);
      try (CheckpointReader.Committed checkpoint = RunDirectory.readWeights(run)) {
        KvCacheModel model = KvCacheModel.withWeights(run.model(), backend,
            sink -> Checkpoint.writeParams(checkpoint, layout, sink));
        return new LoadedModel(dir.toString(), model, run.tokenizer(), checkpoint.state(), backend);
      }
    } catch (IOException | RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /**
   * A Hugging Face GPT-2 folder: its size is known from config.json before anything is read, and
   * its weights stream from model.safetensors straight into the backend, tensor by tensor, so a
   * gpt2-xl (6.2 GB of weights) is never held twice.
   */
  private static LoadedModel openHuggingFace(Path dir, GptConfig cfg, Backends.Choice choice, int device, int threads,
      HeapBudget heap, BiConsumer<MemoryEstimate, HeapBudget> memory) throws IOException {
    Backend backend = Backends.open(choice.provider(), device, KvCacheModel.threadsFor(cfg, threads));
    KvCacheModel model;
    try {
      checkMemory(KvCacheModel.memory(cfg, backend, HfGpt2.floatsHeldWhileReading(cfg)), heap, memory);
      model = KvCacheModel.withWeights(cfg, backend, sink -> HfGpt2.readWeights(dir, cfg, sink));
    } catch (IOException | RuntimeException e) {
      backend.close();
      throw e;
    }
    try {
      Tokenizer tokenizer = HfGpt2.readTokenizer(dir, cfg);
      return new LoadedModel(dir.toString(), model, tokenizer, ModelFolder.stepZero(cfg, tokenizer), backend);
    } catch (IOException | RuntimeException e) {
      model.close();
      backend.close();
      throw e;
    }
  }

  // says what the model needs, then refuses it in one line if it does not fit
  private static void checkMemory(MemoryEstimate need, HeapBudget heap, BiConsumer<MemoryEstimate, HeapBudget> memory) {
    memory.accept(need, heap);
    MemoryCheck.requireFits(need, heap, null);
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

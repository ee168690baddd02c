package dev.jgpt.web;

import dev.jgpt.kernels.Backends;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.CheckpointState;
import dev.jgpt.transformer.KvCacheModel;
import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.inspect.Inspector;
import dev.jgpt.transformer.interop.LoadedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * The models the playground uses, loaded on first use from the run's newest committed checkpoint
 * (read-only, by {@link LoadedModel#open} as the commands load them: Hugging Face weights streamed
 * in, a model too large for the heap refused in one line) and loaded again when the trainer
 * commits a newer one.
 *
 * <p>Bounds: one request at a time per model (a {@link KvCacheModel} holds one KV cache and is not
 * thread-safe) and at most {@code maxConcurrent} across all models; a request that finds either
 * taken gets 429 at once rather than waiting in a queue. At most {@code maxLoaded} models stay
 * in memory; the least recently used idle one is closed first.
 *
 * <p>Everything that runs a model (generate, score, the inside view's inspect) goes through
 * {@link #use}, so each gets the same bounds.
 */
final class ModelPool implements AutoCloseable {
  /**
   * A loaded model: the KV-cache model over its weights, its tokenizer, the training state of the
   * checkpoint it came from, and its {@link Inspector} (whose forward-only models are made on the
   * first inspect request and kept with the model: a backend frees buffers only when it closes).
   */
  record Loaded(String name, KvCacheModel model, Tokenizer tokenizer, CheckpointState state, long checkpointStamp,
      LoadedModel opened, Inspector inspector) {}

  /** Work done with a model while its permit is held. */
  @FunctionalInterface
  interface ModelTask<T> {
    T run(Loaded model) throws Exception;
  }

  private static final class Entry {
    final Semaphore busy = new Semaphore(1);
    volatile Loaded loaded; // guarded by busy
    volatile long lastUse;
  }

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final Semaphore global;
  private final int maxLoaded;
  private final String backendName;
  private final int device;
  private final int threads; // 0 = automatic for each model's size
  private final Supplier<HeapBudget> heap; // what a model must fit in

  ModelPool(int maxConcurrent, int maxLoaded, String backendName, int device, int threads) {
    this(maxConcurrent, maxLoaded, backendName, device, threads, HeapBudget::current);
  }

  /** For tests: models checked against {@code heap} instead of this JVM's. */
  ModelPool(int maxConcurrent, int maxLoaded, String backendName, int device, int threads,
      Supplier<HeapBudget> heap) {
    this.global = new Semaphore(maxConcurrent);
    this.maxLoaded = maxLoaded;
    this.backendName = backendName;
    this.device = device;
    this.threads = threads;
    this.heap = heap;
  }

  /** Runs {@code task} with the model of run {@code name} in {@code dir}; 429 when busy. */
  <T> T use(String name, Path dir, ModelTask<T> task) throws Exception {
    if (!global.tryAcquire()) {
      throw ApiError.busy("the server is already generating as much as it allows at once; try again in a moment");
    }
    try {
      Entry e = entries.computeIfAbsent(name, k -> new Entry());
      if (!e.busy.tryAcquire()) {
        throw ApiError.busy("run " + name + " is busy with another request (one at a time per model); try again "
            + "when it is done");
      }
      try {
        e.lastUse = System.nanoTime();
        long stamp = checkpointStamp(dir);
        Loaded m = e.loaded;
        if (m == null || m.checkpointStamp != stamp) {
          e.loaded = null;
          if (m != null) close(m);
          m = load(name, dir, stamp);
          e.loaded = m;
          evictIdle(e);
        }
        return task.run(m);
      } finally {
        e.busy.release();
      }
    } finally {
      global.release();
    }
  }

  /** For tests: takes run {@code name}'s permit as a long generation would; release it with {@link #release}. */
  boolean holdForTest(String name) {
    return entries.computeIfAbsent(name, k -> new Entry()).busy.tryAcquire();
  }

  void release(String name) {
    entries.get(name).busy.release();
  }

  /** Changes when a new checkpoint is committed: state.json (or the pending state.json.new) is replaced by a rename. */
  private static long checkpointStamp(Path dir) {
    long t = 0;
    for (String f : List.of(Checkpoint.STATE, Checkpoint.STATE + ".new", "config.json")) {
      try {
        t = 31 * t + Files.getLastModifiedTime(dir.resolve(f)).toMillis();
      } catch (IOException e) {
        // absent
      }
    }
    return t;
  }

  private Loaded load(String name, Path dir, long stamp) {
    LoadedModel opened;
    try {
      opened = LoadedModel.open(dir, Backends.choose(backendName), device, threads, heap.get());
    } catch (IOException | RuntimeException e) {
      throw new ApiError(422, "run " + name + " cannot be loaded: " + Router.oneLine(e));
    }
    if (!(opened.model() instanceof KvCacheModel g)) { // LoadedModel.open makes a KvCacheModel; a guard, not a case
      opened.close();
      throw new IllegalStateException("run " + name + " did not load as a jgpt transformer");
    }
    return new Loaded(name, g, opened.tokenizer(), opened.state(), stamp, opened, new Inspector(g));
  }

  /** Closes least recently used idle models while more than {@code maxLoaded} are loaded. */
  private void evictIdle(Entry keep) {
    List<Entry> loaded = new ArrayList<>(entries.values().stream().filter(x -> x.loaded != null && x != keep).toList());
    loaded.sort(Comparator.comparingLong(x -> x.lastUse));
    int count = loaded.size() + 1;
    for (Entry x : loaded) {
      if (count <= maxLoaded) break;
      if (x.busy.tryAcquire()) {
        try {
          Loaded m = x.loaded;
          x.loaded = null;
          if (m != null) {
            close(m);
            count--;
          }
        } finally {
          x.busy.release();
        }
      }
    }
  }

  private static void close(Loaded m) {
    m.inspector().close();
    m.opened().close();
  }

  /** How many models are loaded now. */
  int loadedCount() {
    return (int) entries.values().stream().filter(x -> x.loaded != null).count();
  }

  @Override
  public void close() {
    for (Entry e : entries.values()) {
      Loaded m = e.loaded;
      e.loaded = null;
      if (m != null) close(m);
    }
  }
}

package dev.jgpt.cli.repl;

import dev.jgpt.transformer.GenerationLoop;
import dev.jgpt.transformer.NextTokenModel;
import dev.jgpt.transformer.SamplerSettings;

/**
 * Warms a model up on a background thread while the user types the first line (the JIT compiles
 * the decode path, the backend allocates its buffers), so the first answer comes at full speed;
 * the next command waits for it.
 */
final class WarmUp {
  private Thread thread;

  /** Starts warming {@code model} (for up to {@code budgetNanos}) and {@code loop}'s sampler and decoder. */
  void start(NextTokenModel model, GenerationLoop loop, long budgetNanos) {
    SamplerSettings settings = SamplerSettings.defaults().withMaxNewTokens(32);
    thread = Thread.ofPlatform().daemon().name("jgpt-warm-up").start(() -> {
      try {
        model.warmUp(budgetNanos);
        // the sampler, the decoder and the stop-string check too, on throw-away text
        loop.generate(loop.promptTokens("warm up"), settings, 0, t -> {}, () -> false);
      } catch (RuntimeException e) {
        // a broken model shows its error on the first real command
      }
    });
  }

  /** Waits until the warm-up (if any) has finished; an interrupt is kept for the caller. */
  void await() {
    Thread t = thread;
    if (t == null) return;
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    thread = null;
    if (interrupted) Thread.currentThread().interrupt();
  }
}

package dev.jgpt.transformer;

import dev.jgpt.tokenizer.StreamingDecoder;
import dev.jgpt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Continues a context token by token: logits from a {@link NextTokenModel}, one draw by the
 * {@link Sampler}, text through the tokenizer's streaming decoder (so a character split over two
 * byte tokens prints whole) and the {@link StopStrings} hold-back (so no part of a stop string
 * prints). Ends at {@code <|endoftext|>}, a stop string, the token limit, or when cancelled.
 */
public final class GenerationLoop {
  /** Always a stop string, for byte-level models that spell the marker out instead of having a token for it. */
  public static final String END_OF_TEXT = "<|endoftext|>";

  private final NextTokenModel model;
  private final Tokenizer tokenizer;
  private final Sampler sampler;

  public GenerationLoop(NextTokenModel model, Tokenizer tokenizer) {
    if (model.vocabSize() > tokenizer.vocabSize()) {
      throw new IllegalArgumentException("the model has " + model.vocabSize() + " tokens but the tokenizer only "
          + tokenizer.vocabSize() + "; they do not belong together");
    }
    this.model = model;
    this.tokenizer = tokenizer;
    this.sampler = new Sampler(model.vocabSize());
  }

  public NextTokenModel model() {
    return model;
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  public Sampler sampler() {
    return sampler;
  }

  /** Why a generation ended. */
  public enum StopReason {
    MAX_TOKENS("token limit"), END_OF_TEXT("<|endoftext|>"), STOP_STRING("stop string"), CANCELLED("cancelled");

    private final String label;

    StopReason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * One generated token.
   *
   * @param index 0 for the first new token
   * @param id the token
   * @param piece its text as the streaming decoder released it ("" while a character is incomplete)
   * @param printable what may be printed now (after the stop-string hold-back)
   * @param draw the sampler's draw: {@link #probabilities} builds its tables when asked
   */
  public record Token(int index, int id, String piece, String printable, SampledToken draw) {
    /** The model's and the sampler's distribution at this position, and the draw (built on first call). */
    public TokenProbabilities probabilities() {
      return draw.probabilities();
    }
  }

  /** Receives tokens as they are generated. */
  public interface Listener {
    void token(Token token);

    /** Text released at the end (held back for a stop string that did not come). */
    default void trailingText(String text) {}
  }

  /**
   * The outcome.
   *
   * @param context the whole sequence afterwards: the given context and the new tokens (without
   *     {@code <|endoftext|>})
   * @param newTokens the generated ids, in order (the end-of-text token included when it ended the run)
   * @param text the generated text as printed
   * @param draws random draws used (the next generation should start at firstDraw + draws)
   * @param nanos wall time from the first model call to the end
   * @param firstTokenNanos wall time to the first token
   */
  public record Result(int[] context, int[] newTokens, String text, StopReason reason, long draws, long nanos,
      long firstTokenNanos) {
    /** Generated tokens per second, or 0 when none were generated. */
    public double tokensPerSecond() {
      return newTokens.length == 0 || nanos == 0 ? 0 : newTokens.length * 1e9 / nanos;
    }
  }

  /**
   * Generates after {@code context} (at least one token). {@code firstDraw} numbers the first
   * random draw (a session continues where its previous generation stopped); {@code cancelled}
   * is polled after every token.
   */
  public Result generate(int[] context, SamplerSettings settings, long firstDraw, Listener listener,
      BooleanSupplier cancelled) {
    if (context.length == 0) throw new IllegalArgumentException("the context is empty: give a prompt");
    int[] tokens = Arrays.copyOf(context, context.length + Math.max(1, settings.maxNewTokens()));
    int n = context.length;
    List<String> stops = new ArrayList<>(settings.stopStrings());
    if (!stops.contains(END_OF_TEXT)) stops.add(END_OF_TEXT);
    StopStrings stop = new StopStrings(stops);
    StreamingDecoder decoder = tokenizer.newStreamingDecoder();
    StringBuilder text = new StringBuilder();
    int eot = endOfTextId(model, tokenizer);
    long draw = firstDraw;
    long t0 = System.nanoTime();
    long firstTokenNanos = 0;
    int generated = 0;
    int[] newTokens = new int[settings.maxNewTokens()];
    StopReason reason = StopReason.MAX_TOKENS;
    while (generated < settings.maxNewTokens()) {
      float[] logits = model.nextLogits(tokens, n);
      SampledToken probs = sampler.draw(logits, settings, tokens, n, draw++);
      int id = probs.chosen();
      newTokens[generated++] = id;
      if (generated == 1) firstTokenNanos = System.nanoTime() - t0;
      if (id == eot) {
        listener.token(new Token(generated - 1, id, "", "", probs));
        reason = StopReason.END_OF_TEXT;
        break;
      }
      tokens[n++] = id;
      String piece = decoder.push(id);
      String printable = stop.push(piece);
      text.append(printable);
      listener.token(new Token(generated - 1, id, piece, printable, probs));
      if (stop.stopped()) {
        reason = StopReason.STOP_STRING;
        break;
      }
      if (cancelled.getAsBoolean()) {
        reason = StopReason.CANCELLED;
        break;
      }
    }
    if (!stop.stopped()) {
      String tail = stop.push(decoder.flush()) + stop.flush();
      if (!tail.isEmpty()) {
        text.append(tail);
        listener.trailingText(tail);
      }
    }
    return new Result(Arrays.copyOf(tokens, n), Arrays.copyOf(newTokens, generated), text.toString(), reason,
        draw - firstDraw, System.nanoTime() - t0, firstTokenNanos);
  }

  /**
   * The end-of-text token if the model can produce it, else -1 (a byte-level model of 256
   * tokens next to a tokenizer that also knows {@code <|endoftext|>} as 256).
   */
  public static int endOfTextId(NextTokenModel model, Tokenizer tokenizer) {
    int eot = tokenizer.eotId();
    return eot >= 0 && eot < model.vocabSize() ? eot : -1;
  }

  /**
   * The prompt's tokens, or the context a model starts from when the prompt is empty: the
   * end-of-text token (GPT-2's convention for "a new document"), or a newline when the
   * tokenizer has no such token.
   */
  public int[] promptTokens(String prompt) {
    int[] ids = tokenizer.encode(prompt);
    if (ids.length > 0) return ids;
    int eot = endOfTextId(model, tokenizer);
    return eot >= 0 ? new int[] {eot} : tokenizer.encode("\n");
  }
}

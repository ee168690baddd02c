package dev.jgpt.transformer;

/**
 * What generation, scoring and the REPL need from a language model: the logits of the next token
 * after a sequence of token ids. {@link KvCacheModel} answers from a KV cache, so calls that extend
 * the previous sequence by a token cost one position; tests use small fakes.
 */
public interface NextTokenModel extends AutoCloseable {

  /** V: token ids are 0 .. V-1. */
  int vocabSize();

  /** The longest context the model sees at once (block size); longer sequences slide a window. */
  int contextLength();

  /**
   * Logits for the token after {@code tokens[0 .. length)} (length >= 1). The returned array has
   * at least V entries (the first V are the vocabulary's), belongs to the model and is overwritten
   * by the next call.
   */
  float[] nextLogits(int[] tokens, int length);

  /** One line describing the model ("4 layers x 128, context 64, 0.8M parameters, cpu"). */
  default String description() {
    return "vocabulary " + vocabSize() + ", context " + contextLength();
  }

  /**
   * Runs the model on throw-away input for up to {@code budgetNanos} so the JIT compiles its
   * kernels before a user waits on them (the REPL does this while the first line is typed).
   * Later results are unaffected.
   */
  default void warmUp(long budgetNanos) {}

  @Override
  default void close() {}
}

package dev.jgpt.tokenizer;

/**
 * Pre-tokenization: cuts text into the pieces that byte-pair merges stay inside (words, number
 * groups, punctuation runs, whitespace), the way a tiktoken split pattern does.
 */
interface Splitter {
  /** Reports the pieces of the valid UTF-8 text {@code text[start, end)} in order; they tile it. */
  void split(byte[] text, int start, int end, PieceConsumer out);

  @FunctionalInterface
  interface PieceConsumer {
    void piece(int start, int end);
  }
}

package dev.jgpt.corpus;

import dev.jgpt.tokenizer.Tokenizer;

/**
 * How many bytes of source text each token id stands for, so a loss per token can be turned
 * into bits per byte (comparable across tokenizers). The end-of-text separator (like every
 * special token) stands for no text and counts 0.
 */
@FunctionalInterface
public interface TokenLengths {
  int bytes(int id);

  /** One byte per token except the separator: a byte-level tokenizer's lengths. */
  static TokenLengths bytesOnly(int eotId) {
    return id -> id == eotId ? 0 : 1;
  }

  /** Looks every id up once into a table; special tokens (and ids a rank file leaves unused) count 0. */
  static TokenLengths of(Tokenizer tokenizer) {
    int[] table = new int[tokenizer.vocabSize()]; // table[id] = bytes of text the id stands for
    for (int id = 0; id < table.length; id++) {
      if (tokenizer.isValidId(id) && !tokenizer.isSpecial(id)) table[id] = tokenizer.tokenBytes(id).length;
    }
    return id -> table[id];
  }
}

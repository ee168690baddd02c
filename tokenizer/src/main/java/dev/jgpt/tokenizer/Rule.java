package dev.jgpt.tokenizer;

/** How a vocabulary's merge rules are given. */
enum Rule {
  /** An explicit list of merges (trained here, or GPT-2's merges.txt); the list order is the priority. */
  MERGES,
  /**
   * tiktoken ranks: any two adjacent tokens whose concatenation is a token may merge, the
   * lowest-ranked (= lowest id) concatenation first.
   */
  RANKS
}

package dev.jgpt.tokenizer;

/** What encoding does with the text of special tokens such as {@code <|endoftext|>} (as tiktoken's allowed/disallowed sets). */
public enum SpecialMode {
  /** Special-token text is ordinary text and is split into ordinary tokens (the default). */
  ORDINARY,
  /** Special-token text is an error: encoding throws an IllegalArgumentException naming the token. */
  DISALLOW,
  /** Special-token text becomes the special token's id. */
  ALLOW
}

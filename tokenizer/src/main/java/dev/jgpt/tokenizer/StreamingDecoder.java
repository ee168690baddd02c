package dev.jgpt.tokenizer;

/**
 * Turns token ids into text one at a time (for printing as a model generates): {@link #push}
 * returns only complete characters and holds back the bytes of a character that the next
 * tokens may complete. The concatenated output equals {@link Tokenizer#decode} of all the ids.
 * One decoder per stream; not thread-safe.
 */
public final class StreamingDecoder {
  private final Tokenizer tokenizer;
  private byte[] pending = new byte[16]; // (size) bytes not yet returned: at most a cut-short character
  private int size;

  StreamingDecoder(Tokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** Adds one token and returns the text it completes (possibly empty). */
  public String push(int id) {
    byte[] bytes = tokenizer.tokenBytes(id);
    if (size + bytes.length > pending.length) pending = java.util.Arrays.copyOf(pending, Math.max(2 * pending.length, size + bytes.length));
    System.arraycopy(bytes, 0, pending, size, bytes.length);
    size += bytes.length;
    int held = Utf8.incompleteTail(pending, 0, size);
    int ready = size - held;
    if (ready == 0) return "";
    String text = Utf8.decode(pending, 0, ready);
    System.arraycopy(pending, ready, pending, 0, held);
    size = held;
    return text;
  }

  /** Returns the held-back bytes as U+FFFD (an incomplete character at the end) and resets. */
  public String flush() {
    String text = Utf8.decode(pending, 0, size);
    size = 0;
    return text;
  }

  /** Whether bytes are held back waiting for the rest of a character. */
  public boolean hasPending() {
    return size > 0;
  }
}

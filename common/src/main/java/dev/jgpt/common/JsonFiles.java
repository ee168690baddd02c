package dev.jgpt.common;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the text of a user's or a run's JSON file (config.json, state.json, a --config file,
 * metrics.jsonl). {@code Files.readString} reports a stray byte as "Input length = 1" with no file
 * name; this says which file is not UTF-8, where, and what to do.
 */
public final class JsonFiles {
  private JsonFiles() {}

  /** The file's text, without a leading byte order mark (some editors write one). */
  public static String readText(Path file) throws IOException {
    return decode(Files.readAllBytes(file), file);
  }

  /** {@code bytes} read from {@code file} as UTF-8 text, without a leading byte order mark. */
  public static String decode(byte[] bytes, Path file) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(in);
    } catch (CharacterCodingException e) {
      // the decoder leaves the buffer at the first byte it could not decode
      throw new IOException(file + " is not valid UTF-8 text (byte 0x"
          + String.format("%02X", bytes[Math.min(in.position(), bytes.length - 1)] & 0xFF) + " at offset " + in.position()
          + "); it is damaged or not a jgpt file: restore it, or save it as UTF-8");
    }
    String s = text.toString();
    return s.startsWith("\uFEFF") ? s.substring(1) : s;
  }
}

package dev.jgpt.cli.repl;

import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.TextEscapes;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * How a single token looks in tables: its text in quotes with whitespace escaped ({@code "\n"},
 * {@code " the"}); a token that is only part of a UTF-8 character shows its bytes ({@code "\xe2"}).
 */
public final class TokenDisplay {
  private TokenDisplay() {}

  /** The token's text, quoted and escaped. */
  public static String quoted(Tokenizer tokenizer, int id) {
    if (!tokenizer.isValidId(id)) return "<id " + id + ">";
    return "\"" + escaped(tokenizer.tokenBytes(id)) + "\"";
  }

  /** The token's bytes as escaped text, without quotes. */
  public static String escaped(byte[] bytes) {
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
      return TextEscapes.escape(s);
    } catch (CharacterCodingException e) {
      StringBuilder sb = new StringBuilder();
      for (byte b : bytes) {
        if (b >= 0x20 && b < 0x7f) sb.append(TextEscapes.escape(String.valueOf((char) b)));
        else sb.append(String.format("\\x%02x", b & 0xff));
      }
      return sb.toString();
    }
  }
}

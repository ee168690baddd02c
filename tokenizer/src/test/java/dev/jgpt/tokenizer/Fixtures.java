package dev.jgpt.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Shared test fixtures: the tiktoken rank files JTokkit ships, loaded once, and JTokkit itself. */
final class Fixtures {
  private Fixtures() {}

  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  private static volatile Tokenizer r50k;
  private static volatile Tokenizer cl100k;
  private static volatile Tokenizer o200k;

  /** Text of a rank file from JTokkit's jar (e.g. "cl100k_base"). */
  static String rankFile(String name) {
    try (InputStream in = Encodings.class.getResourceAsStream("/com/knuddels/jtokkit/" + name + ".tiktoken")) {
      if (in == null) throw new IllegalStateException("JTokkit jar lacks " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static synchronized Tokenizer r50k() {
    if (r50k == null) r50k = TiktokenFile.read(rankFile("r50k_base"), "r50k_base", "gpt2");
    return r50k;
  }

  static synchronized Tokenizer cl100k() {
    if (cl100k == null) cl100k = TiktokenFile.read(rankFile("cl100k_base"), "cl100k_base", "cl100k");
    return cl100k;
  }

  static synchronized Tokenizer o200k() {
    if (o200k == null) o200k = TiktokenFile.read(rankFile("o200k_base"), "o200k_base", "o200k");
    return o200k;
  }

  static Encoding jtokkit(EncodingType type) {
    return REGISTRY.getEncoding(type);
  }
}

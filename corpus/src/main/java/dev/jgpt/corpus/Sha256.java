package dev.jgpt.corpus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers: fingerprints of corpus listings and verification of downloads. */
final class Sha256 {
  private Sha256() {}

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e); // every JDK must have it
    }
  }

  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  static String of(String text) {
    return hex(newDigest().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** Raw 32 bytes for a 64-digit hex digest; any other text is hashed, so every id fits a 32-byte field. */
  static byte[] raw(String hexOrText) {
    if (hexOrText.length() == 64 && hexOrText.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      return HexFormat.of().parseHex(hexOrText);
    }
    return newDigest().digest(hexOrText.getBytes(StandardCharsets.UTF_8));
  }
}

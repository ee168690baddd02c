package dev.jgpt.corpus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Builds a corpus fingerprint: SHA-256 over what identifies the content (names, sizes,
 * modification times, globs) without reading the documents themselves, so checking whether a
 * token file is still current costs a directory listing, not a pass over the text.
 */
final class Fingerprint {
  private final MessageDigest digest = Sha256.newDigest();

  Fingerprint(String kind) {
    add(kind);
  }

  Fingerprint add(String text) {
    digest.update(text.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0); // separator: "ab"+"c" and "a"+"bc" differ
    return this;
  }

  Fingerprint add(long value) {
    return add(Long.toString(value));
  }

  String hex() {
    return Sha256.hex(digest.digest());
  }
}

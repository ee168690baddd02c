package dev.jgpt.corpus;

import dev.jgpt.common.AtomicFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;

/**
 * Fetches a file once into the cache and checks it against a known SHA-256: a cached copy that
 * still matches is used as is; a download that does not match is thrown away, never cached. The
 * download goes to a temporary file in the cache folder, flushed, then renamed, so an interrupted
 * one never leaves a half file under the real name.
 */
final class VerifiedDownload {
  private VerifiedDownload() {}

  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final int READ_TIMEOUT_MS = 30_000;

  /**
   * @param what short name for messages ("the shakespeare corpus")
   * @return {@code target}, holding bytes whose SHA-256 is {@code sha256}
   */
  static Path fetch(String what, URI uri, String sha256, Path target) throws IOException {
    if (Files.isRegularFile(target) && sha256.equalsIgnoreCase(hashOf(target))) return target;
    Files.createDirectories(target.getParent());
    Path temporary = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".part");
    AtomicFile.writeStream(target, temporary, out -> {
      String got = download(what, uri, out, target);
      if (!sha256.equalsIgnoreCase(got)) { // thrown before the rename: the file is not kept
        throw new IOException("downloaded " + what + " from " + uri + " has sha256 " + got + ", not the expected "
            + sha256 + "; it was not kept (try again later, or pass your own copy with --corpus FILE)");
      }
    });
    return target;
  }

  /** Copies the resource into {@code out} and returns its SHA-256 in hex. */
  private static String download(String what, URI uri, OutputStream out, Path target) throws IOException {
    MessageDigest digest = Sha256.newDigest();
    try {
      URLConnection connection = uri.toURL().openConnection();
      connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
      connection.setReadTimeout(READ_TIMEOUT_MS);
      if (connection instanceof HttpURLConnection http && http.getResponseCode() != HttpURLConnection.HTTP_OK) {
        throw new IOException("HTTP " + http.getResponseCode());
      }
      try (InputStream in = new DigestInputStream(connection.getInputStream(), digest)) {
        in.transferTo(out);
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException("cannot download " + what + " from " + uri + " (" + describe(e)
          + "); are you offline? Download it yourself and pass it with --corpus FILE, or save it as " + target, e);
    }
    return Sha256.hex(digest.digest());
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    String type = e.getClass().getSimpleName();
    return message == null || message.isBlank() ? type : type + ": " + message.replaceAll("\\s+", " ").strip();
  }

  static String hashOf(Path file) throws IOException {
    MessageDigest digest = Sha256.newDigest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return Sha256.hex(digest.digest());
  }
}

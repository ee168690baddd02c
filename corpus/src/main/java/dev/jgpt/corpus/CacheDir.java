package dev.jgpt.corpus;

import java.nio.file.Path;

/** The user's cache folder for downloaded corpora and token files: $XDG_CACHE_HOME/jgpt or ~/.cache/jgpt. */
public final class CacheDir {
  private CacheDir() {}

  public static Path defaultPath() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    // XDG says a relative value is invalid and must be ignored.
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) return Path.of(xdg, "jgpt");
    return Path.of(System.getProperty("user.home"), ".cache", "jgpt");
  }
}

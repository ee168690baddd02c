package dev.jgpt.corpus;

import java.io.IOException;
import java.nio.file.Path;

/** A token file that cannot be used as it is; it is only a cache, so the message says to delete it. */
public final class CorruptTokenFileException extends IOException {
  CorruptTokenFileException(Path file, String problem) {
    super("token file " + file + " " + problem + "; delete it and it is rebuilt from the corpus");
  }
}

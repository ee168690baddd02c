package dev.jgpt.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/** Turns a {@code --corpus} value into a {@link CorpusSource}; see {@link CorpusSource#resolve}. */
final class CorpusResolver {
  private CorpusResolver() {}

  static CorpusSource resolve(String spec, CorpusOptions options) throws IOException {
    if (spec == null || spec.isBlank()) spec = CorpusSource.DEFAULT;
    if (options.hasGlobs() && isSingleFile(spec)) {
      throw new IllegalArgumentException("--include/--exclude choose files in a folder or a .zip archive, but corpus "
          + spec + " is a single file; leave them out");
    }
    switch (spec) {
      case "jdk" -> { return NamedCorpora.jdk(options); }
      case "shakespeare" -> { return NamedCorpora.shakespeare(options); }
      default -> { }
    }
    Path path;
    try {
      path = Path.of(spec);
    } catch (InvalidPathException e) {
      throw notFound(spec);
    }
    if (Files.isDirectory(path)) return DirectoryCorpus.of(spec, path, options.filter());
    if (!Files.isRegularFile(path)) throw notFound(spec);
    if (!Files.isReadable(path)) throw new IOException("corpus " + spec + " cannot be read (permission denied); check its permissions");
    if (spec.toLowerCase(Locale.ROOT).endsWith(".zip")) return ZipCorpus.of(spec, path, options.filter());
    return FileCorpus.of(spec, path);
  }

  static boolean isSingleFile(String spec) {
    if (spec == null || spec.isBlank()) spec = CorpusSource.DEFAULT;
    if (CorpusSource.NAMED.contains(spec)) return spec.equals("shakespeare");
    try {
      return Files.isRegularFile(Path.of(spec)) && !spec.toLowerCase(Locale.ROOT).endsWith(".zip");
    } catch (InvalidPathException e) {
      return false;
    }
  }

  private static IllegalArgumentException notFound(String spec) {
    return new IllegalArgumentException("corpus '" + spec + "' is neither a file, a folder, a .zip archive nor a named corpus"
        + " (named corpora: " + String.join(", ", CorpusSource.NAMED) + ")");
  }
}

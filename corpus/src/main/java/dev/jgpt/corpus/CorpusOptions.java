package dev.jgpt.corpus;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * How {@link CorpusSource#resolve} reads a {@code --corpus} value: include/exclude globs for
 * folders and archives (for {@code jdk} an include replaces the default subset), the cache folder
 * for downloads and token files, and where the shakespeare corpus comes from (tests point it at
 * a local server). A glob that does not parse is rejected here, before any corpus is read.
 */
public record CorpusOptions(List<String> include, List<String> exclude, Path cacheDir, URI shakespeareUri,
                            String shakespeareSha256) {

  public static final URI SHAKESPEARE_URI =
      URI.create("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt");
  public static final String SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed";

  public CorpusOptions {
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
    PathFilter.of(include, exclude); // throws IllegalArgumentException naming a bad glob
  }

  /** True when there are include or exclude globs. */
  public boolean hasGlobs() {
    return !include.isEmpty() || !exclude.isEmpty();
  }

  public static CorpusOptions defaults() {
    return new CorpusOptions(List.of(), List.of(), CacheDir.defaultPath(), SHAKESPEARE_URI, SHAKESPEARE_SHA256);
  }

  public CorpusOptions withGlobs(List<String> include, List<String> exclude) {
    return new CorpusOptions(include, exclude, cacheDir, shakespeareUri, shakespeareSha256);
  }

  public CorpusOptions withCacheDir(Path cacheDir) {
    return new CorpusOptions(include, exclude, cacheDir, shakespeareUri, shakespeareSha256);
  }

  public CorpusOptions withShakespeare(URI uri, String sha256) {
    return new CorpusOptions(include, exclude, cacheDir, uri, sha256);
  }

  PathFilter filter() {
    return PathFilter.of(include, exclude);
  }
}

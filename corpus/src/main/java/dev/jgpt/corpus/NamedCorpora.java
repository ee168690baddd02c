package dev.jgpt.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The corpora a user can ask for by name: {@code jdk} (the default) and {@code shakespeare}. */
final class NamedCorpora {
  private NamedCorpora() {}

  /**
   * The jdk corpus: the top-level sources of java.util and java.lang from the running JDK's
   * lib/src.zip (273 files, about 8 MB in JDK 25): real, varied text that every JDK carries, so
   * the default works offline.
   */
  static final List<String> JDK_SUBSET = List.of("java.base/java/util/*.java", "java.base/java/lang/*.java");

  static Path jdkSourceZip() {
    return Path.of(System.getProperty("java.home"), "lib", "src.zip");
  }

  static CorpusSource jdk(CorpusOptions options) throws IOException {
    Path zip = jdkSourceZip();
    if (!Files.isRegularFile(zip)) {
      throw new IOException("the jdk corpus needs " + zip + ", which this JDK does not have; install a JDK with its"
          + " sources (e.g. the openjdk-25-source package) or pass --corpus FILE|FOLDER|ZIP");
    }
    List<String> include = options.include().isEmpty() ? JDK_SUBSET : options.include();
    PathFilter filter = PathFilter.of(include, options.exclude());
    // The cache key holds no JDK path or version: a new JDK's src.zip replaces the same token file.
    return ZipCorpus.of("jdk", "jdk?" + filter.describe(), zip, filter);
  }

  static CorpusSource shakespeare(CorpusOptions options) throws IOException {
    Path cached = options.cacheDir().resolve("corpora").resolve("tinyshakespeare.txt");
    VerifiedDownload.fetch("the shakespeare corpus", options.shakespeareUri(), options.shakespeareSha256(), cached);
    return FileCorpus.verified("shakespeare", cached, options.shakespeareSha256());
  }
}

package dev.jgpt.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default corpus, read from the running JDK's lib/src.zip (skipped on JDKs shipped without it). */
class JdkCorpusTest {
  @TempDir Path dir;

  @BeforeAll
  static void needsJdkSources() {
    assumeTrue(Files.isRegularFile(NamedCorpora.jdkSourceZip()), "this JDK has no lib/src.zip");
  }

  @Test
  void isTheTopLevelSourcesOfJavaUtilAndJavaLang() throws IOException {
    CorpusSource jdk = CorpusSource.resolve("jdk", CorpusOptions.defaults());
    assertEquals("jdk", jdk.name());
    List<String> names = jdk.documents().stream().map(DocumentInfo::name).toList();
    assertTrue(names.size() > 150 && names.size() < 600, names.size() + " documents");
    assertTrue(names.contains("java.base/java/util/ArrayList.java"));
    assertTrue(names.contains("java.base/java/lang/String.java"));
    assertTrue(names.stream().allMatch(n -> n.matches("java\\.base/java/(util|lang)/[^/]+\\.java")), "no subpackages");
    assertEquals(names.stream().sorted().toList(), names);
    long mb = jdk.totalBytes() >> 20;
    assertTrue(mb >= 2 && mb <= 20, mb + " MB");
    assertEquals(jdk.fingerprint(), CorpusSource.resolve("jdk", CorpusOptions.defaults()).fingerprint());
  }

  @Test
  void anIncludeReplacesTheDefaultSubset() throws IOException {
    CorpusOptions options = CorpusOptions.defaults().withGlobs(List.of("java.base/java/util/ArrayList.java"), List.of());
    CorpusSource one = CorpusSource.resolve("jdk", options);
    assertEquals(List.of("java.base/java/util/ArrayList.java"), one.documents().stream().map(DocumentInfo::name).toList());
    StringBuilder text = new StringBuilder();
    one.forEachDocument((document, bytes) -> text.append(new String(bytes, StandardCharsets.UTF_8)));
    assertTrue(text.toString().contains("public class ArrayList<E>"));
  }

  @Test
  void tokenizesIntoAReusableTokenFile() throws IOException {
    // Two small files keep the suite fast; the full subset goes through the same code.
    CorpusOptions options = CorpusOptions.defaults()
        .withGlobs(List.of("java.base/java/util/{ArrayList,HashMap}.java"), List.of());
    CorpusSource two = CorpusSource.resolve("jdk", options);
    Tokenizer bytes = Tokenizer.bytesOnly();
    Path file = TokenFile.cachePath(two, bytes, dir);
    assertTrue(file.getFileName().toString().startsWith("jdk-"), file.toString());
    try (TokenFile tokens = TokenFile.prepare(two, bytes, file, 2, BuildProgress.NONE)) {
      assertEquals(2, tokens.documentCount());
      assertEquals(two.totalBytes() + 1, tokens.size(), "one token per byte plus one separator");
      assertEquals(two.totalBytes(), tokens.byteCount());
    }
    try (TokenFile again = TokenFile.prepare(CorpusSource.resolve("jdk", options), bytes, file, 2, BuildProgress.NONE)) {
      assertTrue(!again.built());
    }
  }
}

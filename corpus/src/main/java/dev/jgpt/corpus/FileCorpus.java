package dev.jgpt.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/** One file, one document, read as it is (never skipped as binary: the user named it). */
final class FileCorpus implements CorpusSource {
  private final String name;
  private final String cacheKey;
  private final String fingerprint;
  private final Path file;
  private final DocumentInfo document;

  private FileCorpus(String name, String cacheKey, String fingerprint, Path file, long size) {
    this.name = name;
    this.cacheKey = cacheKey;
    this.fingerprint = fingerprint;
    this.file = file;
    this.document = new DocumentInfo(file.getFileName().toString(), size);
  }

  static FileCorpus of(String spec, Path file) throws IOException {
    Path absolute = file.toAbsolutePath().normalize();
    BasicFileAttributes attributes = Files.readAttributes(absolute, BasicFileAttributes.class);
    String fingerprint = new Fingerprint("file-v1").add(absolute.toString()).add(attributes.size())
        .add(attributes.lastModifiedTime().toString()).hex();
    return checked(new FileCorpus(spec, absolute.toString(), fingerprint, absolute, attributes.size()));
  }

  /** A file whose content is known by its hash (a verified download): the hash is the fingerprint. */
  static FileCorpus verified(String name, Path file, String sha256) throws IOException {
    return checked(new FileCorpus(name, name, sha256, file, Files.size(file)));
  }

  private static FileCorpus checked(FileCorpus corpus) {
    if (corpus.document.size() == 0) {
      throw new IllegalArgumentException("corpus file " + corpus.file + " is empty; give a file with text in it");
    }
    return corpus;
  }

  @Override public String name() { return name; }
  @Override public String cacheKey() { return cacheKey; }
  @Override public String fingerprint() { return fingerprint; }
  @Override public List<DocumentInfo> documents() { return List.of(document); }

  @Override
  public void read(DocumentVisitor visitor) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      BinarySniffer.visit(document, in, false, visitor);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}

package dev.jgpt.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The file entries of a .zip archive that pass the globs, sorted by entry name, read without
 * unpacking. Hidden entries and macOS debris are left out; entries that look binary are skipped
 * while reading. The JDK's lib/src.zip is read this way for the {@code jdk} corpus. Each entry's
 * bytes are checked against its CRC-32 ({@link VerifiedZipEntryStream}): ZipFile does not.
 */
final class ZipCorpus implements CorpusSource {
  private final String name;
  private final String cacheKey;
  private final Path archive;
  private final List<DocumentInfo> documents;
  private final String fingerprint;

  private ZipCorpus(String name, String cacheKey, Path archive, List<DocumentInfo> documents, String fingerprint) {
    this.name = name;
    this.cacheKey = cacheKey;
    this.archive = archive;
    this.documents = documents;
    this.fingerprint = fingerprint;
  }

  static ZipCorpus of(String spec, Path zip, PathFilter filter) throws IOException {
    return of(spec, zip.toAbsolutePath().normalize() + "?" + filter.describe(), zip, filter);
  }

  static ZipCorpus of(String name, String cacheKey, Path zip, PathFilter filter) throws IOException {
    Path archive = zip.toAbsolutePath().normalize();
    BasicFileAttributes attributes = Files.readAttributes(archive, BasicFileAttributes.class);
    List<ZipEntry> entries = new ArrayList<>();
    try (ZipFile file = new ZipFile(archive.toFile())) {
      file.stream().filter(e -> !e.isDirectory() && filter.accepts(e.getName())).forEach(entries::add);
    } catch (ZipException e) {
      throw new IOException(archive + " is not a readable zip archive (" + e.getMessage() + "); check the file", e);
    }
    entries.sort(Comparator.comparing(ZipEntry::getName));
    Fingerprint fp = new Fingerprint("zip-v1").add(archive.toString()).add(filter.describe())
        .add(attributes.size()).add(attributes.lastModifiedTime().toMillis());
    for (ZipEntry e : entries) fp.add(e.getName()).add(e.getSize()).add(e.getCrc());
    List<DocumentInfo> documents = entries.stream().map(e -> new DocumentInfo(e.getName(), e.getSize())).toList();
    if (documents.isEmpty()) {
      throw new IllegalArgumentException("zip archive " + archive + " has no documents (" + filter.describe()
          + ", hidden entries left out); check the archive and the --include/--exclude globs");
    }
    if (documents.stream().allMatch(d -> d.size() == 0)) {
      throw new IllegalArgumentException("zip archive " + archive + " is empty: its " + documents.size()
          + " matching entries have 0 bytes; give an archive with text in it");
    }
    return new ZipCorpus(name, cacheKey, archive, documents, fp.hex());
  }

  @Override public String name() { return name; }
  @Override public String cacheKey() { return cacheKey; }
  @Override public String fingerprint() { return fingerprint; }
  @Override public List<DocumentInfo> documents() { return documents; }

  @Override
  public void read(DocumentVisitor visitor) throws IOException {
    try (ZipFile file = new ZipFile(archive.toFile())) {
      for (DocumentInfo document : documents) {
        ZipEntry entry = file.getEntry(document.name());
        if (entry == null) {
          throw new IOException(archive + " changed while it was read (entry " + document.name() + " is gone); run again");
        }
        try (InputStream in = new VerifiedZipEntryStream(archive, entry, file.getInputStream(entry))) {
          BinarySniffer.visit(document, in, true, visitor);
        }
      }
    }
  }

  @Override
  public String toString() {
    return name;
  }
}

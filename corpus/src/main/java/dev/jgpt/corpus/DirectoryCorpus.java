package dev.jgpt.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every regular file under a folder that passes the globs, sorted by relative path so the
 * order (and so the token file) is the same on every machine. Hidden files and folders are left
 * out, symbolic links are not followed, and files that look binary are skipped while reading.
 */
final class DirectoryCorpus implements CorpusSource {
  private record Listed(String relativePath, Path file, long size, long modifiedMillis) {}

  private final String name;
  private final Path root;
  private final List<Listed> files;
  private final List<DocumentInfo> documents;
  private final String fingerprint;
  private final PathFilter filter;

  private DirectoryCorpus(String name, Path root, List<Listed> files, PathFilter filter) {
    this.name = name;
    this.root = root;
    this.files = files;
    this.filter = filter;
    this.documents = files.stream().map(f -> new DocumentInfo(f.relativePath(), f.size())).toList();
    Fingerprint fp = new Fingerprint("dir-v1").add(root.toString()).add(filter.describe());
    for (Listed f : files) fp.add(f.relativePath()).add(f.size()).add(f.modifiedMillis());
    this.fingerprint = fp.hex();
  }

  static DirectoryCorpus of(String spec, Path dir, PathFilter filter) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    List<Listed> files = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
        return !d.equals(root) && PathFilter.isHidden(d.getFileName().toString())
            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
        String relative = relativeName(root, f);
        if (attrs.isRegularFile() && filter.accepts(relative)) {
          files.add(new Listed(relative, f, attrs.size(), attrs.lastModifiedTime().toMillis()));
        }
        return FileVisitResult.CONTINUE;
      }
    });
    files.sort(Comparator.comparing(Listed::relativePath));
    DirectoryCorpus corpus = new DirectoryCorpus(spec, root, List.copyOf(files), filter);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("corpus folder " + root + " has no documents (" + filter.describe()
          + ", hidden files left out); check the path and the --include/--exclude globs");
    }
    if (corpus.totalBytes() == 0) {
      throw new IllegalArgumentException("corpus folder " + root + " is empty: its " + files.size()
          + " matching files have 0 bytes; give a folder with text in it");
    }
    return corpus;
  }

  private static String relativeName(Path root, Path file) {
    StringBuilder name = new StringBuilder();
    for (Path part : root.relativize(file)) name.append(name.isEmpty() ? "" : "/").append(part);
    return name.toString();
  }

  @Override public String name() { return name; }
  @Override public String cacheKey() { return root + "?" + filter.describe(); }
  @Override public String fingerprint() { return fingerprint; }
  @Override public List<DocumentInfo> documents() { return documents; }

  @Override
  public void read(DocumentVisitor visitor) throws IOException {
    for (int i = 0; i < files.size(); i++) {
      try (InputStream in = Files.newInputStream(files.get(i).file())) {
        BinarySniffer.visit(documents.get(i), in, true, visitor);
      }
    }
  }

  @Override
  public String toString() {
    return name;
  }
}

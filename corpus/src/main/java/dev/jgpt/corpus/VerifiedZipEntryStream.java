package dev.jgpt.corpus;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;

/**
 * An entry's bytes from {@link java.util.zip.ZipFile}, checked against the CRC-32 the archive
 * lists for it when the entry ends. ZipFile checks nothing: a damaged stored entry would become
 * training text silently, and a damaged deflated one fails with an inflater message ("invalid
 * block type") that names neither the archive nor the entry. Both become one message that does.
 */
final class VerifiedZipEntryStream extends FilterInputStream {
  private final Path archive;
  private final ZipEntry entry;
  private final CRC32 crc = new CRC32();
  private long length;
  private boolean verified;

  VerifiedZipEntryStream(Path archive, ZipEntry entry, InputStream in) {
    super(in);
    this.archive = archive;
    this.entry = entry;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = super.read(b, off, len);
    } catch (ZipException e) {
      throw damaged(e.getMessage());
    }
    if (n > 0) {
      crc.update(b, off, n);
      length += n;
    } else if (n < 0 && !verified) {
      verified = true;
      if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
        throw damaged(String.format("CRC-32 %08x, the archive lists %08x", crc.getValue(), entry.getCrc()));
      }
      if (entry.getSize() != -1 && length != entry.getSize()) {
        throw damaged(length + " bytes, the archive lists " + entry.getSize());
      }
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // read, not skip: skipped bytes must enter the checksum too
    byte[] buffer = new byte[(int) Math.min(Math.max(n, 0), 8192)];
    int read = read(buffer, 0, buffer.length);
    return Math.max(read, 0);
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private IOException damaged(String detail) {
    return new IOException("zip archive " + archive + " is damaged: entry " + entry.getName() + " does not read back ("
        + detail + "); re-create or download the archive again, or leave the entry out with --exclude");
  }
}

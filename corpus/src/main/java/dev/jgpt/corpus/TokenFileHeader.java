package dev.jgpt.corpus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The 128-byte header of a token file; the token ids follow it, little-endian, 2 bytes each
 * (unsigned) when the vocabulary has at most 65536 ids, else 4.
 *
 * <pre>
 * offset size field
 *      0    8 magic "JGPTTOKS"
 *      8    4 version (bumped whenever the bytes -> tokens procedure changes)
 *     12    4 token width in bytes: 2 or 4
 *     16    4 vocabulary size
 *     20    4 end-of-text id (the separator between documents)
 *     24    8 token count
 *     32    8 source bytes: bytes of text the tokens decode to, separators excluded
 *     40    8 document count
 *     48   32 tokenizer hash (raw SHA-256)
 *     80   32 corpus fingerprint (raw SHA-256)
 *    112   12 zero
 *    124    4 CRC32C of bytes 0..123
 * </pre>
 */
record TokenFileHeader(int version, int tokenWidth, int vocabSize, int eotId, long tokenCount, long byteCount,
                       long documentCount, byte[] tokenizerHash, byte[] corpusFingerprint) {

  static final int SIZE = 128;
  static final int VERSION = 1;
  private static final byte[] MAGIC = "JGPTTOKS".getBytes(StandardCharsets.US_ASCII);
  private static final int CRC_OFFSET = 124;

  /** uint16 ids when they fit: half the disk and memory traffic of int32. */
  static int widthFor(int vocabSize) {
    return vocabSize <= 65536 ? 2 : 4;
  }

  static TokenFileHeader of(int vocabSize, int eotId, long tokenCount, long byteCount, long documentCount,
                            String tokenizerHash, String corpusFingerprint) {
    return new TokenFileHeader(VERSION, widthFor(vocabSize), vocabSize, eotId, tokenCount, byteCount, documentCount,
        Sha256.raw(tokenizerHash), Sha256.raw(corpusFingerprint));
  }

  boolean matches(String tokenizerHash, String corpusFingerprint) {
    return Arrays.equals(this.tokenizerHash, Sha256.raw(tokenizerHash))
        && Arrays.equals(this.corpusFingerprint, Sha256.raw(corpusFingerprint));
  }

  long fileSize() {
    return SIZE + tokenCount * tokenWidth;
  }

  String tokenizerHashHex() {
    return HexFormat.of().formatHex(tokenizerHash);
  }

  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(version).putInt(tokenWidth).putInt(vocabSize).putInt(eotId)
        .putLong(tokenCount).putLong(byteCount).putLong(documentCount).put(tokenizerHash).put(corpusFingerprint);
    b.putInt(CRC_OFFSET, crc(b));
    return b.rewind();
  }

  /**
   * Reads and checks a header: every failure is an exception whose one-line message names the
   * file, what is wrong and that deleting the file (a cache) is safe.
   */
  static TokenFileHeader decode(ByteBuffer raw, long fileSize, Path file) throws IOException {
    if (fileSize < SIZE) {
      throw new CorruptTokenFileException(file, "is truncated: " + fileSize + " bytes, shorter than its " + SIZE + "-byte header");
    }
    ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[MAGIC.length];
    b.get(0, magic);
    if (!Arrays.equals(magic, MAGIC)) throw new CorruptTokenFileException(file, "is not a jgpt token file (bad magic)");
    int version = b.getInt(8);
    if (version != VERSION) {
      throw new CorruptTokenFileException(file, "has token file version " + version + ", this jgpt reads version " + VERSION);
    }
    if (b.getInt(CRC_OFFSET) != crc(b)) throw new CorruptTokenFileException(file, "has a corrupt header (checksum mismatch)");
    byte[] tokenizerHash = new byte[32];
    byte[] corpusFingerprint = new byte[32];
    b.get(48, tokenizerHash).get(80, corpusFingerprint);
    TokenFileHeader h = new TokenFileHeader(version, b.getInt(12), b.getInt(16), b.getInt(20), b.getLong(24),
        b.getLong(32), b.getLong(40), tokenizerHash, corpusFingerprint);
    if (h.tokenWidth != widthFor(h.vocabSize) || h.tokenCount < 0 || h.eotId < 0 || h.eotId >= h.vocabSize) {
      throw new CorruptTokenFileException(file, "has an inconsistent header (width " + h.tokenWidth + ", vocabulary "
          + h.vocabSize + ", " + h.tokenCount + " tokens)");
    }
    if (fileSize != h.fileSize()) {
      throw new CorruptTokenFileException(file, (fileSize < h.fileSize() ? "is truncated" : "has trailing bytes")
          + ": " + fileSize + " bytes, expected " + h.fileSize() + " for " + h.tokenCount + " tokens");
    }
    return h;
  }

  private static int crc(ByteBuffer header) {
    CRC32C crc = new CRC32C();
    crc.update(header.duplicate().position(0).limit(CRC_OFFSET));
    return (int) crc.getValue();
  }
}

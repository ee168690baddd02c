package dev.jgpt.corpus;

import dev.jgpt.common.AtomicFile;
import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Tokenizes a corpus into a token file: documents are cut into chunks, chunks are encoded on
 * {@code threads} threads, and the ids are written in corpus order with the end-of-text id
 * between documents. The file is written under a temporary name and renamed when complete;
 * any failure, and a stop request (checked between chunks), removes the temporary file.
 */
final class TokenFileWriter {
  private TokenFileWriter() {}

  private static final int WRITE_BUFFER = 1 << 20;

  static TokenFileHeader write(CorpusSource source, Tokenizer tokenizer, Path target, int threads,
                               BuildProgress progress) throws IOException {
    return write(source, tokenizer, target, threads, progress, () -> false);
  }

  static TokenFileHeader write(CorpusSource source, Tokenizer tokenizer, Path target, int threads,
                               BuildProgress progress, BooleanSupplier stopRequested) throws IOException {
    return write(source, tokenizer, target, threads, progress, stopRequested, DocumentChunker.TARGET);
  }

  /** With chunks of about {@code chunkTarget} bytes (tests use small ones to get many cuts). */
  static TokenFileHeader write(CorpusSource source, Tokenizer tokenizer, Path target, int threads,
                               BuildProgress progress, BooleanSupplier stopRequested, int chunkTarget) throws IOException {
    if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    if (tokenizer.eotId() < 0) {
      throw new IllegalArgumentException("the tokenizer has no " + Tokenizer.END_OF_TEXT
          + " token to put between documents; use a tokenizer that has one");
    }
    Path folder = target.toAbsolutePath().getParent();
    Files.createDirectories(folder);
    Path temporary = Files.createTempFile(folder, target.getFileName() + ".", ".part");
    ExecutorService pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, daemonThreads());
    try {
      return AtomicFile.writeChannel(target, temporary, channel -> {
        Pipeline pipeline = new Pipeline(source, tokenizer, channel, pool, threads, progress, stopRequested, chunkTarget);
        source.read(pipeline);
        pipeline.finish();
        TokenFileHeader header = pipeline.header();
        channel.write(header.encode(), 0); // the header last: the counts are known only now
        return header;
      });
    } finally {
      if (pool != null) pool.shutdownNow();
    }
  }

  /** Encodes chunks ahead on the pool and writes them, oldest first, so the order is the corpus order. */
  private static final class Pipeline implements DocumentVisitor {
    private record Pending(Future<int[]> ids, long bytes) {}

    private final CorpusSource source;
    private final Tokenizer tokenizer;
    private final FileChannel channel;
    private final ExecutorService pool;
    private final int maxPending;
    private final BuildProgress progress;
    private final BooleanSupplier stopRequested;
    private final int width;
    private final int chunkTarget;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    // (WRITE_BUFFER bytes) encoded ids waiting to be written: width bytes each, little-endian
    private final ByteBuffer out = ByteBuffer.allocate(WRITE_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private long tokens;
    private long bytes;
    private long documents;
    private long skippedBytes;
    private int skippedDocuments;

    Pipeline(CorpusSource source, Tokenizer tokenizer, FileChannel channel, ExecutorService pool, int threads,
             BuildProgress progress, BooleanSupplier stopRequested, int chunkTarget) throws IOException {
      this.source = source;
      this.stopRequested = stopRequested;
      this.chunkTarget = chunkTarget;
      this.tokenizer = tokenizer;
      this.channel = channel;
      this.pool = pool;
      this.maxPending = 4 * threads;
      this.progress = progress;
      this.width = TokenFileHeader.widthFor(tokenizer.vocabSize());
      channel.position(TokenFileHeader.SIZE);
      progress.update(0, source.totalBytes());
    }

    @Override
    public void visit(DocumentInfo document, InputStream in) throws IOException {
      DocumentChunker chunker = new DocumentChunker(in, chunkTarget);
      boolean first = true;
      for (byte[] chunk = chunker.next(); chunk != null; chunk = chunker.next()) {
        if (stopRequested.getAsBoolean()) {
          throw new InterruptedIOException("tokenizing " + source.name() + " was stopped; the partial token file was removed");
        }
        if (first) {
          if (documents > 0) enqueue(CompletableFuture.completedFuture(new int[] {tokenizer.eotId()}), 0);
          documents++;
          first = false;
        }
        enqueue(encode(chunk), chunk.length);
      }
    }

    @Override
    public void skipped(DocumentInfo document) {
      skippedDocuments++;
      skippedBytes += Math.max(0, document.size());
    }

    private Future<int[]> encode(byte[] chunk) {
      if (pool == null) return CompletableFuture.completedFuture(tokenizer.encodeBytes(chunk, 0, chunk.length));
      return pool.submit(() -> tokenizer.encodeBytes(chunk, 0, chunk.length));
    }

    private void enqueue(Future<int[]> ids, long chunkBytes) throws IOException {
      pending.add(new Pending(ids, chunkBytes));
      while (pending.size() > maxPending) writeOldest();
    }

    void finish() throws IOException {
      while (!pending.isEmpty()) writeOldest();
      flush();
      if (documents == 0) {
        throw new IllegalArgumentException("corpus " + source.name() + " has no text: all " + skippedDocuments
            + " of its documents look binary (a NUL byte in the first 8 KiB); give text files");
      }
    }

    TokenFileHeader header() {
      return TokenFileHeader.of(tokenizer.vocabSize(), tokenizer.eotId(), tokens, bytes, documents, tokenizer.hash(),
          source.fingerprint());
    }

    private void writeOldest() throws IOException {
      Pending next = pending.remove();
      int[] ids = await(next.ids());
      int vocab = tokenizer.vocabSize();
      for (int id : ids) {
        if (id < 0 || id >= vocab) {
          throw new IllegalStateException("the tokenizer produced id " + id + " outside its vocabulary of " + vocab);
        }
        if (out.remaining() < width) flush();
        if (width == 2) out.putShort((short) id);
        else out.putInt(id);
      }
      tokens += ids.length;
      bytes += next.bytes();
      long done = bytes + skippedBytes;
      progress.update(done, Math.max(done, source.totalBytes()));
    }

    private void flush() throws IOException {
      out.flip();
      while (out.hasRemaining()) channel.write(out);
      out.clear();
    }

    private static int[] await(Future<int[]> ids) throws IOException {
      try {
        return ids.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while tokenizing the corpus");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException r) throw r;
        if (cause instanceof Error error) throw error;
        if (cause instanceof IOException io) throw io;
        throw new UncheckedIOException(new IOException(cause));
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return task -> {
      Thread t = new Thread(task, "jgpt-tokenize-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}

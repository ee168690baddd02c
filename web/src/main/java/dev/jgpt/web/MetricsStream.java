package dev.jgpt.web;

import com.sun.net.httpserver.HttpExchange;
import dev.jgpt.common.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /api/runs/{name}/metrics/stream}: metrics.jsonl as server-sent events. First every
 * line already there, then the file is tailed by position: each poll reads only the bytes
 * appended since the last one, and sends the complete lines among them (a line the trainer is
 * still writing waits for its newline).
 *
 * <p>Events: {@code metrics} with {@code {"lines": [record, ...]}}; {@code reset} when the file
 * was replaced or shortened (a resumed run drops the lines after its checkpoint, writing a new
 * file), after which every line is sent again. A comment line every few seconds finds a closed
 * browser tab.
 */
final class MetricsStream {
  static final long POLL_MILLIS = 250;
  private static final long HEARTBEAT_MILLIS = 10_000;
  /** Bytes read per poll at most, so a huge log streams in pieces rather than one allocation. */
  private static final int MAX_READ = 4 << 20;

  private final Path file;
  private Object fileKey; // identity of the file read so far (inode), to see it replaced
  private long position; // bytes consumed: always just after a newline
  private byte[] pending = new byte[0]; // bytes read after the last newline

  MetricsStream(Path file) {
    this.file = file;
  }

  /** Streams until the client goes away or {@code stopped} says so. */
  void run(HttpExchange ex, BooleanSupplier stopped) throws IOException, InterruptedException {
    Sse sse = Sse.start(ex);
    long lastWrite = System.currentTimeMillis();
    sse.event("hello", Map.of("file", file.getFileName().toString(), "poll_ms", POLL_MILLIS));
    while (!stopped.getAsBoolean()) {
      List<Map<String, Object>> lines = poll(sse);
      if (!lines.isEmpty()) {
        sse.event("metrics", Map.of("lines", lines));
        lastWrite = System.currentTimeMillis();
        continue; // more may be waiting (a large file is read in pieces)
      }
      if (System.currentTimeMillis() - lastWrite > HEARTBEAT_MILLIS) {
        sse.comment("ping");
        lastWrite = System.currentTimeMillis();
      }
      Thread.sleep(POLL_MILLIS);
    }
    sse.close();
  }

  /** The records appended since the last poll (sending {@code reset} first when the file was replaced). */
  List<Map<String, Object>> poll(Sse sse) throws IOException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return List.of(); // not written yet, or mid-rename
    }
    Object key = attrs.fileKey();
    if ((fileKey != null && key != null && !Objects.equals(key, fileKey)) || attrs.size() < position) {
      position = 0;
      pending = new byte[0];
      if (sse != null) sse.event("reset", Map.of());
    }
    fileKey = key;
    long size = attrs.size();
    long start = position + pending.length;
    if (size <= start) return List.of();
    int n = (int) Math.min(MAX_READ, size - start);
    ByteBuffer buf = ByteBuffer.allocate(pending.length + n);
    buf.put(pending);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ch.position(start);
      while (buf.hasRemaining() && ch.read(buf) > 0) {}
    } catch (NoSuchFileException e) {
      return List.of();
    }
    byte[] bytes = new byte[buf.position()];
    buf.flip().get(bytes);
    int lastNewline = -1;
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] == '\n') {
        lastNewline = i;
        break;
      }
    }
    if (lastNewline < 0) {
      pending = bytes;
      return List.of();
    }
    String complete = new String(bytes, 0, lastNewline + 1, StandardCharsets.UTF_8);
    pending = java.util.Arrays.copyOfRange(bytes, lastNewline + 1, bytes.length);
    position += lastNewline + 1;
    return RunsFolder.parseLines(complete);
  }

  /** Server-sent events over a chunked response. */
  static final class Sse implements AutoCloseable {
    private final HttpExchange ex;
    private final java.io.OutputStream out;

    private Sse(HttpExchange ex) {
      this.ex = ex;
      this.out = ex.getResponseBody();
    }

    static Sse start(HttpExchange ex) throws IOException {
      ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      ex.getResponseHeaders().set("X-Accel-Buffering", "no");
      ex.sendResponseHeaders(200, 0); // length 0: chunked, open-ended
      return new Sse(ex);
    }

    /** One event; {@code data} is written as one line of JSON. */
    synchronized void event(String name, Object data) throws IOException {
      String text = "event: " + name + "\ndata: " + Json.write(data) + "\n\n";
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    synchronized void comment(String text) throws IOException {
      out.write((": " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    @Override
    public void close() {
      try {
        out.close();
      } catch (IOException ignored) {
        // gone already
      }
      ex.close();
    }
  }
}

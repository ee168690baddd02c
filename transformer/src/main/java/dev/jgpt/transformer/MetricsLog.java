package dev.jgpt.transformer;

import dev.jgpt.common.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per line, one line per logged step or evaluation
 * ({@code step, train_loss, val_loss, val_bpb, lr, tokens_per_s, ms_per_step}, plus
 * {@code grad_norm} and {@code elapsed_s}; values not measured at that step are null). Each
 * line is one write, so a kill leaves at most a partial last line, which {@link #open} drops.
 * The trainer keeps {@code samples.jsonl} ({@code step, text}) the same way.
 */
public final class MetricsLog implements AutoCloseable {
  private final FileChannel channel;

  private MetricsLog(FileChannel channel) {
    this.channel = channel;
  }

  /**
   * Opens the log for appending. Lines of steps after {@code keepUpToStep} (written after the
   * checkpoint a run resumes from) and a partial last line are removed first, so the resumed
   * run's lines follow on without duplicates.
   */
  public static MetricsLog open(Path file, long keepUpToStep) throws IOException {
    if (Files.exists(file)) {
      List<String> kept = new ArrayList<>();
      boolean changed = false;
      String text = readLenient(file);
      for (String line : text.lines().toList()) {
        if (keep(line, keepUpToStep)) kept.add(line);
        else changed = true;
      }
      if (changed || (!text.isEmpty() && !text.endsWith("\n"))) {
        StringBuilder sb = new StringBuilder();
        for (String l : kept) sb.append(l).append('\n');
        CheckpointFiles.writeString(file, sb.toString());
      }
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    return new MetricsLog(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND));
  }

  private static boolean keep(String line, long keepUpToStep) {
    try {
      return Json.getLong(Json.parseObject(line), "step", Long.MAX_VALUE) <= keepUpToStep;
    } catch (IllegalArgumentException e) {
      return false; // a partial line from a killed run
    }
  }

  /** Appends one record as a line. */
  public void append(Map<String, Object> record) throws IOException {
    byte[] line = (Json.write(record) + "\n").getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.wrap(line);
    while (buf.hasRemaining()) channel.write(buf);
  }

  /**
   * Reads every record of a metrics file (for tests and tools). A last line without its newline
   * that does not parse is left out: the line a running trainer is writing (readers such as
   * {@code jgpt plot} may read during training), or a killed run's partial line.
   */
  public static List<Map<String, Object>> read(Path file) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    String text = readLenient(file);
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) continue;
      boolean unfinished = i == lines.size() - 1 && !text.endsWith("\n");
      try {
        out.add(Json.parseObject(line));
      } catch (IllegalArgumentException e) {
        if (!unfinished) throw e;
      }
    }
    return out;
  }

  /**
   * The log's text with any byte that is not UTF-8 replaced (U+FFFD): a run killed mid-write can
   * cut a character in two, and that line is dropped as partial rather than failing the resume.
   */
  private static String readLenient(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}

package dev.jgpt.cli.repl;

import dev.jgpt.common.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code :save} writes: a script that replays the session. The model and the settings at
 * the start, then every input line as typed (commands that change nothing a replay needs left
 * out), with each generation's text after it as comments.
 */
final class Transcript {
  private final List<String> lines = new ArrayList<>();
  private String initialModel; // the run the session started with, or null

  /** The run the session opened before its first line. */
  void startedWith(String run) {
    initialModel = run;
  }

  /** Text typed to continue (or empty: continue the context). */
  void input(String line) {
    lines.add(scriptLine(line));
  }

  /** A command line, as its table entry says it goes into a script. */
  void command(ReplCommands.Command command, String line, String arg) {
    switch (command.script()) {
      case AS_TYPED -> lines.add(scriptLine(line));
      case RUN_FOLDER -> lines.add(command.name() + " " + absoluteRun(arg.strip()));
      case SKIPPED -> {}
    }
  }

  /** A generation's text, as comments (a replay skips them). */
  void output(String text) {
    for (String l : text.split("\n", -1)) lines.add("# " + l);
  }

  /**
   * Writes the script to {@code file} and returns how many input lines it holds. Run folders are
   * written as absolute paths, so the script replays from any folder; the file's folder must exist
   * (a typo is an error, not a new folder).
   */
  int save(Path file, List<String> initialSettings) throws IOException {
    Path folder = file.toAbsolutePath().getParent();
    if (folder != null && !Files.isDirectory(folder)) {
      throw new IllegalArgumentException(":save: no folder " + folder + " (create it first, or save elsewhere)");
    }
    StringBuilder sb = new StringBuilder();
    sb.append("# jgpt repl session saved ")
        .append(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")))
        .append("; replay it with: jgpt repl < ").append(file.getFileName()).append('\n');
    if (initialModel != null) sb.append(":load ").append(absoluteRun(initialModel)).append('\n');
    for (String s : initialSettings) sb.append(s).append('\n');
    for (String s : lines) sb.append(s).append('\n');
    byte[] script = LosslessText.encode(sb.toString()); // the bytes that were typed, so a replay scores the same
    AtomicFile.write(file, script);
    return lines.size();
  }

  /** A run folder as an absolute path when it exists here; anything else as typed. */
  private static String absoluteRun(String run) {
    try {
      Path p = Path.of(run);
      return Files.isDirectory(p) ? p.toAbsolutePath().normalize().toString() : run;
    } catch (InvalidPathException e) {
      return run;
    }
  }

  /** An input as a script line: multi-line input continues with a trailing backslash, as typed. */
  private static String scriptLine(String input) {
    return input.replace("\n", "\\\n");
  }
}

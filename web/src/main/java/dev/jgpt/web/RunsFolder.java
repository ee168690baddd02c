package dev.jgpt.web;

import dev.jgpt.common.Json;
import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.CheckpointState;
import dev.jgpt.transformer.MetricsLog;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.interop.ModelFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The run folders under {@code --runs}: each direct subfolder with a config.json, a state.json or
 * a metrics.jsonl (a run that has just started shows before its first checkpoint). Only reads:
 * summaries come from config.json and state.json as they are (no recovery of an interrupted
 * save, which is the trainer's job), models from {@link ModelFolder#load}.
 */
final class RunsFolder {
  private final Path root; // absolute, normalized

  RunsFolder(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  Path root() {
    return root;
  }

  /** Names of the runs, most recently changed first. */
  List<String> names() throws IOException {
    if (!Files.isDirectory(root)) return List.of();
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      s.filter(d -> Files.isDirectory(d) && isRun(d)).forEach(dirs::add);
    }
    dirs.sort(Comparator.comparingLong(RunsFolder::lastChange).reversed().thenComparing(Path::toString));
    return dirs.stream().map(d -> d.getFileName().toString()).toList();
  }

  private static boolean isRun(Path d) {
    return Files.exists(d.resolve(Checkpoint.CONFIG)) || Checkpoint.exists(d)
        || Files.exists(d.resolve(Checkpoint.METRICS)) || ModelFolder.isModelFolder(d);
  }

  private static long lastChange(Path d) {
    long t = 0;
    for (String f : List.of(Checkpoint.STATE, Checkpoint.METRICS, Checkpoint.CONFIG)) {
      try {
        t = Math.max(t, Files.getLastModifiedTime(d.resolve(f)).toMillis());
      } catch (IOException e) {
        // absent
      }
    }
    return t;
  }

  /**
   * The folder of run {@code name}: a direct child of the root, reached without leaving it (a
   * symbolic link pointing outside is refused too). 404 when there is no such run.
   */
  Path resolve(String name) throws IOException {
    if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")
        || name.contains("\\") || name.indexOf('\0') >= 0) {
      throw ApiError.badRequest("not a run name: " + name);
    }
    Path dir = root.resolve(name).normalize();
    if (!dir.getParent().equals(root)) throw ApiError.badRequest("not a run name: " + name);
    if (!Files.isDirectory(dir) || !isRun(dir)) throw ApiError.notFound("no run named " + name + " under " + root);
    Path real = dir.toRealPath();
    if (!real.startsWith(root.toRealPath(LinkOption.NOFOLLOW_LINKS).toRealPath())) {
      throw ApiError.badRequest("run " + name + " leads outside " + root);
    }
    return dir;
  }

  /**
   * What the dashboard shows about a run: its configuration, where training stands (from
   * state.json), whether it has a model to generate with, and an error line when its files do
   * not read.
   */
  Map<String, Object> summary(String name) throws IOException {
    Path dir = resolve(name);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", name);
    List<String> problems = new ArrayList<>();
    TrainConfig config = null;
    CheckpointState state = null;
    if (Files.exists(dir.resolve(Checkpoint.STATE)) || Files.exists(dir.resolve(Checkpoint.STATE + ".new"))) {
      try {
        state = readState(dir);
        config = state.config();
      } catch (IOException | RuntimeException e) {
        problems.add("state.json: " + Router.oneLine(e));
      }
    }
    // A Hugging Face GPT-2 folder (jgpt import leaves runs; a downloaded one may sit here too).
    boolean hf = state == null && ModelFolder.isModelFolder(dir);
    if (config == null && !hf && Files.exists(dir.resolve(Checkpoint.CONFIG))) {
      try {
        config = RunDirectory.readConfig(dir);
      } catch (IOException | RuntimeException e) {
        problems.add(Router.oneLine(e));
      }
    }
    out.put("kind", hf ? "huggingface" : "jgpt");
    out.put("config", config == null ? null : config.toMap());
    if (hf) {
      // its shapes from config.json (the weights are not read for a listing)
      try {
        var shape = ModelFolder.configBeforeLoading(dir);
        if (shape != null) out.put("model", InsideView.modelShape(shape));
      } catch (IOException | RuntimeException e) {
        problems.add(Router.oneLine(e));
      }
    }
    if (state != null) {
      out.put("step", state.step());
      out.put("tokens_seen", state.tokensSeen());
      out.put("train_loss", state.trainLoss());
      out.put("best_val_loss", state.bestValLoss());
      out.put("best_step", state.bestStep());
      out.put("elapsed_s", state.elapsedSeconds());
    }
    out.put("has_model", (state != null || hf) && problems.isEmpty());
    out.put("has_metrics", Files.exists(dir.resolve(Checkpoint.METRICS)));
    out.put("has_best", Checkpoint.exists(dir.resolve("best")));
    out.put("modified_ms", lastChange(dir));
    out.put("samples", samples(dir, problems));
    out.put("error", problems.isEmpty() ? null : String.join("; ", problems));
    return out;
  }

  /**
   * state.json as committed, read without touching the folder: the pending {@code state.json.new}
   * of a save whose renames are not done yet is the newer committed state when it exists.
   */
  private static CheckpointState readState(Path dir) throws IOException {
    for (String f : List.of(Checkpoint.STATE + ".new", Checkpoint.STATE)) {
      Path p = dir.resolve(f);
      try {
        return CheckpointState.parse(Files.readString(p), p.toString());
      } catch (NoSuchFileException e) {
        // renamed meanwhile: try the other name
      }
    }
    throw new NoSuchFileException(dir.resolve(Checkpoint.STATE).toString());
  }

  /** Every record of metrics.jsonl (complete lines; a bad line is skipped). */
  static List<Map<String, Object>> parseLines(String text) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : text.lines().toList()) {
      if (line.isBlank()) continue;
      try {
        out.add(Json.parseObject(line));
      } catch (IllegalArgumentException e) {
        // a partial line from a killed run: MetricsLog drops it on resume
      }
    }
    return out;
  }

  /** The samples the trainer kept at its evaluations (samples.jsonl), newest last, at most the last 20. */
  private static List<Map<String, Object>> samples(Path dir, List<String> problems) {
    Path file = dir.resolve(Checkpoint.SAMPLES);
    if (!Files.exists(file)) return List.of();
    try {
      List<Map<String, Object>> all = MetricsLog.read(file);
      return all.subList(Math.max(0, all.size() - 20), all.size());
    } catch (IOException | RuntimeException e) {
      problems.add(Router.oneLine(e));
      return List.of();
    }
  }
}

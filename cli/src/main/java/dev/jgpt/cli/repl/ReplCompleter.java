package dev.jgpt.cli.repl;

import java.nio.file.Path;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/** Tab completion: command names, their keyword arguments (on/off...), and run folders for :load. */
final class ReplCompleter implements Completer {
  private final Path runsRoot;

  ReplCompleter(Path runsRoot) {
    this.runsRoot = runsRoot;
  }

  @Override
  public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
    List<String> words = line.words();
    if (line.wordIndex() == 0) {
      if (!line.word().isEmpty() && !line.word().startsWith(":")) return; // plain text: nothing to complete
      for (ReplCommands.Command i : ReplCommands.ALL) {
        candidates.add(new Candidate(i.name(), i.name(), null, i.help(), null, null, true));
      }
      return;
    }
    if (line.wordIndex() != 1 || words.isEmpty()) return;
    ReplCommands.find(words.get(0)).ifPresent(info -> {
      for (String v : info.values()) candidates.add(new Candidate(v));
      if (info.name().equals(":load")) {
        for (Path run : RunFinder.runs(runsRoot)) candidates.add(new Candidate(run.toString()));
      }
    });
  }
}

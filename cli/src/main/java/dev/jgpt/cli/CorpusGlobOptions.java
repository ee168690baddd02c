package dev.jgpt.cli;

import dev.jgpt.corpus.CorpusOptions;
import dev.jgpt.corpus.CorpusSource;
import dev.jgpt.transformer.TrainConfigKey;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --include} and {@code --exclude}, shared by {@code train} and {@code tokenizer train}:
 * which files of a corpus folder or .zip archive are read. A glob that does not parse, or globs
 * on a corpus that is a single file, is a usage error (exit 2), found before anything is read.
 * Their help is train's include and exclude settings' ({@link TrainConfigKey}).
 */
final class CorpusGlobOptions {
  @Option(names = "--include", paramLabel = "GLOB", description = TrainConfigKey.INCLUDE_HELP)
  List<String> include;

  @Option(names = "--exclude", paramLabel = "GLOB", description = TrainConfigKey.EXCLUDE_HELP)
  List<String> exclude;

  List<String> include() {
    return include == null ? List.of() : include;
  }

  List<String> exclude() {
    return exclude == null ? List.of() : exclude;
  }

  /** Corpus options with these flags' globs; see {@link #corpusOptions(CommandSpec, String, List, List)}. */
  CorpusOptions corpusOptions(CommandSpec command, String corpus) {
    return corpusOptions(command, corpus, include(), exclude());
  }

  /** The default corpus options with {@code include} and {@code exclude}, checked against {@code corpus}. */
  static CorpusOptions corpusOptions(CommandSpec command, String corpus, List<String> include, List<String> exclude) {
    if ((!include.isEmpty() || !exclude.isEmpty()) && CorpusSource.isSingleFile(corpus)) {
      throw new ParameterException(command.commandLine(), "--include/--exclude choose files in a folder or a .zip archive, "
          + "but --corpus " + corpus + " is a single file; leave them out");
    }
    try {
      return CorpusOptions.defaults().withGlobs(include, exclude);
    } catch (IllegalArgumentException badGlob) {
      throw new ParameterException(command.commandLine(), badGlob.getMessage());
    }
  }
}

package dev.jgpt.cli;

import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code jgpt tokenizer decode}: token ids in, the exact bytes they stand for out. */
@Command(
    name = "decode",
    mixinStandardHelpOptions = true,
    description = {
      "Decode token ids into text. Ids come from the arguments, else standard input, separated by spaces, "
          + "commas or newlines (a JSON array works too).",
      "The bytes are written exactly (invalid UTF-8 included), so encode | decode gives the input back.",
      "Example: jgpt tokenizer decode --tokenizer tokenizer.json 15496 995"
    })
final class TokenizerDecodeCommand implements Callable<Integer> {
  @Mixin TokenizerOptions tokenizerOptions;

  @Parameters(paramLabel = "ID", arity = "0..*", description = "Token ids (default: read from standard input).")
  List<String> idArgs = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    String input = idArgs.isEmpty() ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : String.join(" ", idArgs);
    int[] ids = parseIds(input);
    Tokenizer tokenizer = tokenizerOptions.load();
    byte[] bytes = tokenizer.decodeBytes(ids);
    System.out.write(bytes);
    // A terminal gets a final newline so the prompt starts on its own line; pipes get the bytes exactly.
    if (TrainProgress.stdoutIsTerminal() && (bytes.length == 0 || bytes[bytes.length - 1] != '\n')) System.out.write('\n');
    System.out.flush();
    return 0;
  }

  /** Integers separated by whitespace, commas or brackets; anything else is an error naming it. */
  static int[] parseIds(String input) {
    String[] parts = input.split("[\\s,\\[\\]]+");
    int[] ids = new int[parts.length];
    int n = 0;
    for (String p : parts) {
      if (p.isEmpty()) continue;
      try {
        ids[n++] = Integer.parseInt(p);
      } catch (NumberFormatException e) {
        String shown = p.length() > 20 ? p.substring(0, 20) + "..." : p;
        throw new IllegalArgumentException("'" + shown + "' is not a token id; give integers separated by spaces");
      }
    }
    return java.util.Arrays.copyOf(ids, n);
  }
}

package dev.jgpt.cli;

import dev.jgpt.tokenizer.SpecialMode;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.common.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jgpt tokenizer encode}: text in, token ids out. */
@Command(
    name = "encode",
    mixinStandardHelpOptions = true,
    description = {
      "Encode text into token ids (space-separated on one line).",
      "The text comes from --text, else standard input (read as raw bytes: invalid UTF-8 survives).",
      "With --jsonl, each input line is a JSON object with a \"text\" field; it is written back with an \"ids\" array.",
      "Example: echo 'Hello world' | jgpt tokenizer encode --tokenizer tokenizer.json"
    })
final class TokenizerEncodeCommand implements Callable<Integer> {
  @Mixin TokenizerOptions tokenizerOptions;

  @Option(names = "--text", paramLabel = "TEXT", description = "The text to encode (default: standard input).")
  String text;

  @Option(names = "--jsonl", description = "Read JSON lines with a \"text\" field from standard input; write each with an added \"ids\" array.")
  boolean jsonl;

  @Option(names = "--special-tokens", paramLabel = "MODE", defaultValue = "ordinary",
      description = "Special-token text such as <|endoftext|>: ordinary (plain text), allow (its id), disallow (an error). "
          + "Default: ${DEFAULT-VALUE}.")
  SpecialMode specialMode;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (jsonl && text != null) throw new ParameterException(spec.commandLine(), "--jsonl reads standard input; leave out --text");
    Tokenizer tokenizer = tokenizerOptions.load();
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
    if (jsonl) {
      try {
        encodeJsonLines(tokenizer, out);
      } finally {
        out.flush(); // the lines before a bad one, whole: the writer holds complete lines only
      }
    } else {
      int[] ids;
      if (text != null) {
        ids = tokenizer.encode(text, specialMode);
      } else {
        byte[] input = System.in.readAllBytes();
        ids = tokenizer.encodeBytes(input, 0, input.length, specialMode);
      }
      out.println(joinIds(ids));
    }
    out.flush();
    return 0;
  }

  private void encodeJsonLines(Tokenizer tokenizer, PrintWriter out) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    int lineNo = 0;
    StringBuilder sb = new StringBuilder();
    while ((line = in.readLine()) != null) {
      lineNo++;
      if (line.isBlank()) {
        out.println(); // keep input and output lines aligned
        continue;
      }
      Map<String, Object> obj;
      try {
        obj = Json.parseObject(line);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + lineNo + ": " + e.getMessage());
      }
      if (!(obj.get("text") instanceof String s)) {
        throw new IllegalArgumentException("line " + lineNo + ": expected an object with a \"text\" string field");
      }
      Map<String, Object> result = new LinkedHashMap<>(obj);
      try {
        result.put("ids", tokenizer.encode(s, specialMode));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + lineNo + ": " + e.getMessage());
      }
      sb.setLength(0);
      Json.write(result, sb);
      out.println(sb);
    }
  }

  static String joinIds(int[] ids) {
    StringBuilder sb = new StringBuilder(ids.length * 6);
    for (int i = 0; i < ids.length; i++) {
      if (i > 0) sb.append(' ');
      sb.append(ids[i]);
    }
    return sb.toString();
  }
}

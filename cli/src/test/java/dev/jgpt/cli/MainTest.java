package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

  @Test
  void versionNamesJgptAndTheJvm() {
    CliRunner.Result r = CliRunner.run("--version");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("jgpt "), r.toString());
    assertTrue(r.out().contains("Java "), r.toString());
  }

  @Test
  void helpListsTheCommands() {
    CliRunner.Result r = CliRunner.run("--help");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("tokenizer"), r.toString());
    assertTrue(r.out().contains("bench"), r.toString());
  }

  @Test
  void theCommandListShowsEachCommandsWholeFirstSentence() {
    // `jgpt --help` lists each command by the first line of its description only
    List<String> cut = new ArrayList<>();
    for (var e : Main.newCommandLine().getSubcommands().entrySet()) {
      String[] description = e.getValue().getCommandSpec().usageMessage().description();
      if (description.length > 0 && !description[0].strip().endsWith(".")) cut.add(e.getKey() + ": " + description[0]);
    }
    assertTrue(cut.isEmpty(), "first description lines that stop mid-sentence:\n" + String.join("\n", cut));
  }

  @Test
  void everyCommandHasHelp() {
    List<String> failures = new ArrayList<>();
    for (List<String> path : commandPaths(Main.newCommandLine(), new ArrayList<>())) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
      // picocli warns on stderr when a description has an unescaped '%'.
      if (r.exitCode() != 0 || !r.out().contains("Usage:") || r.err().contains("WARN")) {
        failures.add(String.join(" ", args) + " -> " + r);
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void unknownFlagIsOneLineUsageErrorWithExit2() {
    CliRunner.Result r = CliRunner.run("--no-such-flag");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), r.toString());
    assertTrue(r.err().contains("--no-such-flag"), r.toString());
    assertFalse(r.err().contains("at dev.jgpt"), "no stack trace without --debug: " + r);
  }

  @Test
  void unknownSubcommandFlagNamesTheCommand() {
    CliRunner.Result r = CliRunner.run("tokenizer", "--frobnicate");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("jgpt tokenizer: "), r.toString());
    assertTrue(r.err().contains("--frobnicate"), r.toString());
  }

  private static List<List<String>> commandPaths(CommandLine cl, List<String> prefix) {
    List<List<String>> paths = new ArrayList<>();
    paths.add(prefix);
    for (var e : cl.getSubcommands().entrySet()) {
      if (e.getKey().equals("help")) continue;
      List<String> p = new ArrayList<>(prefix);
      p.add(e.getKey());
      paths.addAll(commandPaths(e.getValue(), p));
    }
    return paths;
  }
}

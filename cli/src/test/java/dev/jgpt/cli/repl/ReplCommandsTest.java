package dev.jgpt.cli.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.SamplerSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The command table that the REPL dispatches through: one entry per command, found by name or alias. */
class ReplCommandsTest {

  @Test
  void everyNameAndAliasIsTakenOnce() {
    Set<String> seen = new HashSet<>();
    for (ReplCommands.Command c : ReplCommands.ALL) {
      assertTrue(seen.add(c.name()), c.name());
      for (String a : c.aliases()) assertTrue(seen.add(a), a);
    }
  }

  @Test
  void aCommandIsFoundByItsNameOrAliasInAnyCase() {
    assertEquals(":quit", ReplCommands.find(":exit").orElseThrow().name());
    assertEquals(":temp", ReplCommands.find(":TEMP").orElseThrow().name());
    assertTrue(ReplCommands.find(":nope").isEmpty());
  }

  @Test
  void onlyCommandsThatChangeNothingAReplayNeedsAreLeftOutOfTheScript() {
    Set<String> skipped = new HashSet<>();
    for (ReplCommands.Command c : ReplCommands.ALL) {
      if (c.script() == ReplCommands.Script.SKIPPED) skipped.add(c.name());
    }
    assertEquals(Set.of(":help", ":save", ":quit"), skipped);
    assertEquals(ReplCommands.Script.RUN_FOLDER, ReplCommands.find(":load").orElseThrow().script());
  }

  @Test
  void theSessionRunsTheHandlerOfTheEntryItFinds() {
    StringWriter text = new StringWriter();
    try (ReplSession s = new ReplSession(run -> {
      throw new IllegalStateException("no models here");
    }, new PrintWriter(text), Style.plain(), SamplerSettings.defaults())) {
      s.handle(":TOPK 7");
      s.handle(":show");
      s.handle(":frobnicate");
      assertEquals(1, s.errors(), text.toString());
      assertTrue(text.toString().contains("error: unknown command :frobnicate; type :help for the list"), text.toString());
      assertTrue(text.toString().lines().anyMatch(l -> l.strip().startsWith("top-k") && l.endsWith(" 7")), text.toString());
      s.handle(":exit");
      assertTrue(s.quitRequested());
    }
  }
}

package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.TrainConfigKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** jgpt train's setting flags are made from the declarations in TrainConfigKey, one per key. */
class TrainSettingOptionsTest {

  @Test
  void helpListsEveryDeclaredSettingWithItsHelpAndTheDefaultPresetsValue() {
    CliRunner.Result r = CliRunner.run("train", "--help");
    assertEquals(0, r.exitCode(), r.toString());
    String help = r.out().replaceAll("\\s+", " ");
    for (TrainConfigKey k : TrainConfigKey.values()) {
      String label = k.type() == TrainConfigKey.Type.BOOL ? "[=" + k.paramLabel() + "]" : "=" + k.paramLabel();
      assertTrue(help.contains(k.flag() + label + " " + k.help().substring(0, Math.min(10, k.help().length() - 1))), k.flag() + " in " + r.out());
    }
    assertTrue(help.contains("Optimizer steps in total (default 3000)."), "the default preset's value: " + help);
    assertTrue(help.contains("Learning rate at the end of the decay (default 0.0002)."), help);
    assertTrue(help.strip().contains("--debug Print stack traces for errors. Presets:"), "help options last: " + help);
  }

  @Test
  void onlyTheFlagsGivenAreSettingsOfTheirDeclaredType() {
    CommandLine jgpt = Main.newCommandLine();
    jgpt.parseArgs("train", "--max-iters", "7", "--dropout", "0.25", "--bias", "--include", "*.md", "--include", "*.txt",
        "--lr-schedule", "linear", "--threads", "2");
    CommandSpec spec = jgpt.getSubcommands().get("train").getCommandSpec();
    Map<TrainConfigKey, Object> given = TrainSettingOptions.given(spec);
    assertEquals(Map.of(TrainConfigKey.MAX_ITERS, 7, TrainConfigKey.DROPOUT, 0.25, TrainConfigKey.BIAS, true,
        TrainConfigKey.INCLUDE, List.of("*.md", "*.txt"), TrainConfigKey.LR_SCHEDULE, "linear"), given,
        "--threads is where the run computes, not a training setting");
  }
}

package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.transformer.TinyRun;
import dev.jgpt.kernels.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --backend tornado} in a build without TornadoVM: one line saying why and how to get it, exit 1. */
class TornadoMissingTest {
  @BeforeEach
  void onlyWithoutTornadoVm() {
    assumeTrue(Backends.providers().stream().noneMatch(p -> p.name().equals("tornado")), "TornadoVM is built in here");
  }

  @Test
  void generateSaysTornadoIsNotBuiltInAndHowToGetIt() throws Exception {
    CliRunner.Result r = CliRunner.run("generate", "--run", TinyRun.shared().toString(), "--backend", "tornado",
        "--prompt", "to be");
    assertNotBuiltIn(r, "generate");
  }

  @Test
  void trainSaysSoBeforeAnyWork(@TempDir Path tmp) throws Exception {
    Path corpus = tmp.resolve("corpus.txt");
    Files.writeString(corpus, TinyRun.TEXT.repeat(50));
    Path run = tmp.resolve("run");
    CliRunner.Result r = CliRunner.run("train", "--corpus", corpus.toString(), "--preset", "tiny", "--out",
        run.toString(), "--cache-dir", tmp.resolve("cache").toString(), "--backend", "tornado");
    assertNotBuiltIn(r, "train");
    assertEquals("", r.out(), "no tokenizer training, no corpus preparation first");
    assertFalse(Files.exists(run), "nothing written");
  }

  private static void assertNotBuiltIn(CliRunner.Result r, String command) {
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), r.toString());
    assertTrue(r.err().startsWith("jgpt " + command + ": backend tornado cannot run here: not built in (set TORNADOVM_HOME"),
        r.toString());
  }
}

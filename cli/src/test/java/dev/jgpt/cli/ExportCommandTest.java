package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.TinyRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jgpt export}, and the exported Hugging Face folder opened again with {@code --run}. */
class ExportCommandTest {
  @TempDir Path tmp;

  @Test
  void anHfExportGeneratesWhatTheRunGenerates() throws Exception {
    Path hf = tmp.resolve("hf");
    CliRunner.Result r = CliRunner.run("export", "--run", TinyRun.shared().toString(), "--format", "hf", "--out", hf.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("exported"), r.toString());
    for (String f : new String[] {"config.json", "model.safetensors", "vocab.json", "merges.txt", "generation_config.json"}) {
      assertTrue(Files.isRegularFile(hf.resolve(f)), f);
    }
    String[] greedy = {"--prompt", "to be or not", "--temperature", "0", "--max-new-tokens", "30", "--threads", "1"};
    CliRunner.Result fromRun = CliRunner.run(concat(new String[] {"generate", "--run", TinyRun.shared().toString()}, greedy));
    CliRunner.Result fromHf = CliRunner.run(concat(new String[] {"generate", "--run", hf.toString()}, greedy));
    assertEquals(0, fromHf.exitCode(), fromHf.toString());
    assertEquals(fromRun.out(), fromHf.out(), "the Hugging Face folder is the same model");

    Path imported = tmp.resolve("runs").resolve("imported");
    CliRunner.Result imp = CliRunner.run("import", hf.toString(), "--out", imported.toString());
    assertEquals(0, imp.exitCode(), imp.toString());
    assertTrue(imp.out().contains("imported"), imp.toString());
    assertTrue(Files.isRegularFile(imported.resolve("config.json")) && Files.isRegularFile(imported.resolve("state.json")));
    CliRunner.Result fromImport = CliRunner.run(concat(new String[] {"generate", "--run", imported.toString()}, greedy));
    assertEquals(fromRun.out(), fromImport.out(), "the imported run is the same model");

    CliRunner.Result again = CliRunner.run("import", hf.toString(), "--out", imported.toString());
    assertEquals(2, again.exitCode(), "an existing run is not overwritten: " + again);
  }

  @Test
  void importingAFolderThatIsNotAModelIsOneLine() throws Exception {
    CliRunner.Result r = CliRunner.run("import", tmp.toString(), "--out", tmp.resolve("x").toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains("not a Hugging Face model folder"), r.toString());
    assertEquals(1, r.err().strip().lines().count(), r.toString());
  }

  @Test
  void importingAModelBeyondTheHeapIsRefusedInOneLineBeforeReadingIt() throws Exception {
    // gpt2-xl's config.json (6.2 GB of F32 weights) against the test JVM's 4 GB heap; no weights
    // file at all: the refusal comes from config.json alone, before anything else is read
    Path xl = Files.createDirectories(tmp.resolve("gpt2-xl"));
    Files.writeString(xl.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_layer\": 48, \"n_head\": 25, "
        + "\"n_embd\": 1600, \"n_positions\": 1024, \"vocab_size\": 50257}");
    Path out = tmp.resolve("runs").resolve("xl");
    CliRunner.Result r = CliRunner.run("import", xl.toString(), "--out", out.toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("jgpt import: this model needs 6."), r.toString());
    assertTrue(r.err().contains("parameters 6.2 GB") && r.err().contains("JGPT_JAVA_OPTS=-Xmx"), r.toString());
    assertEquals(1, r.err().strip().lines().count(), r.toString());
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void aGgufExportHoldsTheModelAndItsTokenizer() throws Exception {
    Path gguf = tmp.resolve("out/tiny.gguf");
    CliRunner.Result r = CliRunner.run("export", "--run", TinyRun.shared().toString(), "--format", "gguf", "--f16",
        "--out", gguf.toString());
    assertEquals(0, r.exitCode(), r.toString());
    var file = dev.jgpt.transformer.interop.GgufFile.read(gguf);
    assertEquals("gpt2", file.metadata().get("general.architecture"));
    assertEquals(1L, ((Number) file.metadata().get("general.file_type")).longValue(), "mostly F16");
    CliRunner.Result folder = CliRunner.run("export", "--run", TinyRun.shared().toString(), "--format", "gguf", "--out",
        tmp.toString());
    assertEquals(2, folder.exitCode(), folder.toString());
  }

  @Test
  void aNonEmptyOutputFolderIsAUsageError() throws Exception {
    Files.writeString(tmp.resolve("keep.txt"), "mine");
    CliRunner.Result r = CliRunner.run("export", "--run", TinyRun.shared().toString(), "--format", "hf", "--out", tmp.toString());
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.err().contains("not empty"), r.toString());
    assertEquals(1, r.err().strip().lines().count(), r.toString());
    assertFalse(Files.exists(tmp.resolve("config.json")));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

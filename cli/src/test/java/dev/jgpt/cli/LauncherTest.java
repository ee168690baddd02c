package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ./jgpt launcher script's JDK search (building and running is covered by the jar tests). */
class LauncherTest {

  private static final Path LAUNCHER = Path.of("..", "jgpt").toAbsolutePath().normalize();

  @Test
  void withoutAJdk25ItSaysWhatItNeedsAndWhereItLooked(@TempDir Path empty) throws Exception {
    // A folder holding only a fake JDK 17: the launcher must refuse it.
    Path old = empty.resolve("jdk-17");
    Files.createDirectories(old.resolve("bin"));
    for (String tool : new String[] {"java", "javac"}) {
      Path t = old.resolve("bin").resolve(tool);
      Files.writeString(t, "#!/bin/sh\nexit 0\n");
      t.toFile().setExecutable(true);
    }
    Files.writeString(old.resolve("release"), "JAVA_VERSION=\"17.0.2\"\n");

    ProcessBuilder pb = new ProcessBuilder("bash", LAUNCHER.toString(), "--version");
    pb.environment().remove("JAVA_HOME");
    pb.environment().put("JGPT_JDK_DIRS", empty.toString());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();

    assertEquals(1, code, out + err);
    assertEquals(1, err.strip().lines().count(), err);
    assertTrue(err.contains("needs a JDK >= 25"), err);
    assertTrue(err.contains(empty.toString()), err);
  }

  @Test
  void launcherIsExecutable() throws IOException {
    assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " must be executable");
  }
}

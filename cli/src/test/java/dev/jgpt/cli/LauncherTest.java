package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ./jgpt launcher script: its JDK search and the heap it asks for (building and running is covered by the jar tests). */
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

  /**
   * The JVM's "Using incubator modules" warning is dropped from stderr, and only it: other lines,
   * a progress line without a newline, stdin, stdout and the exit status pass through unchanged.
   * A copy of the launcher beside a built "jar" runs a fake JDK 25 whose java prints all that.
   */
  @Test
  void theIncubatorWarningAloneIsDroppedFromStderr(@TempDir Path root) throws Exception {
    Path launcher = root.resolve("jgpt");
    Files.copy(LAUNCHER, launcher);
    launcher.toFile().setExecutable(true);
    Files.createDirectories(root.resolve("cli/target"));
    Files.writeString(root.resolve("cli/target/jgpt.jar"), "not built: the fake java does not read it");
    Path jdk = root.resolve("jdk-25");
    Files.createDirectories(jdk.resolve("bin"));
    Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
    Files.writeString(jdk.resolve("bin/javac"), "#!/bin/sh\nexit 0\n");
    Files.writeString(jdk.resolve("bin/java"), """
        #!/bin/sh
        echo "WARNING: Using incubator modules: jdk.incubator.vector" >&2
        echo "WARNING: any other warning stays" >&2
        read line
        echo "stdin: $line"
        echo "jgpt generate: a one-line error" >&2
        printf 'progress 50%%\r' >&2
        exit 3
        """);
    for (String tool : new String[] {"java", "javac"}) jdk.resolve("bin").resolve(tool).toFile().setExecutable(true);

    ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "generate");
    pb.environment().put("JAVA_HOME", jdk.toString());
    pb.environment().remove("TORNADOVM_HOME");
    // A file, not a pipe: the filter may write java's last bytes just after java exits, and a
    // Process closes its stderr pipe when the process ends.
    Path errFile = root.resolve("stderr");
    pb.redirectError(errFile.toFile());
    Process p = pb.start();
    p.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(3, p.waitFor(), out);
    assertEquals("stdin: hello\n", out);
    String expected = "WARNING: any other warning stays\njgpt generate: a one-line error\nprogress 50%\r";
    String err = "";
    for (long end = System.nanoTime() + 10_000_000_000L; !err.equals(expected) && System.nanoTime() < end; Thread.sleep(20)) {
      err = Files.readString(errFile);
    }
    assertEquals(expected, err);
  }

  @Test
  void heapDefaultsToThreeQuartersOfPhysicalMemory(@TempDir Path tmp) throws Exception {
    List<String> javaArgs = launchWithFakeJdk(tmp, null);
    assertTrue(javaArgs.contains("-XX:MaxRAMPercentage=75"), javaArgs.toString());
    assertTrue(javaArgs.indexOf("-XX:MaxRAMPercentage=75") < javaArgs.indexOf("-jar"), "a JVM flag: " + javaArgs);
  }

  @Test
  void aHeapSizedInJgptJavaOptsReplacesTheDefault(@TempDir Path tmp) throws Exception {
    for (String opts : List.of("-Xmx3g", "-XX:MaxRAMPercentage=50 -Dx=y", "-XX:MaxHeapSize=2g")) {
      List<String> javaArgs = launchWithFakeJdk(tmp.resolve(Integer.toString(opts.hashCode())), opts);
      assertFalse(javaArgs.contains("-XX:MaxRAMPercentage=75"), opts + ": " + javaArgs);
      assertTrue(javaArgs.containsAll(List.of(opts.split(" "))), opts + ": " + javaArgs);
    }
  }

  @Test
  void theYoungGenerationIsCappedUnlessJgptJavaOptsSizesIt(@TempDir Path tmp) throws Exception {
    for (String opts : new String[] {null, "-Xmx3g"}) {
      List<String> javaArgs = launchWithFakeJdk(tmp.resolve(opts == null ? "default" : "xmx"), opts);
      assertTrue(javaArgs.contains("-XX:MaxNewSize=128m"), opts + ": " + javaArgs);
      assertTrue(javaArgs.indexOf("-XX:MaxNewSize=128m") < javaArgs.indexOf("-jar"), "a JVM flag: " + javaArgs);
    }
    for (String opts : List.of("-Xmn1g", "-XX:MaxNewSize=2g", "-XX:NewRatio=3")) {
      List<String> javaArgs = launchWithFakeJdk(tmp.resolve(Integer.toString(opts.hashCode())), opts);
      assertFalse(javaArgs.contains("-XX:MaxNewSize=128m"), opts + ": " + javaArgs);
      assertTrue(javaArgs.contains(opts), opts + ": " + javaArgs);
    }
  }

  @Test
  void generatingAsksForHugePagesWhereTheKernelGivesThemOnRequest(@TempDir Path tmp) throws Exception {
    Path madvise = Files.writeString(tmp.resolve("thp-madvise"), "always [madvise] never\n");
    Path never = Files.writeString(tmp.resolve("thp-never"), "always madvise [never]\n");
    String flag = "-XX:+UseTransparentHugePages";
    for (String[] args : new String[][] {{"generate", "--run", "x"}, {"bench", "generate"}, {"repl"}}) {
      List<String> javaArgs = launchWithFakeJdk(tmp.resolve(args[0] + args.length), null, madvise, args);
      assertTrue(javaArgs.contains(flag), String.join(" ", args) + ": " + javaArgs);
      assertTrue(javaArgs.indexOf(flag) < javaArgs.indexOf("-jar"), "a JVM flag: " + javaArgs);
    }
    assertFalse(launchWithFakeJdk(tmp.resolve("never"), null, never, "generate").contains(flag), "THP off: no warning");
    assertFalse(launchWithFakeJdk(tmp.resolve("train"), null, madvise, "train").contains(flag), "training as measured");
    assertFalse(launchWithFakeJdk(tmp.resolve("bench-train"), null, madvise, "bench", "train").contains(flag));
    List<String> own = launchWithFakeJdk(tmp.resolve("own"), "-XX:-UseTransparentHugePages", madvise, "generate");
    assertFalse(own.contains(flag), "the user's own choice stays: " + own);
  }

  private static List<String> launchWithFakeJdk(Path root, String javaOpts) throws Exception {
    return launchWithFakeJdk(root, javaOpts, null, "--version");
  }

  /**
   * Runs a copy of the launcher in {@code root} with a built jar in place and a fake JDK 25 whose
   * java prints its arguments, one a line; returns them. {@code thpFile}: what the launcher reads
   * as the kernel's transparent huge page mode (null: a file that does not exist).
   */
  private static List<String> launchWithFakeJdk(Path root, String javaOpts, Path thpFile, String... args)
      throws Exception {
    Files.createDirectories(root.resolve("cli/target"));
    Files.copy(LAUNCHER, root.resolve("jgpt"));
    Files.writeString(root.resolve("cli/target/jgpt.jar"), "not a jar: the fake java never opens it");
    Path jdk = root.resolve("jdks/jdk-25");
    Files.createDirectories(jdk.resolve("bin"));
    Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
    for (String tool : new String[] {"java", "javac"}) {
      Path t = jdk.resolve("bin").resolve(tool);
      Files.writeString(t, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
      t.toFile().setExecutable(true);
    }
    List<String> command = new java.util.ArrayList<>(List.of("bash", root.resolve("jgpt").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("JGPT_THP_FILE", thpFile != null ? thpFile.toString() : root.resolve("no-thp-file").toString());
    pb.environment().remove("JAVA_HOME");
    pb.environment().remove("TORNADOVM_HOME");
    pb.environment().remove("JGPT_JAVA_OPTS");
    if (javaOpts != null) pb.environment().put("JGPT_JAVA_OPTS", javaOpts);
    pb.environment().put("JGPT_JDK_DIRS", root.resolve("jdks").toString());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out.lines().toList();
  }

  @Test
  void launcherIsExecutable() throws IOException {
    assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " must be executable");
  }
}

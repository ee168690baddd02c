package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ./jgpt launcher with TORNADOVM_HOME set: it takes the SDK's version from etc/tornado.release,
 * refuses an SDK built for JDK 21 (5.x "-jdk21", or TornadoVM 6's preview build) and one without the
 * tornado-api jar of that version in one line each, and launches through the SDK otherwise. Fake SDKs
 * (only the files the launcher reads) and a fake JDK 25: no TornadoVM is needed.
 */
class LauncherTornadoSdkTest {

  private static final Path LAUNCHER = Path.of("..", "jgpt").toAbsolutePath().normalize();

  private record Run(int code, String out, String err) {}

  @Test
  void theJdk21PreviewBuildOfTornadoVm6IsRefusedInOneLine(@TempDir Path tmp) throws Exception {
    Path sdk = fakeSdk(tmp, "6.0.0", "floor=21, preview=true\n");
    Run r = launch(tmp, sdk);
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("TornadoVM 6.0.0 built for JDK 21"), r.err());
    assertTrue(r.err().contains("jdk22plus"), r.err());
    assertTrue(r.out().isEmpty(), "nothing launched: " + r.out());
  }

  @Test
  void a5xSdkForJdk21IsRefusedInOneLine(@TempDir Path tmp) throws Exception {
    Path sdk = fakeSdk(tmp, "5.2.0-jdk21", null);
    Run r = launch(tmp, sdk);
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("TornadoVM 5.2.0-jdk21 built for JDK 21"), r.err());
  }

  @Test
  void anSdkWithoutTheApiJarOfItsVersionIsRefusedInOneLine(@TempDir Path tmp) throws Exception {
    Path sdk = fakeSdk(tmp, "6.0.0", "floor=22, preview=false\n");
    Files.delete(sdk.resolve("share/java/tornado/tornado-api-6.0.0.jar"));
    Run r = launch(tmp, sdk);
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("no share/java/tornado/tornado-api-6.0.0.jar"), r.err());
  }

  @Test
  void aJdk22plusSdkOfTornadoVm6AndThe52Jdk25OneLaunchThroughTheSdk(@TempDir Path tmp) throws Exception {
    for (String version : new String[] {"6.0.0", "5.2.0-jdk25"}) {
      Path root = tmp.resolve(version);
      Path sdk = fakeSdk(root, version, version.startsWith("6") ? "floor=22, preview=false\n" : null);
      Run r = launch(root, sdk);
      assertEquals(0, r.code(), r.out() + r.err());
      assertEquals("tornado-launch --version", r.out().strip(), version + ": " + r.err());
    }
  }

  /** An SDK folder with what the launcher reads: etc/tornado.release, etc/tornado.jdk, the API jar. */
  private static Path fakeSdk(Path root, String version, String tornadoJdk) throws Exception {
    Path sdk = root.resolve("tornadovm-sdk");
    Files.createDirectories(sdk.resolve("etc"));
    Files.createDirectories(sdk.resolve("share/java/tornado"));
    Files.writeString(sdk.resolve("etc/tornado.release"), "version=" + version + "\nbranch=x\ncommit=y\n");
    if (tornadoJdk != null) Files.writeString(sdk.resolve("etc/tornado.jdk"), tornadoJdk);
    Files.writeString(sdk.resolve("share/java/tornado/tornado-api-" + version + ".jar"), "not a jar");
    return sdk;
  }

  /**
   * Runs a copy of the launcher in root with a built jar, a fake JDK 25 and a stand-in for the
   * TornadoVM launch script (it prints its arguments), so no build or JVM runs.
   */
  private static Run launch(Path root, Path sdk) throws Exception {
    Files.createDirectories(root.resolve("cli/target"));
    Files.copy(LAUNCHER, root.resolve("jgpt"));
    Files.writeString(root.resolve("cli/target/jgpt.jar"), "not a jar: nothing opens it");
    Files.writeString(root.resolve("cli/target/tornado-launch.sh"), "echo \"tornado-launch $*\"\n");
    Path jdk = root.resolve("jdks/jdk-25");
    Files.createDirectories(jdk.resolve("bin"));
    Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
    for (String tool : new String[] {"java", "javac"}) {
      Path t = jdk.resolve("bin").resolve(tool);
      Files.writeString(t, "#!/bin/sh\necho \"plain java $*\"\n");
      t.toFile().setExecutable(true);
    }
    ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("jgpt").toString(), "--version");
    pb.environment().remove("JAVA_HOME");
    pb.environment().remove("JGPT_JAVA_OPTS");
    pb.environment().put("TORNADOVM_HOME", sdk.toString());
    pb.environment().put("JGPT_JDK_DIRS", root.resolve("jdks").toString());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    // Files, not pipes: the launcher's stderr filter may write just after the script exits (the
    // refusals are written before that filter starts).
    Path out = root.resolve("stdout");
    Path err = root.resolve("stderr");
    pb.redirectOutput(out.toFile());
    pb.redirectError(err.toFile());
    int code = pb.start().waitFor();
    return new Run(code, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }
}

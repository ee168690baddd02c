package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BackendProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevicesCommandTest {
  @Test
  void listsTheCpuBackendsWithTheirDevices() {
    CliRunner.Result r = CliRunner.run("devices");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("cpu\n"), r.toString());
    assertTrue(r.out().contains("reference\n  0: "), r.toString());
    assertTrue(r.out().contains("tornado"), "tornado is always mentioned (built in or how to get it): " + r);
  }

  /** A backend that cannot run prints its reason and no devices; a missing tornado says how to get it. */
  @Test
  void anUnavailableBackendPrintsWhyInsteadOfDevices() {
    BackendProvider broken = new BackendProvider() {
      public String name() {
        return "gpu";
      }

      public String unavailableReason() {
        return "no driver";
      }

      public List<String> devices() {
        throw new AssertionError("devices() of an unavailable backend must not be called");
      }

      public Backend create(int device, int threads) {
        throw new AssertionError();
      }
    };
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DevicesCommand.print(List.of(broken), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals("gpu: unavailable: no driver\ntornado: not built in (set TORNADOVM_HOME to a TornadoVM SDK and run"
        + " ./jgpt again; see docs/tornado.md)\n", out);
  }
}

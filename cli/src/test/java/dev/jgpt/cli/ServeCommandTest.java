package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class ServeCommandTest {
  @Test
  void aBadPortIsAUsageError() {
    CliRunner.Result r = CliRunner.run("serve", "--port", "70000");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("--port must be 0..65535"), r.err());
  }

  @Test
  void aPortInUseIsOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      CliRunner.Result r = CliRunner.run("serve", "--port", Integer.toString(taken.getLocalPort()));
      assertEquals(1, r.exitCode(), r.err());
      assertTrue(r.err().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
  }
}

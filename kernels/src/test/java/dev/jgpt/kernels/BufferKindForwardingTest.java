package dev.jgpt.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A buffer's kind reaches the backend through every wrapper (checking, profiling, capture
 * checking): a device backend places each kind in its own allocation, so a wrapper that dropped
 * the kind would put the model's weights among its activations.
 */
class BufferKindForwardingTest {
  @Test
  void everyWrapperPassesTheKindOn() {
    List<String> seen = new ArrayList<>();
    Backend recording = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
        (self, method, args) -> switch (method.getName()) {
          case "allocFloat" -> {
            seen.add(args[0] + ":" + (args.length == 3 ? args[2] : "none"));
            yield new HeapFloatBuf((String) args[0], (Integer) args[1]);
          }
          case "name" -> "recording";
          default -> null;
        });
    Backend[] wrapped = {CheckedBackend.wrap(recording), new ProfilingBackend(recording),
        CaptureChecker.wrap(recording).backend()};
    for (Backend be : wrapped) be.allocFloat("w", 4, BufferKind.PARAMETERS);
    CheckedBackend.wrap(recording).allocFloat("x", 4);
    assertEquals(List.of("w:PARAMETERS", "w:PARAMETERS", "w:PARAMETERS", "x:none"), seen);
  }
}

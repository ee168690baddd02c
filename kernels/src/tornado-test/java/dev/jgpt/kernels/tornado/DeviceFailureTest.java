package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.exceptions.TornadoInliningException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A kernel TornadoVM cannot compile fails its step with one line that names the step, the kernel
 * and the likely cause, with TornadoVM's exception kept as the cause for --debug.
 */
class DeviceFailureTest {
  // x (N) = the clock: a native call, which runs in Java but has no device translation
  public static void clock(FloatArray m, int xo, int N) {
    for (@Parallel int i = 0; i < N; i++) m.set(xo + i, (float) System.nanoTime());
  }

  @Test
  void aKernelThatDoesNotCompileFailsItsStepWithOneLine() {
    TornadoDevices.Entry device = TornadoDevices.all().get(Integer.getInteger("jgpt.tornado.device", 0));
    Arena arena = new Arena();
    Stats stats = new Stats();
    Residency residency = new Residency(arena, stats);
    List<String> notices = new ArrayList<>();
    Plans plans = new Plans(device.device(), device.name(), DeviceMemory.UNLIMITED, arena, stats, residency, false, false,
        notices::add);
    try {
      int xo = arena.reserveFloats(BufferKind.ACTIVATIONS, 8, "x");
      StepProgram step = new StepProgram("clocked");
      step.launches.add(Launch.parallel(Launch.sig("clockKernel", xo, 8),
          (s, a, ctx) -> s.task(DeviceFailureTest::clock, a.acts(), xo, 8)));
      plans.runRecorded(step); // the recording run is plain Java: fine
      var e = assertThrows(IllegalStateException.class, () -> plans.runReplay(step));
      String line = e.getMessage();
      assertTrue(line.startsWith("TornadoVM failed in step \"clocked\""), line);
      assertTrue(line.contains("clockKernel"), line);
      assertTrue(line.contains("did not compile"), line);
      assertFalse(line.contains("\n"), line);
      assertNotNull(e.getCause(), "TornadoVM's own exception, for --debug");
      assertTrue(notices.getFirst().startsWith("compiling 1 kernels for "), notices.toString());
    } finally {
      plans.close();
    }
  }

  // What a kernel calling a helper over TornadoVM's inlining limit (600 Graal nodes) throws: a
  // kernel that did not compile, not "an error inside TornadoVM"
  @Test
  void aHelperTooLargeToInlineIsAKernelThatDidNotCompile() {
    var e = new TornadoInliningException("Method Invoke#dev.jgpt.kernels.tornado.FloatLog.log(float) cannot be inlined:"
        + " node count (612) exceeds limit (600)");
    String line = DeviceFailure.of("train", List.of(), 0, 0, 0, e).getMessage();
    assertTrue(line.startsWith("TornadoVM failed in step \"train\": a kernel did not compile"), line);
  }
}

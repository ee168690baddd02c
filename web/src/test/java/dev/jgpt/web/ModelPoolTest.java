package dev.jgpt.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.HeapBudget;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The server loads models as the commands do: the same loader, the same memory check and its one line. */
class ModelPoolTest {

  @Test
  void aModelBeyondTheHeapIsA422WithTheCommandsOneLine() throws IOException {
    Path tiny = TestRuns.root().resolve("tiny");
    try (ModelPool pool = new ModelPool(1, 1, "cpu", 0, 0, () -> new HeapBudget(4096, 4096, 0))) {
      ApiError e = assertThrows(ApiError.class, () -> pool.use("tiny", tiny, m -> m));
      assertEquals(422, e.status());
      assertTrue(e.getMessage().startsWith("run tiny cannot be loaded: this model needs "), e.getMessage());
      assertTrue(e.getMessage().endsWith(": give the JVM more memory with JGPT_JAVA_OPTS=-Xmx1g"), e.getMessage());
      assertEquals(0, pool.loadedCount());
    }
  }

  @Test
  void aModelThatFitsLoadsWithItsCheckpointsStep() throws Exception {
    Path tiny = TestRuns.root().resolve("tiny");
    try (ModelPool pool = new ModelPool(1, 1, "cpu", 0, 0)) {
      long step = pool.use("tiny", tiny, m -> m.state().step());
      assertTrue(step > 0, "a trained run: step " + step);
      assertEquals(1, pool.loadedCount());
    }
  }
}

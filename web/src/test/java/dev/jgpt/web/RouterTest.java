package dev.jgpt.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.MemoryCheck;
import org.junit.jupiter.api.Test;

/** The server's error lines say what the command line says for the same failure. */
class RouterTest {

  @Test
  void anOutOfMemoryErrorIsTheCommandsOneLine() {
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
    String line = Router.oneLine(oom);
    assertEquals(MemoryCheck.outOfMemory(oom, HeapBudget.current()), line);
    assertTrue(line.startsWith("out of memory (Java heap space) with a heap max of "), line);
  }

  @Test
  void aMessageSpreadOverLinesBecomesOneLine() {
    assertEquals("bad value: try again", Router.oneLine(new IllegalArgumentException("bad value:\n  try again")));
    assertEquals("IllegalStateException", Router.oneLine(new IllegalStateException()));
  }
}

package dev.jgpt.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.jgpt.kernels.BufferKind;
import org.junit.jupiter.api.Test;

/**
 * The work-group kernels' scratch regions: a replayed launch must get the offset it was recorded
 * with, and a later step asking for less must not grow the arena (growing replaces the activations'
 * array, and every plan built on it recompiles).
 */
class ScratchRegionsTest {
  @Test
  void aSmallerLaterRequestReusesARegionAndALargerOneAppendsWithoutMovingTheFirst() {
    Arena arena = new Arena();
    Scratch scratch = new Scratch(arena, new Residency(arena, new Stats()), DeviceMemory.UNLIMITED, "test device");
    int layerNorm = scratch.columnPartials(48); // a layer norm's partials
    int bias = scratch.columnPartials(144); // then a wider bias's, in the same step
    assertNotEquals(layerNorm, bias);
    // the replay of that step asks again in the same order
    assertEquals(layerNorm, scratch.columnPartials(48));
    assertEquals(bias, scratch.columnPartials(144));
    // a sample's attention rows after training's: the training region serves it
    int rows = scratch.attentionRowStats(2 * 2 * 2 * 8);
    int used = arena.floatsUsed(BufferKind.ACTIVATIONS);
    int generation = arena.generation();
    assertEquals(rows, scratch.attentionRowStats(2 * 1 * 2 * 3));
    assertEquals(layerNorm, scratch.columnPartials(10));
    assertEquals(used, arena.floatsUsed(BufferKind.ACTIVATIONS), "no growth for requests that fit");
    assertEquals(generation, arena.generation(), "the activations' array was not replaced");
  }
}

package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GptConfigTest {

  @Test
  void ofPadsTheVocabularyToAMultipleOf64() {
    assertEquals(64, GptConfig.of(1, 8, 1, 1, 8, true, 0f).paddedVocabSize());
    assertEquals(256, GptConfig.of(256, 8, 1, 1, 8, true, 0f).paddedVocabSize());
    assertEquals(320, GptConfig.of(257, 8, 1, 1, 8, true, 0f).paddedVocabSize());
    assertEquals(50304, GptConfig.of(50257, 1024, 12, 12, 768, true, 0f).paddedVocabSize());
  }

  @Test
  void parameterCountOfGpt2SmallEqualsLlmCs() {
    // llm.c prints "num_parameters: 124475904" for GPT-2 124M with the vocabulary padded to 50304
    assertEquals(124_475_904L, GptConfig.of(50257, 1024, 12, 12, 768, true, 0f).parameterCount());
  }

  @Test
  void parameterCountIsTheLayoutSize() {
    for (boolean bias : new boolean[] {true, false}) {
      GptConfig cfg = GptConfig.of(65, 64, 4, 4, 128, bias, 0f);
      assertEquals(new ParameterLayout(cfg).totalCount(), cfg.parameterCount(), "bias=" + bias);
    }
  }

  @Test
  void validateRejectsImpossibleShapesWithOneLineMessages() {
    assertMessage("n_embd (100) must be divisible by n_head (3)", GptConfig.of(65, 64, 4, 3, 100, true, 0f));
    assertMessage("n_layer must be positive", GptConfig.of(65, 64, 0, 4, 128, true, 0f));
    assertMessage("block_size must be positive", GptConfig.of(65, 0, 4, 4, 128, true, 0f));
    assertMessage("vocab_size must be positive", GptConfig.of(0, 64, 4, 4, 128, true, 0f));
    assertMessage("dropout must be in [0, 1)", GptConfig.of(65, 64, 4, 4, 128, true, 1f));
    assertMessage("dropout must be in [0, 1)", GptConfig.of(65, 64, 4, 4, 128, true, Float.NaN));
    assertMessage("smaller than vocab_size", new GptConfig(65, 64, 64, 4, 4, 128, true, 0f));
    assertMessage("more than the 2^31-1", GptConfig.of(50257, 1024, 48, 32, 2048, true, 0f));
  }

  @Test
  void validConfigPasses() {
    GptConfig cfg = GptConfig.of(65, 64, 4, 4, 128, false, 0.2f);
    assertEquals(cfg, cfg.validate());
    assertEquals(32, cfg.headSize());
  }

  private static void assertMessage(String expected, GptConfig cfg) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, cfg::validate);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }
}

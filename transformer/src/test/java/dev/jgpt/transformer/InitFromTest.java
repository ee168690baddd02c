package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InitFromTest {
  static final GptConfig FROM = GptConfig.of(70, 12, 2, 2, 8, true, 0f);

  @Test
  void cropKeepsEveryTensorAndTheFirstRowsOfThePositionTable() {
    ParameterLayout src = new ParameterLayout(FROM);
    float[] params = new float[src.totalCount()];
    for (int i = 0; i < params.length; i++) params[i] = i;
    GptConfig to = InitFrom.shape(FROM, 5, 0.1f);
    assertEquals(5, to.blockSize());
    assertEquals(0.1f, to.dropout());
    float[] cropped = InitFrom.crop(FROM, params, to);
    ParameterLayout dst = new ParameterLayout(to);
    assertEquals(dst.totalCount(), cropped.length);
    for (TensorSpec t : dst.tensors()) {
      TensorSpec s = src.get(t.name());
      assertArrayEquals(Arrays.copyOfRange(params, s.offset(), s.offset() + t.size()),
          Arrays.copyOfRange(cropped, t.offset(), t.end()), t.name());
    }
    assertEquals(5 * 8, dst.get("wpe").size());
  }

  @Test
  void aLongerContextThanTheModelsIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InitFrom.shape(FROM, 13, 0f));
    assertTrue(e.getMessage().contains("--block-size 12 or less"), e.getMessage());
  }
}

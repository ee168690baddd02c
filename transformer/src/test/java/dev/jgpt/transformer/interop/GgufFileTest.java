package dev.jgpt.transformer.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GGUF container itself: values, alignment, F16 rounding, and damaged files as one-line errors. */
class GgufFileTest {
  @TempDir Path tmp;

  private Path sample() throws IOException {
    GgufWriter w = new GgufWriter();
    w.putString("general.architecture", "test");
    w.putUint32("a.count", 7);
    w.putFloat32("a.eps", 1e-5f);
    w.putBool("a.flag", true);
    w.putStringArray("a.words", List.of("Ġthe", "日本", "<|endoftext|>"));
    w.putInt32Array("a.types", new int[] {1, 3, -2});
    w.addTensor("odd", GgmlType.F32, new float[] {9f, 1f, 2f, 3f}, 1, 3); // 12 bytes: the next tensor is padded to 32
    w.addTensor("half", GgmlType.F16, new float[] {0.1f, -2.5f, 65504f, 1e-8f, 3f, 4f}, 0, 3, 2);
    w.addTensor("zeros", GgmlType.F32, null, 0, 5);
    Path file = tmp.resolve("sample.gguf");
    w.write(file);
    return file;
  }

  @Test
  void valuesAndTensorsReadBack() throws IOException {
    GgufFile g = GgufFile.read(sample());
    assertEquals(3, g.version());
    assertEquals(List.of("general.architecture", "a.count", "a.eps", "a.flag", "a.words", "a.types"),
        List.copyOf(g.metadata().keySet()));
    assertEquals(7L, g.get("a.count"));
    assertEquals(GgufValueType.UINT32, g.type("a.count"));
    assertEquals(1e-5f, g.get("a.eps"));
    assertEquals(true, g.get("a.flag"));
    assertEquals(List.of("Ġthe", "日本", "<|endoftext|>"), g.get("a.words"));
    assertEquals(List.of(1L, 3L, -2L), g.get("a.types"));
    assertEquals(GgufValueType.ARRAY, g.type("a.types"));
    assertEquals(GgufValueType.INT32, g.arrayType("a.types"));

    assertEquals(0, g.dataStart() % 32);
    assertEquals(0, g.tensor("odd").offset());
    assertEquals(32, g.tensor("half").offset());
    assertArrayEquals(new long[] {3, 2}, g.tensor("half").dims());
    assertArrayEquals(new float[] {1f, 2f, 3f}, g.readTensor("odd"));
    float[] half = g.readTensor("half");
    assertEquals(0.0999755859375f, half[0]); // nearest F16 to 0.1
    assertEquals(-2.5f, half[1]);
    assertEquals(65504f, half[2]); // F16's largest finite value
    assertEquals(0f, half[3]); // below F16's smallest subnormal
    assertArrayEquals(new float[5], g.readTensor("zeros"));
    assertEquals(0, Files.size(g.path()) % 32, "the last tensor is padded too, as gguf.cpp writes it");
  }

  @Test
  void truncatedOrForeignFilesAreOneLineErrors() throws IOException {
    Path file = sample();
    byte[] all = Files.readAllBytes(file);
    Path cut = tmp.resolve("cut.gguf");
    // the last length cuts 4 bytes of the last tensor (the 12 after it are padding, which readers do not need)
    for (int length : new int[] {0, 10, 40, 200, all.length - 16}) {
      Files.write(cut, Arrays.copyOf(all, length));
      IOException e = assertThrows(IOException.class, () -> GgufFile.read(cut), "length " + length);
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
      assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    }
    Path text = tmp.resolve("model.safetensors");
    Files.writeString(text, "not gguf at all, just some text that is long enough");
    assertEquals(text + " is not a GGUF file", assertThrows(IOException.class, () -> GgufFile.read(text)).getMessage());
  }
}

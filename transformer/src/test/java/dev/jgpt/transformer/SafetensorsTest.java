package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.common.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  private final float[] flat = {1f, -2f, 3.5f, Float.MIN_VALUE, -0f, 6f, 7f, 8f, 9f, 1e30f};

  private Path writeSample() throws IOException {
    Path f = dir.resolve("m.safetensors");
    Safetensors.write(f, List.of(
        new Safetensors.Tensor("transformer.wte.weight", new int[] {2, 3}, flat, 0),
        new Safetensors.Tensor("transformer.ln_f.weight", new int[] {4}, flat, 6)), Map.of("format", "pt"));
    return f;
  }

  @Test
  void layoutFollowsTheSpecification() throws IOException {
    byte[] bytes = Files.readAllBytes(writeSample());
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    assertEquals(0, (8 + n) % 8, "data starts 8-byte aligned");
    assertEquals(8 + n + 10 * 4, bytes.length);
    Map<String, Object> header = Json.parseObject(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
    assertEquals(Map.of("format", "pt"), header.get("__metadata__"));
    assertEquals(Map.of("dtype", "F32", "shape", List.of(2L, 3L), "data_offsets", List.of(0L, 24L)),
        header.get("transformer.wte.weight"));
    assertEquals(Map.of("dtype", "F32", "shape", List.of(4L), "data_offsets", List.of(24L, 40L)),
        header.get("transformer.ln_f.weight"));
    // raw little-endian floats after the header
    ByteBuffer data = ByteBuffer.wrap(bytes, (int) (8 + n), 40).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(1f, data.getFloat());
    assertEquals(-2f, data.getFloat());
  }

  @Test
  void roundTripIsBitExact() throws IOException {
    Safetensors st = Safetensors.read(writeSample());
    float[] back = new float[10];
    st.readInto("transformer.wte.weight", new int[] {2, 3}, back, 0);
    st.readInto("transformer.ln_f.weight", new int[] {4}, back, 6);
    for (int i = 0; i < 10; i++) assertEquals(Float.floatToRawIntBits(flat[i]), Float.floatToRawIntBits(back[i]));
    assertEquals("pt", st.metadata().get("format"));
    assertEquals(List.of("transformer.wte.weight", "transformer.ln_f.weight"),
        st.entries().stream().map(Safetensors.Entry::name).toList());
    assertArrayEquals(new int[] {2, 3}, st.entry("transformer.wte.weight").shape());
  }

  @Test
  void tensorsLargerThanOneReadChunkComeBackBitExactFromTheFileAsFromMemory() throws IOException {
    // F32 of 2.4 MB and BF16 of 1.4 MB, odd lengths: each spans several 1 MB reads, the last one short
    float[] f32 = new float[600_001];
    short[] bf16 = new short[700_001];
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < f32.length; i++) f32[i] = (float) r.nextGaussian();
    for (int i = 0; i < bf16.length; i++) bf16[i] = (short) r.nextInt();
    String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[" + f32.length + "],\"data_offsets\":[0," + 4L * f32.length
        + "]},\"b\":{\"dtype\":\"BF16\",\"shape\":[" + bf16.length + "],\"data_offsets\":[" + 4L * f32.length + ","
        + (4L * f32.length + 2L * bf16.length) + "]}}";
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer file = ByteBuffer.allocate(8 + header.length + 4 * f32.length + 2 * bf16.length)
        .order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header);
    for (float v : f32) file.putFloat(v);
    for (short v : bf16) file.putShort(v);
    Path f = dir.resolve("large.safetensors");
    Files.write(f, file.array());
    float[] widened = new float[bf16.length];
    for (int i = 0; i < bf16.length; i++) widened[i] = Float.intBitsToFloat((bf16[i] & 0xFFFF) << 16);
    for (Safetensors st : new Safetensors[] {Safetensors.read(f), Safetensors.parse(f, file.array())}) {
      float[] a = new float[f32.length + 1], b = new float[bf16.length];
      st.readInto("a", new int[] {f32.length}, a, 1);
      st.readInto("b", new int[] {bf16.length}, b, 0);
      assertArrayEquals(f32, Arrays.copyOfRange(a, 1, a.length));
      assertArrayEquals(widened, b);
    }
  }

  @Test
  void truncatedFileIsAnError() throws IOException {
    Path f = writeSample();
    byte[] bytes = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(bytes, bytes.length - 3));
    IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void garbageIsAnError() throws IOException {
    Path f = dir.resolve("bad.safetensors");
    Files.writeString(f, "this is not a tensor file at all");
    IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
    assertTrue(e.getMessage().contains("not a valid safetensors file"), e.getMessage());
    Files.write(f, new byte[] {1, 2});
    assertThrows(IOException.class, () -> Safetensors.read(f));
  }

  @Test
  void damagedHeaderIsAnError() throws IOException {
    Path f = writeSample();
    byte[] bytes = Files.readAllBytes(f);
    bytes[9] = '#'; // inside the JSON
    Files.write(f, bytes);
    IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
    assertTrue(e.getMessage().contains("header"), e.getMessage());
  }

  @Test
  void wrongShapeOrMissingTensorIsAnError() throws IOException {
    Safetensors st = Safetensors.read(writeSample());
    float[] dst = new float[10];
    IOException shape = assertThrows(IOException.class, () -> st.readInto("transformer.wte.weight", new int[] {3, 2}, dst, 0));
    assertTrue(shape.getMessage().contains("different model configuration"), shape.getMessage());
    assertThrows(IOException.class, () -> st.readInto("transformer.wpe.weight", new int[] {1}, dst, 0));
  }

  @Test
  void failedWriteLeavesThePreviousFile() throws IOException {
    Path f = writeSample();
    byte[] before = Files.readAllBytes(f);
    float[] tooShort = new float[2];
    assertThrows(RuntimeException.class, () -> Safetensors.write(f,
        List.of(new Safetensors.Tensor("x", new int[] {5}, tooShort, 0)), Map.of()));
    assertArrayEquals(before, Files.readAllBytes(f));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
  }

  @Test
  void metadataIsWrittenInKeyOrderWhateverTheMapsOrder() throws IOException {
    Map<String, String> zFirst = new LinkedHashMap<>(), aFirst = new LinkedHashMap<>();
    zFirst.put("z_step", "3");
    zFirst.put("a_format", "pt");
    aFirst.put("a_format", "pt");
    aFirst.put("z_step", "3");
    List<Safetensors.Tensor> tensors = List.of(new Safetensors.Tensor("w", new int[] {2}, flat, 0));
    Path f1 = dir.resolve("1.safetensors"), f2 = dir.resolve("2.safetensors");
    Safetensors.write(f1, tensors, zFirst);
    Safetensors.write(f2, tensors, aFirst);
    byte[] bytes = Files.readAllBytes(f1);
    assertArrayEquals(Files.readAllBytes(f2), bytes, "the same file for the same entries (an optimizer save twice)");
    String header = new String(bytes, StandardCharsets.UTF_8);
    assertTrue(header.indexOf("a_format") < header.indexOf("z_step"), header);
  }
}

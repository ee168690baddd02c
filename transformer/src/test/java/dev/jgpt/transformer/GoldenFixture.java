package dev.jgpt.transformer;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a fixture written by transformer/scripts/make_golden.py: magic "JGPTFIX1", a count, then
 * named float32 or int32 tensors (little-endian, row-major). See the script for the contents.
 */
final class GoldenFixture {
  private final Map<String, float[]> floats = new LinkedHashMap<>();
  private final Map<String, int[]> ints = new LinkedHashMap<>();

  static GoldenFixture load(String resource) {
    try (InputStream in = GoldenFixture.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing test resource " + resource);
      return new GoldenFixture(ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private GoldenFixture(ByteBuffer b) {
    byte[] magic = new byte[8];
    b.get(magic);
    if (!new String(magic, StandardCharsets.US_ASCII).equals("JGPTFIX1")) throw new IllegalStateException("not a JGPTFIX1 fixture");
    int count = b.getInt();
    for (int i = 0; i < count; i++) {
      byte[] name = new byte[b.getInt()];
      b.get(name);
      int dtype = b.getInt();
      int ndim = b.getInt();
      int size = 1;
      for (int d = 0; d < ndim; d++) size *= b.getInt();
      String key = new String(name, StandardCharsets.UTF_8);
      if (dtype == 0) {
        float[] data = new float[size];
        b.asFloatBuffer().get(data);
        floats.put(key, data);
      } else {
        int[] data = new int[size];
        b.asIntBuffer().get(data);
        ints.put(key, data);
      }
      b.position(b.position() + 4 * size);
    }
  }

  float[] floats(String name) {
    float[] v = floats.get(name);
    if (v == null) throw new IllegalStateException("fixture has no float tensor " + name);
    return v;
  }

  int[] ints(String name) {
    int[] v = ints.get(name);
    if (v == null) throw new IllegalStateException("fixture has no int tensor " + name);
    return v;
  }

  /** The fixture's parameters ("param/NAME") packed into {@code layout}'s flat buffer. */
  float[] packed(String prefix, ParameterLayout layout) {
    float[] flat = new float[layout.totalCount()];
    for (TensorSpec t : layout.tensors()) {
      float[] v = floats(prefix + t.name());
      if (v.length != t.size()) throw new IllegalStateException(t.name() + ": fixture has " + v.length + " floats");
      System.arraycopy(v, 0, flat, t.offset(), v.length);
    }
    return flat;
  }

  /** Keys of all tensors, for checking the fixture and the layout name the same tensors. */
  java.util.Set<String> floatNames() {
    return floats.keySet();
  }
}

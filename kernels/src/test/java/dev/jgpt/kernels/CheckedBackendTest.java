package dev.jgpt.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The argument checks live in {@link CheckedBackend} alone, and {@link Backends#open} puts it in
 * front of whatever backend a provider creates: a bad call stops there and never reaches the
 * backend, which only computes.
 */
class CheckedBackendTest {

  /** A backend that computes nothing and records each op that reaches it; buffers on the heap. */
  private static Backend recording(List<String> reached) {
    return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "name" -> "recording";
          case "allocFloat" -> new HeapFloatBuf((String) args[0], (Integer) args[1]);
          case "allocInt" -> new HeapIntBuf((String) args[0], (Integer) args[1]);
          case "write" -> {
            if (args[0] instanceof HeapIntBuf dst) {
              System.arraycopy(args[2], (Integer) args[3], dst.data, (Integer) args[1], (Integer) args[4]);
            }
            yield null;
          }
          case "buffersOnHeap" -> true;
          case "trainingScratchBytes" -> 7L;
          case "attentionStateSize" -> InvocationHandler.invokeDefault(proxy, method, args); // the weights
          default -> {
            reached.add(method.getName());
            yield null;
          }
        });
  }

  private static BackendProvider providerOf(Backend backend) {
    return new BackendProvider() {
      @Override public String name() { return "recording"; }
      @Override public String unavailableReason() { return null; }
      @Override public List<String> devices() { return List.of("0: nothing"); }
      @Override public Backend create(int device, int threads) { return backend; }
    };
  }

  @Test
  void backendsOpenChecksEveryBackendItHandsOut() {
    List<String> reached = new ArrayList<>();
    Backend be = Backends.open(providerOf(recording(reached)), 0, 1);
    FloatBuf x = be.allocFloat("acts", 20);

    be.layernormForward(x.slice(0, 6), x.slice(6, 2), x.slice(8, 2), x.slice(0, 6), x.slice(10, 3), null, 2, 3);
    assertEquals(List.of("layernormForward"), reached, "a well-formed call goes through");

    var e = assertThrows(IllegalArgumentException.class,
        () -> be.layernormForward(x.slice(0, 5), x.slice(6, 2), x.slice(8, 2), x.slice(0, 6), x.slice(10, 3), null, 2, 3));
    assertEquals("layernormForward out (N,C): needs 6 floats, slice has 5 (acts[0:5])", e.getMessage());

    IntBuf ids = be.allocInt("ids", 2);
    be.write(ids, 0, new int[] {1, 5}, 0, 2);
    e = assertThrows(IllegalArgumentException.class,
        () -> be.encoderForward(x.slice(0, 4), ids, x.slice(0, 10), x.slice(10, 4), 1, 2, 2));
    assertEquals("encoderForward: token id 5 at 1 is outside [0, 5)", e.getMessage());

    IntBuf pos = be.allocInt("pos", 1);
    be.write(pos, 0, new int[] {3}, 0, 1);
    e = assertThrows(IllegalArgumentException.class,
        () -> be.attentionDecode(x.slice(0, 2), x.slice(0, 3), x.slice(0, 6), x.slice(0, 6), x.slice(6, 6), pos, 3, 2, 1));
    assertEquals("attentionDecode: position 3 is outside [0, 3)", e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> be.copy(x.slice(0, 3), x.slice(4, 2)));
    assertEquals("copy: lengths differ, dst acts[0:3] vs src acts[4:6]", e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> be.write(x, 18, new float[5], 0, 3));
    assertTrue(e.getMessage().contains("outside"), e.getMessage());
    assertEquals(List.of("layernormForward"), reached, "no bad call reached the backend");
  }

  @Test
  void whatTheBackendIsPassesThrough() {
    Backend inner = recording(new ArrayList<>());
    Backend be = CheckedBackend.wrap(inner);
    assertEquals("recording", be.name());
    assertTrue(be.buffersOnHeap());
    assertEquals(7L, be.trainingScratchBytes(1, 2, 3, 1, 4));
    assertSame(be, CheckedBackend.wrap(be), "wrapping twice checks once");

    // A backend that does not say where its buffers live (a device backend) is off the heap.
    Backend device = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
        (proxy, method, args) -> method.isDefault() ? InvocationHandler.invokeDefault(proxy, method, args) : null);
    assertFalse(CheckedBackend.wrap(device).buffersOnHeap());
  }

  /**
   * att shorter than the weights (B,NH,T,T) is the backend's attention state: it passes where the
   * backend keeps one that small, and is refused in one line where it does not.
   */
  @Test
  void attentionTakesTheWeightsOrTheBackendsSmallerState() {
    int B = 1, T = 4, C = 4, NH = 2; // weights: 32 floats
    List<String> reached = new ArrayList<>();
    Backend inner = recording(reached);
    Backend withState = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
        (proxy, method, args) -> method.getName().equals("attentionStateSize") ? 2L * B * NH * T
            : method.invoke(inner, args));
    Backend be = CheckedBackend.wrap(withState);
    FloatBuf x = be.allocFloat("acts", 200);
    Slice out = x.slice(0, 16), qkv = x.slice(16, 48), dqkv = x.slice(64, 48), dout = x.slice(112, 16);
    be.attentionForward(out, x.slice(128, 32), qkv, B, T, C, NH); // the weights
    be.attentionForward(out, x.slice(128, 16), qkv, B, T, C, NH); // the state: 2 per row
    be.attentionBackward(dqkv, dout, qkv, x.slice(128, 16), B, T, C, NH);
    assertEquals(List.of("attentionForward", "attentionForward", "attentionBackward"), reached);
    var e = assertThrows(IllegalArgumentException.class, () -> be.attentionForward(out, x.slice(128, 15), qkv, B, T, C, NH));
    assertEquals("attentionForward att: needs 32 floats for the weights (B,NH,T,T) or 16 for the recording backend's"
        + " attention state, slice has 15 (acts[128:143])", e.getMessage());

    // a backend that keeps the weights (the default) takes nothing shorter
    Backend plain = CheckedBackend.wrap(recording(new ArrayList<>()));
    FloatBuf y = plain.allocFloat("acts", 200);
    e = assertThrows(IllegalArgumentException.class,
        () -> plain.attentionBackward(y.slice(64, 48), y.slice(112, 16), y.slice(16, 48), y.slice(128, 16), B, T, C, NH));
    assertEquals("attentionBackward att (B,NH,T,T): needs 32 floats, slice has 16 (acts[128:144])", e.getMessage());
  }

  /**
   * A method of Backend that CheckedBackend did not override would run the interface's default
   * (beginStep doing nothing) instead of the wrapped backend's: every method must be forwarded.
   */
  @Test
  void everyBackendMethodIsForwarded() throws NoSuchMethodException {
    Forwarding.assertEveryBackendMethodIsOverridden(CheckedBackend.class);
  }
}

package dev.jgpt.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * A Backend that wraps another must override every method of the interface: one it left out would
 * run the interface's default (beginStep doing nothing, a fused op as two, runTogether one work
 * after another) instead of the wrapped backend's.
 */
final class Forwarding {
  private Forwarding() {}

  static void assertEveryBackendMethodIsOverridden(Class<? extends Backend> wrapper) throws NoSuchMethodException {
    for (Method m : Backend.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) continue;
      Method own = wrapper.getMethod(m.getName(), m.getParameterTypes());
      assertEquals(wrapper, own.getDeclaringClass(), m + " is not forwarded by " + wrapper.getSimpleName());
    }
  }
}

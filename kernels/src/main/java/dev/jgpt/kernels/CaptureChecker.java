package dev.jgpt.kernels;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test utility: checks on the CPU that model code is capture-safe, i.e. that a capturing
 * backend (TornadoVM) could record the first run of each step and replay it.
 *
 * <p>Wrap any backend, run the model through {@link #backend()}, and every violation throws an
 * {@link IllegalStateException} at the offending call:
 * <ul>
 *   <li>a run of a step issues a different op, buffer, slice, dimension or scalar argument than
 *       the first run of the step with the same name (or a different number of ops);
 *   <li>{@code read} inside a step (the host would depend on a device value mid-step);
 *   <li>{@code allocFloat}/{@code allocInt} inside a step, nested {@code beginStep}, or
 *       {@code endStep} without {@code beginStep}.
 * </ul>
 * Host writes inside a step are allowed (token ids go up each step) and compared by buffer,
 * offsets and length, not by the values written.
 */
public final class CaptureChecker {

  /** One recorded call: the op name and its arguments in comparable form. */
  private record Op(String method, List<Object> args) {
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(method).append('(');
      for (int i = 0; i < args.size(); i++) {
        if (i > 0) sb.append(", ");
        sb.append(args.get(i));
      }
      return sb.append(')').toString();
    }
  }

  /** Stands for a host array argument of write(): its identity and contents may change per step. */
  private record HostArray(int length) {
    @Override
    public String toString() {
      return "host[" + length + "]";
    }
  }

  private final Backend inner;
  private final Backend proxy;
  private final Map<String, List<Op>> firstRuns = new HashMap<>();
  private final Map<String, Integer> completedRuns = new HashMap<>();
  private String currentStep;
  private List<Op> currentOps;

  private CaptureChecker(Backend inner) {
    this.inner = inner;
    this.proxy = (Backend) Proxy.newProxyInstance(
        Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, new Handler());
  }

  /** Wraps {@code inner}; pass {@link #backend()} to the model under test. */
  public static CaptureChecker wrap(Backend inner) {
    if (inner == null) throw new IllegalArgumentException("CaptureChecker.wrap: backend is null");
    return new CaptureChecker(inner);
  }

  /** The checking backend: forwards every call to the wrapped one after checking it. */
  public Backend backend() {
    return proxy;
  }

  /** How many runs of {@code step} have ended (all checked against the first). */
  public int completedRuns(String step) {
    return completedRuns.getOrDefault(step, 0);
  }

  /** The ops of the first run of {@code step}, one readable line each (for test messages). */
  public List<String> recordedOps(String step) {
    return firstRuns.getOrDefault(step, List.of()).stream().map(Op::toString).toList();
  }

  private final class Handler implements InvocationHandler {
    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) return objectMethod(self, method, args);
      check(method.getName(), args == null ? new Object[0] : args);
      Object result;
      try {
        result = method.invoke(inner, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      if (result instanceof Backend[] shares) {
        // coreShares: the shards' steps are checked too where they run on the wrapped backend itself
        for (int i = 0; i < shares.length; i++) {
          if (shares[i] == inner) shares[i] = proxy;
        }
      }
      return result;
    }
  }

  private Object objectMethod(Object self, Method method, Object[] args) {
    return switch (method.getName()) {
      case "equals" -> self == args[0];
      case "hashCode" -> System.identityHashCode(self);
      default -> "CaptureChecker(" + inner.name() + ")";
    };
  }

  private void check(String method, Object[] args) {
    switch (method) {
      case "beginStep" -> begin((String) args[0]);
      case "endStep" -> end();
      case "read" -> {
        if (currentStep != null) {
          fail("read() inside a step: the host must not depend on a backend value mid-step; "
              + "read after endStep()");
        }
      }
      case "allocFloat", "allocInt" -> {
        if (currentStep != null) fail(method + "(\"" + args[0] + "\") inside a step: allocate buffers at setup");
      }
      case "name", "description", "close", "coreShares", "helpUntil", "runTogether" -> {}
      default -> {
        if (currentStep != null) record(new Op(method, comparable(args)));
      }
    }
  }

  private void begin(String step) {
    if (currentStep != null) fail("beginStep(\"" + step + "\") while step \"" + currentStep + "\" is open");
    if (step == null) throw new IllegalStateException("capture check: beginStep(null)");
    currentStep = step;
    currentOps = new ArrayList<>();
  }

  private void record(Op op) {
    List<Op> first = firstRuns.get(currentStep);
    int index = currentOps.size();
    if (first != null) {
      if (index >= first.size()) {
        fail("op " + index + " " + op + " is extra: the first run had " + first.size() + " ops");
      }
      if (!first.get(index).equals(op)) {
        fail("op " + index + " differs from the first run:\n  first: " + first.get(index) + "\n  now:   " + op);
      }
    }
    currentOps.add(op);
  }

  private void end() {
    if (currentStep == null) throw new IllegalStateException("capture check: endStep() without beginStep()");
    List<Op> first = firstRuns.get(currentStep);
    if (first == null) {
      firstRuns.put(currentStep, List.copyOf(currentOps));
    } else if (first.size() != currentOps.size()) {
      fail("the run has " + currentOps.size() + " ops, the first run had " + first.size()
          + "; next expected: " + first.get(currentOps.size()));
    }
    completedRuns.merge(currentStep, 1, Integer::sum);
    currentStep = null;
    currentOps = null;
  }

  private void fail(String what) {
    String step = currentStep == null ? "" : " step \"" + currentStep + "\" run " + (completedRuns(currentStep) + 1) + ":";
    throw new IllegalStateException("capture check:" + step + " " + what);
  }

  /**
   * Arguments in a form whose equals() says "same for a replay": slices and buffers by identity
   * (Slice is a record over its buffer, compared by identity), primitives by value, host arrays
   * by length only.
   */
  private static List<Object> comparable(Object[] args) {
    List<Object> out = new ArrayList<>(args.length);
    for (Object a : args) {
      if (a instanceof float[] f) out.add(new HostArray(f.length));
      else if (a instanceof int[] i) out.add(new HostArray(i.length));
      else if (a != null && a.getClass().isArray()) out.add(Arrays.deepToString(new Object[] {a}));
      else out.add(a);
    }
    return out;
  }
}

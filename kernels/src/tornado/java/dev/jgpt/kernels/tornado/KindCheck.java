package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import java.util.Arrays;

/**
 * The launch rule of {@link Arena}'s kernel convention: the tensors of one role group share a
 * kind, and the groups of one kernel are in distinct kinds (TornadoVM must not get one array
 * twice). A violation is the caller's allocation, so it says which kinds to allocate with.
 */
final class KindCheck {
  private KindCheck() {}

  /** The one kind of a role group's tensors (null entries are absent optional tensors). */
  static BufferKind same(String op, String group, BufferKind... kinds) {
    BufferKind kind = null;
    for (BufferKind k : kinds) {
      if (k == null) continue;
      if (kind == null) kind = k;
      else if (k != kind) {
        throw new IllegalArgumentException("TornadoVM backend: " + op + " needs its " + group + " in one buffer kind,"
            + " got " + Arrays.toString(kinds) + "; allocate them with the same BufferKind");
      }
    }
    return kind == null ? BufferKind.ACTIVATIONS : kind;
  }

  /** Checks that the groups' kinds are distinct; groups names them for the message. */
  static void apart(String op, String[] groups, BufferKind... kinds) {
    for (int i = 0; i < kinds.length; i++) {
      for (int j = i + 1; j < kinds.length; j++) {
        if (kinds[i] == kinds[j]) {
          throw new IllegalArgumentException("TornadoVM backend: " + op + " needs its " + groups[i] + " and its "
              + groups[j] + " in different buffer kinds (both are " + kinds[i] + "); allocate weights with"
              + " BufferKind.PARAMETERS, their gradients with GRADIENTS, Adam moments with OPTIMIZER_STATE");
        }
      }
    }
  }
}

package dev.jgpt.kernels.tornado;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Token + position embedding kernels. Floats live in the arena {@code m}, token ids and positions
 * in the int arena {@code ix}; each tensor is given by its offset.
 */
public final class EmbeddingKernels {
  private EmbeddingKernels() {}

  // out (N,C) = wte[inp[n]] + wpe[n % T]; inp (N) token ids with N = B*T, wte (V,C), wpe (maxT,C)
  public static void encoderForward(FloatArray m, IntArray ix, int outo, int inpo, int wteo, int wpeo, int N, int T,
      int C) {
    for (@Parallel int n = 0; n < N; n++) {
      for (@Parallel int c = 0; c < C; c++) {
        int token = ix.get(inpo + n);
        int t = n % T;
        m.set(outo + n * C + c, m.get(wteo + token * C + c) + m.get(wpeo + t * C + c));
      }
    }
  }

  static Launch launchEncoderForward(int outo, int inpo, int wteo, int wpeo, int B, int T, int C) {
    int N = B * T;
    return Launch.parallelWithInts(Launch.sig("encoderForward", outo, inpo, wteo, wpeo, B, T, C),
        (s, m, ix, ctx) -> s.task(EmbeddingKernels::encoderForward, m, ix, outo, inpo, wteo, wpeo, N, T, C));
  }

  // dwpe (maxT,C) += sum over b of dout (B,T,C): one writer per (t, c)
  public static void encoderBackwardPositions(FloatArray m, int dwpeo, int douto, int B, int T, int C) {
    for (@Parallel int t = 0; t < T; t++) {
      for (@Parallel int c = 0; c < C; c++) {
        float sum = 0f;
        for (int b = 0; b < B; b++) sum += m.get(douto + (b * T + t) * C + c);
        m.set(dwpeo + t * C + c, m.get(dwpeo + t * C + c) + sum);
      }
    }
  }

  static Launch launchEncoderBackwardPositions(int dwpeo, int douto, int B, int T, int C) {
    return Launch.parallel(Launch.sig("encoderBackward.positions", dwpeo, douto, B, T, C),
        (s, m, ix, ctx) -> s.task(EmbeddingKernels::encoderBackwardPositions, m, dwpeo, douto, B, T, C));
  }

  // dwte (V,C) += dout (N,C) gathered by token: order (N) lists the positions sorted by token id
  // (stable, so each token's positions stay in order), computed on the host from the ids it
  // uploads. Work item (s, c) owns the run of equal tokens starting at slot s, so each dwte row has
  // one writer and no atomics are needed.
  public static void encoderBackwardTokens(FloatArray m, IntArray ix, int dwteo, int douto, int inpo, int ordero,
      int N, int C) {
    for (@Parallel int s = 0; s < N; s++) {
      for (@Parallel int c = 0; c < C; c++) {
        int token = ix.get(inpo + ix.get(ordero + s));
        int previous = s == 0 ? -1 : ix.get(inpo + ix.get(ordero + s - 1));
        if (token != previous) {
          float sum = 0f;
          int r = s;
          while (r < N && ix.get(inpo + ix.get(ordero + r)) == token) {
            sum += m.get(douto + ix.get(ordero + r) * C + c);
            r++;
          }
          m.set(dwteo + token * C + c, m.get(dwteo + token * C + c) + sum);
        }
      }
    }
  }

  /** prepare writes the positions sorted by token into the int arena at ordero before each run. */
  static Launch launchEncoderBackwardTokens(int dwteo, int douto, int inpo, int ordero, int N, int C, Runnable prepare) {
    KernelCall call = (s, m, ix, ctx) ->
        s.task(EmbeddingKernels::encoderBackwardTokens, m, ix, dwteo, douto, inpo, ordero, N, C);
    return new Launch(Launch.sig("encoderBackward.tokens", dwteo, douto, inpo, ordero, N, C), true, call, call, null,
        prepare);
  }

  // out (C) = wte[token[0]] + wpe[pos[0]]; token and pos read on the device, so decode replays
  public static void encoderDecode(FloatArray m, IntArray ix, int outo, int tokeno, int poso, int wteo, int wpeo,
      int C) {
    for (@Parallel int c = 0; c < C; c++) {
      int token = ix.get(tokeno);
      int p = ix.get(poso);
      m.set(outo + c, m.get(wteo + token * C + c) + m.get(wpeo + p * C + c));
    }
  }

  static Launch launchEncoderDecode(int outo, int tokeno, int poso, int wteo, int wpeo, int C) {
    return Launch.parallelWithInts(Launch.sig("encoderDecode", outo, tokeno, poso, wteo, wpeo, C),
        (s, m, ix, ctx) -> s.task(EmbeddingKernels::encoderDecode, m, ix, outo, tokeno, poso, wteo, wpeo, C));
  }
}

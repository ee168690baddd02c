package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Token + position embedding kernels. Token ids and positions live in the int arena {@code ix};
 * float tensors in two role groups (see {@link Arena}): the activations side ({@code x}: out,
 * dout) and the weights side ({@code w}: wte, wpe, or their gradients); each tensor is given by
 * its offset into its group's array.
 */
public final class EmbeddingKernels {
  private EmbeddingKernels() {}

  // x: out (N,C) = w: wte[inp[n]] + wpe[n % T]; inp (N) token ids with N = B*T, wte (V,C), wpe (maxT,C)
  public static void encoderForward(IntArray ix, FloatArray x, FloatArray w, int outo, int inpo, int wteo, int wpeo,
      int N, int T, int C) {
    for (@Parallel int n = 0; n < N; n++) {
      for (@Parallel int c = 0; c < C; c++) {
        int token = ix.get(inpo + n);
        int t = n % T;
        x.set(outo + n * C + c, w.get(wteo + token * C + c) + w.get(wpeo + t * C + c));
      }
    }
  }

  static Launch launchEncoderForward(BufferKind xk, int outo, int inpo, BufferKind wk, int wteo, int wpeo, int B, int T,
      int C) {
    int N = B * T;
    KindCheck.apart("encoderForward", new String[] {"output", "embeddings"}, xk, wk);
    return Launch.parallelWithInts(Launch.sig("encoderForward", xk, outo, inpo, wk, wteo, wpeo, B, T, C),
        (s, a, ctx) -> s.task(EmbeddingKernels::encoderForward, a.ints(), a.of(xk), a.of(wk), outo, inpo, wteo, wpeo,
            N, T, C));
  }

  // x: dout (B,T,C); w: dwpe (maxT,C) += dout summed over b: one writer per (t, c). Each dout added
  // into the gradient itself in b order, as the CPU backend does (not summed apart and then added:
  // that rounds differently once the gradient is not zero, e.g. after an earlier micro-batch).
  public static void encoderBackwardPositions(FloatArray x, FloatArray w, int dwpeo, int douto, int B, int T, int C) {
    for (@Parallel int t = 0; t < T; t++) {
      for (@Parallel int c = 0; c < C; c++) {
        float sum = w.get(dwpeo + t * C + c);
        for (int b = 0; b < B; b++) sum += x.get(douto + (b * T + t) * C + c);
        w.set(dwpeo + t * C + c, sum);
      }
    }
  }

  static Launch launchEncoderBackwardPositions(BufferKind wk, int dwpeo, BufferKind xk, int douto, int B, int T,
      int C) {
    KindCheck.apart("encoderBackward", new String[] {"output gradient", "embedding gradients"}, xk, wk);
    return Launch.parallel(Launch.sig("encoderBackward.positions", wk, dwpeo, xk, douto, B, T, C),
        (s, a, ctx) -> s.task(EmbeddingKernels::encoderBackwardPositions, a.of(xk), a.of(wk), dwpeo, douto, B, T, C));
  }

  // dwte (V,C) += dout (N,C) gathered by token: order (N) lists the positions sorted by token id
  // (stable, so each token's positions stay in order), computed on the host from the ids it
  // uploads. Work item (s, c) owns the run of equal tokens starting at slot s, so each dwte row has
  // one writer and no atomics are needed. Each dout is added into the gradient itself in position
  // order, as the CPU backend does (the tied head's dweight is already in dwte: a sum formed apart
  // and added once rounded differently).
  // x: dout (N,C); w: dwte (V,C)
  public static void encoderBackwardTokens(IntArray ix, FloatArray x, FloatArray w, int dwteo, int douto, int inpo,
      int ordero, int N, int C) {
    for (@Parallel int s = 0; s < N; s++) {
      for (@Parallel int c = 0; c < C; c++) {
        int token = ix.get(inpo + ix.get(ordero + s));
        int previous = s == 0 ? -1 : ix.get(inpo + ix.get(ordero + s - 1));
        if (token != previous) {
          float sum = w.get(dwteo + token * C + c);
          int r = s;
          while (r < N && ix.get(inpo + ix.get(ordero + r)) == token) {
            sum += x.get(douto + ix.get(ordero + r) * C + c);
            r++;
          }
          w.set(dwteo + token * C + c, sum);
        }
      }
    }
  }

  /** prepare writes the positions sorted by token into the int arena at ordero before each run. */
  static Launch launchEncoderBackwardTokens(BufferKind wk, int dwteo, BufferKind xk, int douto, int inpo, int ordero,
      int N, int C, Runnable prepare) {
    KindCheck.apart("encoderBackward", new String[] {"output gradient", "embedding gradients"}, xk, wk);
    KernelCall call = (s, a, ctx) ->
        s.task(EmbeddingKernels::encoderBackwardTokens, a.ints(), a.of(xk), a.of(wk), dwteo, douto, inpo, ordero, N, C);
    return new Launch(Launch.sig("encoderBackward.tokens", wk, dwteo, xk, douto, inpo, ordero, N, C), true, call, call,
        null, prepare);
  }

  // x: out (C) = w: wte[token[0]] + wpe[pos[0]]; token and pos read on the device, so decode replays
  public static void encoderDecode(IntArray ix, FloatArray x, FloatArray w, int outo, int tokeno, int poso, int wteo,
      int wpeo, int C) {
    for (@Parallel int c = 0; c < C; c++) {
      int token = ix.get(tokeno);
      int p = ix.get(poso);
      x.set(outo + c, w.get(wteo + token * C + c) + w.get(wpeo + p * C + c));
    }
  }

  static Launch launchEncoderDecode(BufferKind xk, int outo, int tokeno, int poso, BufferKind wk, int wteo, int wpeo,
      int C) {
    KindCheck.apart("encoderDecode", new String[] {"output", "embeddings"}, xk, wk);
    return Launch.parallelWithInts(Launch.sig("encoderDecode", xk, outo, tokeno, poso, wk, wteo, wpeo, C),
        (s, a, ctx) -> s.task(EmbeddingKernels::encoderDecode, a.ints(), a.of(xk), a.of(wk), outo, tokeno, poso, wteo,
            wpeo, C));
  }
}

package dev.jgpt.kernels.tornado;

import java.util.Arrays;
import java.util.List;

/**
 * Builds the kernel launches of each backend op from arena offsets and dimensions: the one place
 * that knows which kernels an op runs, in which order, with which work grids. Offsets are absolute
 * positions in the arenas; {@code -1} or a 0 flag marks an absent optional tensor.
 */
final class Launches {
  private Launches() {}

  static List<Object> sig(Object... parts) {
    return Arrays.asList(parts);
  }

  // ---------------------------------------------------------------- copies

  static Launch copy(int dsto, int srco, int N) {
    return Launch.parallel(sig("copy", dsto, srco, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::copy, m, dsto, srco, N));
  }

  static Launch zero(int xo, int N) {
    return Launch.parallel(sig("zero", xo, N), (s, m, ix, ctx) -> s.task(ElementwiseKernels::zero, m, xo, N));
  }

  // ---------------------------------------------------------------- embeddings

  static Launch encoderForward(int outo, int inpo, int wteo, int wpeo, int B, int T, int C) {
    int N = B * T;
    return Launch.parallelWithInts(sig("encoderForward", outo, inpo, wteo, wpeo, B, T, C),
        (s, m, ix, ctx) -> s.task(EmbeddingKernels::encoderForward, m, ix, outo, inpo, wteo, wpeo, N, T, C));
  }

  static Launch encoderBackwardPositions(int dwpeo, int douto, int B, int T, int C) {
    return Launch.parallel(sig("encoderBackward.positions", dwpeo, douto, B, T, C),
        (s, m, ix, ctx) -> s.task(EmbeddingKernels::encoderBackwardPositions, m, dwpeo, douto, B, T, C));
  }

  /** prepare writes the positions sorted by token into the int arena at ordero before each run. */
  static Launch encoderBackwardTokens(int dwteo, int douto, int inpo, int ordero, int N, int C, Runnable prepare) {
    KernelCall call = (s, m, ix, ctx) ->
        s.task(EmbeddingKernels::encoderBackwardTokens, m, ix, dwteo, douto, inpo, ordero, N, C);
    return new Launch(sig("encoderBackward.tokens", dwteo, douto, inpo, ordero, N, C), true, call, call, null,
        prepare);
  }

  static Launch encoderDecode(int outo, int tokeno, int poso, int wteo, int wpeo, int C) {
    return Launch.parallelWithInts(sig("encoderDecode", outo, tokeno, poso, wteo, wpeo, C),
        (s, m, ix, ctx) -> s.task(EmbeddingKernels::encoderDecode, m, ix, outo, tokeno, poso, wteo, wpeo, C));
  }

  // ---------------------------------------------------------------- layer norm

  static Launch layernormForward(int outo, int meano, int rstdo, int inpo, int wo, int bo, int N, int C) {
    int hasBias = bo >= 0 ? 1 : 0;
    int b = Math.max(bo, 0);
    return Launch.parallel(sig("layernormForward", outo, meano, rstdo, inpo, wo, bo, N, C),
        (s, m, ix, ctx) -> s.task(RowKernels::layernormForward, m, outo, meano, rstdo, inpo, wo, b, hasBias, N, C));
  }

  static Launch layernormBackwardInput(int dinpo, int douto, int inpo, int wo, int meano, int rstdo, int N, int C) {
    return Launch.parallel(sig("layernormBackward.input", dinpo, douto, inpo, wo, meano, rstdo, N, C),
        (s, m, ix, ctx) -> s.task(RowKernels::layernormBackwardInput, m, dinpo, douto, inpo, wo, meano, rstdo, N, C));
  }

  static Launch layernormBackwardParams(int dwo, int dbo, int douto, int inpo, int meano, int rstdo, int N, int C) {
    int hasBias = dbo >= 0 ? 1 : 0;
    int db = Math.max(dbo, 0);
    return Launch.parallel(sig("layernormBackward.params", dwo, dbo, douto, inpo, meano, rstdo, N, C),
        (s, m, ix, ctx) -> s.task(RowKernels::layernormBackwardParams, m, dwo, db, hasBias, douto, inpo, meano, rstdo,
            N, C));
  }

  // ---------------------------------------------------------------- matmul

  /**
   * out (M,NC) = / += A (M,K) @ B (K,NC) [+ bias], A(i,k) = m[ao + i*ai + k*ak],
   * B(k,j) = m[bo + k*bk + j*bj]. tiled: the KernelContext kernel on the device and its twin on
   * the host; otherwise the {@code @Parallel} loops everywhere (faster on CPU OpenCL devices, where
   * work-group barriers and local memory are emulated).
   */
  static Launch gemm(boolean tiled, String op, int outo, int ao, int ai, int ak, int bo, int bk, int bj, int biaso,
      int mode, int M, int NC, int K) {
    int bias = Math.max(biaso, 0);
    KernelCall loops = (s, m, ix, ctx) ->
        s.task(MatmulKernels::gemm, m, outo, ao, ai, ak, bo, bk, bj, bias, mode, M, NC, K);
    List<Object> signature = sig(op, outo, ao, ai, ak, bo, bk, bj, biaso, mode, M, NC, K);
    if (!tiled) return Launch.parallel(signature, loops);
    KernelCall device = (s, m, ix, ctx) ->
        s.task(MatmulKernels::gemmTiled, ctx, m, outo, ao, ai, ak, bo, bk, bj, bias, mode, M, NC, K);
    int tile = MatmulKernels.TILE;
    int[] grid = {MatmulKernels.roundUp(NC), MatmulKernels.roundUp(M), tile, tile};
    return new Launch(signature, false, device, loops, grid, null);
  }

  static Launch biasBackward(int dbo, int douto, int N, int OC) {
    return Launch.parallel(sig("matmulBackward.bias", dbo, douto, N, OC),
        (s, m, ix, ctx) -> s.task(MatmulKernels::biasBackward, m, dbo, douto, N, OC));
  }

  // ---------------------------------------------------------------- attention

  static Launch attentionForward(int outo, int atto, int qkvo, int B, int T, int C, int NH, float scale) {
    int rows = B * NH * T;
    return Launch.parallel(sig("attentionForward", outo, atto, qkvo, B, T, C, NH),
        (s, m, ix, ctx) -> s.task(AttentionKernels::forward, m, outo, atto, qkvo, rows, T, C, NH, scale));
  }

  static Launch attentionBackwardScores(int dpreo, int douto, int qkvo, int atto, int B, int T, int C, int NH,
      float scale) {
    int rows = B * NH * T;
    return Launch.parallel(sig("attentionBackward.scores", dpreo, douto, qkvo, atto, B, T, C, NH),
        (s, m, ix, ctx) -> s.task(AttentionKernels::backwardScores, m, dpreo, douto, qkvo, atto, rows, T, C, NH,
            scale));
  }

  static Launch attentionBackwardQuery(int dqkvo, int dpreo, int qkvo, int B, int T, int C, int NH) {
    int rows = B * NH * T;
    int hs = C / NH;
    return Launch.parallel(sig("attentionBackward.query", dqkvo, dpreo, qkvo, B, T, C, NH),
        (s, m, ix, ctx) -> s.task(AttentionKernels::backwardQuery, m, dqkvo, dpreo, qkvo, rows, T, C, NH, hs));
  }

  static Launch attentionBackwardKeyValue(int dqkvo, int dpreo, int douto, int qkvo, int atto, int B, int T, int C,
      int NH) {
    int rows = B * NH * T;
    int hs = C / NH;
    return Launch.parallel(sig("attentionBackward.keyValue", dqkvo, dpreo, douto, qkvo, atto, B, T, C, NH),
        (s, m, ix, ctx) -> s.task(AttentionKernels::backwardKeyValue, m, dqkvo, dpreo, douto, qkvo, atto, rows, T, C,
            NH, hs));
  }

  static Launch attentionDecodeCache(int qkvo, int kco, int vco, int poso, int C) {
    return Launch.parallelWithInts(sig("attentionDecode.cache", qkvo, kco, vco, poso, C),
        (s, m, ix, ctx) -> s.task(AttentionKernels::decodeCache, m, ix, qkvo, kco, vco, poso, C));
  }

  static Launch attentionDecodeScores(int atto, int qkvo, int kco, int poso, int maxT, int C, int NH, float scale) {
    return Launch.parallelWithInts(sig("attentionDecode.scores", atto, qkvo, kco, poso, maxT, C, NH),
        (s, m, ix, ctx) -> s.task(AttentionKernels::decodeScores, m, ix, atto, qkvo, kco, poso, maxT, C, NH, scale));
  }

  static Launch attentionDecodeOutput(int outo, int atto, int vco, int poso, int maxT, int C, int NH) {
    int hs = C / NH;
    return Launch.parallelWithInts(sig("attentionDecode.output", outo, atto, vco, poso, maxT, C, NH),
        (s, m, ix, ctx) -> s.task(AttentionKernels::decodeOutput, m, ix, outo, atto, vco, poso, maxT, C, NH, hs));
  }

  // ---------------------------------------------------------------- elementwise

  static Launch geluForward(int outo, int inpo, int N) {
    return Launch.parallel(sig("geluForward", outo, inpo, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::geluForward, m, outo, inpo, N));
  }

  static Launch geluBackward(int dinpo, int inpo, int douto, int N) {
    return Launch.parallel(sig("geluBackward", dinpo, inpo, douto, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::geluBackward, m, dinpo, inpo, douto, N));
  }

  static Launch residualForward(int outo, int ao, int bo, int N) {
    return Launch.parallel(sig("residualForward", outo, ao, bo, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::residualForward, m, outo, ao, bo, N));
  }

  static Launch accumulate(int dsto, int srco, int N) {
    return Launch.parallel(sig("accumulate", dsto, srco, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::accumulate, m, dsto, srco, N));
  }

  static Launch dropoutForward(int outo, int inpo, int scalarso, float p, long seed, int stream, int N) {
    return Launch.parallel(sig("dropoutForward", outo, inpo, scalarso, p, seed, stream, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::dropoutForward, m, outo, inpo, scalarso, p, seed, stream, N));
  }

  static Launch dropoutBackward(int dinpo, int douto, int scalarso, float p, long seed, int stream, int N) {
    return Launch.parallel(sig("dropoutBackward", dinpo, douto, scalarso, p, seed, stream, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::dropoutBackward, m, dinpo, douto, scalarso, p, seed, stream, N));
  }

  // ---------------------------------------------------------------- softmax and loss

  static Launch softmaxForward(int probso, int logitso, int N, int V, int Vp) {
    return Launch.parallel(sig("softmaxForward", probso, logitso, N, V, Vp),
        (s, m, ix, ctx) -> s.task(RowKernels::softmaxForward, m, probso, logitso, N, V, Vp));
  }

  /** statso = -1: losses only; otherwise also the row max and sum at statso (N,2). */
  static Launch crossEntropyForward(int losseso, int statso, int logitso, int targetso, int N, int V, int Vp) {
    return Launch.parallelWithInts(sig("crossEntropyForward", losseso, statso, logitso, targetso, N, V, Vp),
        (s, m, ix, ctx) -> s.task(RowKernels::crossEntropyForward, m, ix, losseso, statso, logitso, targetso, N, V, Vp));
  }

  static Launch crossEntropyBackward(int logitso, int statso, int targetso, float dlossScale, int N, int V, int Vp) {
    return Launch.parallelWithInts(sig("crossEntropyBackward", logitso, statso, targetso, dlossScale, N, V, Vp),
        (s, m, ix, ctx) -> s.task(RowKernels::crossEntropyBackward, m, ix, logitso, statso, targetso, dlossScale, N, V,
            Vp));
  }

  // ---------------------------------------------------------------- optimizer

  static Launch normPartials(int partialso, int gradso, int N) {
    int parts = OptimizerKernels.NORM_PARTS;
    return Launch.parallel(sig("globalNormSquared.partials", partialso, gradso, N),
        (s, m, ix, ctx) -> s.task(OptimizerKernels::normPartials, m, partialso, gradso, N, parts));
  }

  static Launch normFinish(int scalarso, int partialso) {
    int parts = OptimizerKernels.NORM_PARTS;
    return Launch.parallel(sig("globalNormSquared.finish", scalarso, partialso),
        (s, m, ix, ctx) -> s.task(OptimizerKernels::normFinish, m, scalarso, partialso, parts));
  }

  static Launch adamwFactors(int factorso, int scalarso, float beta1, float beta2) {
    return Launch.parallel(sig("adamw.factors", factorso, scalarso, beta1, beta2),
        (s, m, ix, ctx) -> s.task(OptimizerKernels::adamwFactors, m, factorso, scalarso, beta1, beta2));
  }

  static Launch adamw(int paramso, int gradso, int mo, int vo, int scalarso, int factorso, float beta1, float beta2,
      float eps, float weightDecay, int N) {
    return Launch.parallel(sig("adamw", paramso, gradso, mo, vo, scalarso, factorso, beta1, beta2, eps, weightDecay,
        N), (s, m, ix, ctx) -> s.task(OptimizerKernels::adamw, m, paramso, gradso, mo, vo, scalarso, factorso, beta1,
            beta2, eps, weightDecay, N));
  }
}

package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.ReferenceKernels;
import dev.jgpt.kernels.cpu.CpuScalarMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The host twins of the {@link RowKernels} that fuse: the same Java with Math.fma written where the
 * device kernel's {@link Rounding#fma} becomes an fma on the device, the CPU backend's own exp
 * (cpu.CpuScalarMath) for {@link CpuMath}'s, and the CPU's double forms of rstd and the loss's log,
 * so a step's recording run on the host rounds as its replays on the device and as the CPU backend.
 * Shapes and orders: see each kernel in RowKernels; change both together (TornadoVsCpuTest checks
 * host, device and CPU backend agree).
 */
final class HostRowKernels {
  private HostRowKernels() {}

  // RowKernels.layernormForward as the host runs it: Math.fma where the device compiler fuses
  public static void layernormForward(FloatArray x, FloatArray w, int outo, int meano, int rstdo, int inpo,
      int weighto, int biaso, int hasBias, int lanes, int N, int C) {
    for (int n = 0; n < N; n++) {
      int row = inpo + n * C;
      int whole = C - C % lanes;
      float sum = 0f;
      for (int l = 0; l < lanes; l++) {
        float lane = 0f;
        for (int c = l; c < whole; c += lanes) lane += x.get(row + c);
        sum += lane;
      }
      for (int c = whole; c < C; c++) sum += x.get(row + c);
      float mean = sum / C;
      float var = 0f;
      for (int l = 0; l < lanes; l++) {
        float lane = 0f;
        for (int c = l; c < whole; c += lanes) {
          float d = x.get(row + c) - mean;
          lane = Math.fma(d, d, lane);
        }
        var += lane;
      }
      for (int c = whole; c < C; c++) {
        float d = x.get(row + c) - mean;
        var = Rounding.addRounded(var, d * d);
      }
      float s = (float) (1.0 / Math.sqrt(var / C + ReferenceKernels.LAYERNORM_EPS)); // as CpuMath.rsqrt on the device
      for (int c = 0; c < C; c++) {
        float b = 0f;
        if (hasBias == 1) b = w.get(biaso + c);
        float norm = (x.get(row + c) - mean) * s;
        float o = Rounding.addRounded(b, norm * w.get(weighto + c));
        if (c < whole) o = Math.fma(norm, w.get(weighto + c), b);
        x.set(outo + n * C + c, o);
      }
      x.set(meano + n, mean);
      x.set(rstdo + n, s);
    }
  }

  // RowKernels.layernormBackwardInput as the host runs it: Math.fma where the device compiler fuses
  public static void layernormBackwardInput(FloatArray x, FloatArray w, int dinpo, int douto, int inpo, int weighto,
      int meano, int rstdo, int lanes, int N, int C) {
    for (int n = 0; n < N; n++) {
      int row = inpo + n * C;
      int d = douto + n * C;
      int whole = C - C % lanes;
      float mean = x.get(meano + n);
      float s = x.get(rstdo + n);
      float dnormMean = 0f;
      float dnormNormMean = 0f;
      for (int l = 0; l < lanes; l++) {
        float laneMean = 0f;
        float laneNormMean = 0f;
        for (int c = l; c < whole; c += lanes) {
          float norm = (x.get(row + c) - mean) * s;
          float dnorm = w.get(weighto + c) * x.get(d + c);
          laneMean = Rounding.addRounded(laneMean, dnorm);
          laneNormMean = Math.fma(dnorm, norm, laneNormMean);
        }
        dnormMean += laneMean;
        dnormNormMean += laneNormMean;
      }
      for (int c = whole; c < C; c++) {
        float norm = (x.get(row + c) - mean) * s;
        float dnorm = w.get(weighto + c) * x.get(d + c);
        dnormMean = Rounding.addRounded(dnormMean, dnorm);
        dnormNormMean = Rounding.addRounded(dnormNormMean, dnorm * norm);
      }
      dnormMean = dnormMean / C;
      dnormNormMean = dnormNormMean / C;
      for (int c = 0; c < C; c++) {
        float norm = (x.get(row + c) - mean) * s;
        float dnorm = w.get(weighto + c) * x.get(d + c);
        float g = (dnorm - dnormMean - norm * dnormNormMean) * s;
        x.set(dinpo + n * C + c, Rounding.addRounded(x.get(dinpo + n * C + c), g));
      }
    }
  }

  // RowKernels.layernormBackwardParams as the host runs it: Math.fma where the device compiler fuses
  public static void layernormBackwardParams(FloatArray x, FloatArray g, int dweighto, int dbiaso, int hasBias,
      int douto, int inpo, int meano, int rstdo, int lanes, int rows, int N, int C) {
    for (int c = 0; c < C; c++) {
      int whole = C - C % lanes;
      float dw = g.get(dweighto + c);
      float db = 0f;
      if (hasBias == 1) db = g.get(dbiaso + c);
      for (int b = 0; b < N; b += rows) {
        int end = Math.min(N, b + rows);
        float pw = 0f;
        float pb = 0f;
        for (int n = b; n < end; n++) {
          float dout = x.get(douto + n * C + c);
          float norm = (x.get(inpo + n * C + c) - x.get(meano + n)) * x.get(rstdo + n);
          if (c < whole) pw = Math.fma(norm, dout, pw);
          else pw = Rounding.addRounded(pw, norm * dout);
          pb += dout;
        }
        dw += pw;
        db += pb;
      }
      g.set(dweighto + c, dw);
      if (hasBias == 1) g.set(dbiaso + c, db);
    }
  }

  // RowKernels.crossEntropyForward as the host runs it: the CPU backend's exp and its log in double
  // (the device's FloatLog gives the same float)
  public static void crossEntropyForward(FloatArray m, IntArray ix, int losseso, int statso, int logitso,
      int targetso, int lanes, int N, int V, int Vp) {
    for (int n = 0; n < N; n++) {
      int l = logitso + n * Vp;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < V; i++) max = Math.max(max, m.get(l + i));
      float sum = 0f;
      for (int lane = 0; lane < lanes; lane++) {
        float part = 0f;
        for (int i = lane; i < V; i += lanes) part += CpuScalarMath.expNonPositive(m.get(l + i) - max);
        sum += part;
      }
      int target = ix.get(targetso + n);
      m.set(losseso + n, (float) StrictMath.log(sum) - (m.get(l + target) - max));
      if (statso >= 0) {
        m.set(statso + 2 * n, max);
        m.set(statso + 2 * n + 1, sum);
      }
    }
  }

  // RowKernels.crossEntropyBackward as the host runs it: the CPU backend's exp
  public static void crossEntropyBackward(FloatArray m, IntArray ix, int logitso, int statso, int targetso,
      float dlossScale, int N, int V, int Vp) {
    for (int n = 0; n < N; n++) {
      for (int i = 0; i < Vp; i++) {
        float g = 0f;
        if (i < V) {
          float e = CpuScalarMath.expNonPositive(m.get(logitso + n * Vp + i) - m.get(statso + 2 * n));
          g = e * (dlossScale / m.get(statso + 2 * n + 1));
          if (i == ix.get(targetso + n)) g = g - dlossScale;
        }
        m.set(logitso + n * Vp + i, g);
      }
    }
  }
}

package dev.jgpt.kernels.tornado;

/**
 * Arithmetic that rounds as the CPU backend's, on the device and on the host alike. On the device
 * TornadoVM turns every {@code a * b + c} into one fma (tornado.enable.fma) and, with strict math
 * ({@link DeviceMath}), rounds everything else as written; the host runs the kernels as plain Java,
 * which never fuses. The CPU backend fuses in its vector loops (FloatVector.fma) and rounds each
 * product in its scalar tails, so a kernel says which it means, per operation.
 */
final class Rounding {
  private Rounding() {}

  /**
   * a * b + c rounded once on the device, where TornadoVM compiles it to fma; plain Java rounds the
   * product first, so the host runs a twin of such a kernel with Math.fma in its place (TornadoVM
   * cannot compile Math.fma: it inlines its BigDecimal fallback and gives up, even in a branch
   * never taken on the device).
   */
  static float fma(float a, float b, float c) {
    return a * b + c;
  }

  /**
   * a + p with p (a product) rounded first, as Java and the CPU backend's vector mul-then-add do:
   * written as a - (0 - p), which is the same float (0 - p is -p exactly, p = 0 included) but
   * not the add of a product that TornadoVM rewrites into an fma.
   */
  static float addRounded(float a, float p) {
    return a - (0f - p);
  }

  /** The CPU backend's float vector lanes (its Vec.L): the kernels sum in as many lanes. */
  static int cpuLanes() {
    return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
  }
}

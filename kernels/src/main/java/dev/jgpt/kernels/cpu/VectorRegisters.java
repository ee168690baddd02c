package dev.jgpt.kernels.cpu;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * How many vector registers C2 allocates from, which sizes the matmul's register tile
 * ({@link Gemm#MR}): 32 with AVX-512 (also at 256 bits, {@code -XX:MaxVectorSize=32}), on ARM
 * (NEON, SVE) and elsewhere; 16 on x86 without AVX-512 (AVX2). The vector width alone cannot tell
 * an AVX2 CPU from an AVX-512 one limited to 256 bits, so on x86 below 512 bits the JVM's own
 * {@code UseAVX} level decides (3 = AVX-512 and its 32 registers; the JVM lowers it to what the CPU
 * has). Asking loads the management classes once (about 20 ms), so 512-bit vectors (AVX-512 for sure)
 * skip it.
 */
final class VectorRegisters {
  private VectorRegisters() {}

  /** Vector registers C2 can use on this CPU and JVM. */
  static final int COUNT = count();

  private static int count() {
    String arch = System.getProperty("os.arch", "");
    if (Vec.L >= 16 || !arch.equals("amd64") && !arch.equals("x86_64")) return 32;
    try {
      HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      return Integer.parseInt(hotSpot.getVMOption("UseAVX").getValue()) >= 3 ? 32 : 16;
    } catch (RuntimeException | LinkageError e) {
      return 16; // a JVM that does not say: the tile that fits 16 registers is safe on 32 too
    }
  }
}

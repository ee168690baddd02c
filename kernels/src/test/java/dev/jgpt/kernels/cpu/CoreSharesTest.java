package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.jgpt.kernels.Backend;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** How a CPU backend's threads are shared out among data-parallel shards. */
class CoreSharesTest {

  @Test
  void everyThreadGoesToAShareTheFirstSharesTakingTheRemainder() {
    int[][] cases = {{2, 1, 1}, {3, 2, 1}, {4, 2, 2}, {5, 3, 2}};
    for (int[] c : cases) {
      try (CpuBackend cpu = new CpuBackend(c[0])) {
        int[] threads = Arrays.stream(cpu.coreShares(2)).mapToInt(b -> ((CpuBackend) b).threads()).toArray();
        assertArrayEquals(new int[] {c[1], c[2]}, threads, c[0] + " threads");
      }
    }
  }

  @Test
  void belowOneThreadAShareTheBackendItselfRunsTheShardsInTurnAndSharesAreMadeOnce() {
    try (CpuBackend one = new CpuBackend(1); CpuBackend two = new CpuBackend(2)) {
      Backend[] shares = one.coreShares(2);
      assertSame(one, shares[0]);
      assertSame(one, shares[1]);
      assertArrayEquals(two.coreShares(2), two.coreShares(2), "the same shares on every call");
    }
  }
}

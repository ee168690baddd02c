package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProcessMemoryTest {
  @Test
  void readsKilobyteLinesOfProcStatus() {
    String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmHWM:\t  312456 kB\nVmRSS:\t  300000 kB\nThreads:\t21\n";
    assertEquals(OptionalLong.of(312456L * 1024), ProcessMemory.parseKiloBytes(status, "VmHWM:"));
    assertEquals(OptionalLong.empty(), ProcessMemory.parseKiloBytes(status, "VmSwap:"));
    assertEquals(OptionalLong.empty(), ProcessMemory.parseKiloBytes("VmHWM:\t lots kB\n", "VmHWM:"));
  }

  @Test
  void thisProcessHasAPeakResidentSetOnLinux() {
    if (!System.getProperty("os.name").startsWith("Linux")) return;
    OptionalLong peak = ProcessMemory.peakResidentBytes();
    assertTrue(peak.isPresent() && peak.getAsLong() > 1 << 20, String.valueOf(peak));
  }
}

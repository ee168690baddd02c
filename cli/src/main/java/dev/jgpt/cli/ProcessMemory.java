package dev.jgpt.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** This process's memory as the operating system counts it (Linux's /proc), not the JVM's heap view. */
final class ProcessMemory {
  private ProcessMemory() {}

  private static final Path STATUS = Path.of("/proc/self/status");

  /**
   * Peak resident set size so far (VmHWM, the "high water mark"): heap, JIT code, thread stacks
   * and native memory together, what a laptop's memory has to hold. Empty where there is no
   * /proc (macOS, Windows).
   */
  static OptionalLong peakResidentBytes() {
    try {
      return parseKiloBytes(Files.readString(STATUS), "VmHWM:");
    } catch (IOException | SecurityException e) {
      return OptionalLong.empty();
    }
  }

  /** The value of a "Key:   1234 kB" line of /proc/self/status, in bytes. */
  static OptionalLong parseKiloBytes(String status, String key) {
    for (String line : status.split("\n")) {
      if (!line.startsWith(key)) continue;
      String[] parts = line.substring(key.length()).strip().split("\\s+");
      if (parts.length == 2 && parts[1].equals("kB") && parts[0].matches("[0-9]+")) {
        return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
      }
    }
    return OptionalLong.empty();
  }
}

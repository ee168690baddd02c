package dev.jgpt.kernels;

import dev.jgpt.kernels.cpu.CpuBackend;

class CpuBackendContractTest extends BackendContractTest {
  @Override
  Backend create() {
    return new CpuBackend(2);
  }
}

package dev.jgpt.kernels;

class ReferenceBackendContractTest extends BackendContractTest {
  @Override
  Backend create() {
    return new ReferenceBackend();
  }
}

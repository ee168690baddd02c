package dev.jgpt.kernels;

/** The profiling decorator passes the whole backend contract: it changes no result. */
class ProfilingBackendContractTest extends BackendContractTest {
  @Override
  Backend create() {
    return new ProfilingBackend(new ReferenceBackend());
  }
}

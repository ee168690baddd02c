package dev.jgpt.kernels.tornado;

import uk.ac.manchester.tornado.api.common.TornadoFunctions.*;

/** Runs each kernel call at once as plain Java ({@code @Parallel} loops run as ordinary loops). */
final class HostSink implements KernelSink {
  @Override
  public <T1> void task(Task1<T1> kernel, T1 a1) {
    kernel.apply(a1);
  }

  @Override
  public <T1, T2, T3> void task(Task3<T1, T2, T3> kernel, T1 a1, T2 a2, T3 a3) {
    kernel.apply(a1, a2, a3);
  }

  @Override
  public <T1, T2, T3, T4> void task(Task4<T1, T2, T3, T4> kernel, T1 a1, T2 a2, T3 a3, T4 a4) {
    kernel.apply(a1, a2, a3, a4);
  }

  @Override
  public <T1, T2, T3, T4, T5> void task(Task5<T1, T2, T3, T4, T5> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5) {
    kernel.apply(a1, a2, a3, a4, a5);
  }

  @Override
  public <T1, T2, T3, T4, T5, T6> void task(Task6<T1, T2, T3, T4, T5, T6> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6) {
    kernel.apply(a1, a2, a3, a4, a5, a6);
  }

  @Override
  public <T1, T2, T3, T4, T5, T6, T7> void task(Task7<T1, T2, T3, T4, T5, T6, T7> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7) {
    kernel.apply(a1, a2, a3, a4, a5, a6, a7);
  }

  @Override
  public <T1, T2, T3, T4, T5, T6, T7, T8> void task(Task8<T1, T2, T3, T4, T5, T6, T7, T8> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8) {
    kernel.apply(a1, a2, a3, a4, a5, a6, a7, a8);
  }

  @Override
  public <T1, T2, T3, T4, T5, T6, T7, T8, T9> void task(Task9<T1, T2, T3, T4, T5, T6, T7, T8, T9> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9) {
    kernel.apply(a1, a2, a3, a4, a5, a6, a7, a8, a9);
  }

  @Override
  public <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> void task(Task10<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10) {
    kernel.apply(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);
  }

  @Override
  public <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> void task(Task11<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11) {
    kernel.apply(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
  }

  @Override
  public <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> void task(Task12<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12) {
    kernel.apply(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12);
  }

  @Override
  public <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> void task(Task13<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13) {
    kernel.apply(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13);
  }

  @Override
  public <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> void task(Task14<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13, T14 a14) {
    kernel.apply(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14);
  }

  @Override
  public <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15> void task(Task15<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13, T14 a14, T15 a15) {
    kernel.apply(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
  }
}

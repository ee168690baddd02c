package dev.jgpt.kernels.tornado;

import uk.ac.manchester.tornado.api.common.TornadoFunctions.*;

/**
 * Where a recorded kernel call goes: {@link GraphSink} adds it to a TornadoVM task graph,
 * {@link HostSink} runs it at once as plain Java. One overload per kernel arity in use, so a
 * launch is written once, as {@code sink.task(Kernels::name, args...)}, for both.
 */
interface KernelSink {
  <T1> void task(Task1<T1> kernel, T1 a1);

  <T1, T2, T3> void task(Task3<T1, T2, T3> kernel, T1 a1, T2 a2, T3 a3);

  <T1, T2, T3, T4> void task(Task4<T1, T2, T3, T4> kernel, T1 a1, T2 a2, T3 a3, T4 a4);

  <T1, T2, T3, T4, T5> void task(Task5<T1, T2, T3, T4, T5> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5);

  <T1, T2, T3, T4, T5, T6> void task(Task6<T1, T2, T3, T4, T5, T6> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6);

  <T1, T2, T3, T4, T5, T6, T7> void task(Task7<T1, T2, T3, T4, T5, T6, T7> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7);

  <T1, T2, T3, T4, T5, T6, T7, T8> void task(Task8<T1, T2, T3, T4, T5, T6, T7, T8> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8);

  <T1, T2, T3, T4, T5, T6, T7, T8, T9> void task(Task9<T1, T2, T3, T4, T5, T6, T7, T8, T9> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9);

  <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> void task(Task10<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10);

  <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> void task(Task11<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11);

  <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> void task(Task12<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12);

  <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> void task(Task13<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13);

  <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> void task(Task14<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13, T14 a14);

  <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15> void task(Task15<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15> kernel, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13, T14 a14, T15 a15);
}

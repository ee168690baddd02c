package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.IntBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Backend-owned work space that the model never sees: reserved in the arena's activations on first use (during
 * a step's recording run, before its graph exists) and grown when an op needs more. Each getter
 * returns an arena offset.
 */
final class Scratch {
  private final Arena arena;
  private final Residency residency;
  private final DeviceMemory memory;
  private final String deviceName;

  private int dpre = -1, dpreSize; // attention score gradients (B,NH,T,T)
  private int rowStats = -1, rowStatsSize; // cross-entropy row max and sum (N,2)
  private int normPartials = -1, normPartialsSize; // gradient norm chunk sums (chunks)
  private int adamwFactors = -1; // AdamW clip factor and bias corrections (3)
  /**
   * Regions that one step asks for at several sizes (column partials of a layer norm, then of each
   * linear bias), per purpose in the order they were reserved with their sizes ({start, size}). A
   * request gets the first region of its purpose that is large enough, and a new one only when none
   * is: a launch recorded early in a step still gets the offset it was recorded with when a later
   * launch needed a larger region (regions are only appended, so the first fit never changes), and a
   * later step asking for less (a sample's few positions after training's full rows) grows nothing,
   * so the plans already compiled stay valid.
   */
  private final Map<String, List<int[]>> regions = new LinkedHashMap<>();
  /** Int arena room for one encoder backward's sorted positions (N), one region per (ids, N). */
  private final Map<List<Object>, Integer> tokenOrder = new LinkedHashMap<>();

  Scratch(Arena arena, Residency residency, DeviceMemory memory, String deviceName) {
    this.arena = arena;
    this.residency = residency;
    this.memory = memory;
    this.deviceName = deviceName;
  }

  /** dpre (B,NH,T,T): size = B*NH*T*T floats. */
  int attentionScoreGrads(int size) {
    if (size > dpreSize) {
      dpre = reserve(size, "attention backward scratch");
      dpreSize = size;
    }
    return dpre;
  }

  /** stats (N,2): size = 2*N floats. */
  int crossEntropyRowStats(int size) {
    if (size > rowStatsSize) {
      rowStats = reserve(size, "cross-entropy scratch");
      rowStatsSize = size;
    }
    return rowStats;
  }

  /** partials (chunks): one sum of squares per NORM_CHUNK gradients. */
  int normPartials(int chunks) {
    if (chunks > normPartialsSize) {
      normPartials = reserve(chunks, "gradient norm scratch");
      normPartialsSize = chunks;
    }
    return normPartials;
  }

  /** partials (blocks, width) of a blocked column reduction: size = blocks * width floats. */
  int columnPartials(int size) {
    return regionOfSize("column reduction scratch", size);
  }

  /** stats (B*NH*T, 2) of the flash attention forward: size = 2*B*NH*T floats. */
  int attentionRowStats(int size) {
    return regionOfSize("attention row stats scratch", size);
  }

  /** D (B*NH*T): sum_j P dP per attention row for the flash backward, size = B*NH*T floats. */
  int attentionRowGrads(int size) {
    return regionOfSize("attention backward row scratch", size);
  }

  private int regionOfSize(String what, int size) {
    List<int[]> ofPurpose = regions.computeIfAbsent(what, k -> new ArrayList<>());
    for (int[] region : ofPurpose) {
      if (region[1] >= size) return region[0];
    }
    int start = reserve(size, what);
    ofPurpose.add(new int[] {start, size});
    return start;
  }

  /** factors (3): clip, 1 - beta1^t, 1 - beta2^t. */
  int adamwFactors() {
    if (adamwFactors < 0) adamwFactors = reserve(3, "AdamW factors scratch");
    return adamwFactors;
  }

  /** order (N) in the int arena, for the token ids in ids. */
  int tokenOrder(IntBuf ids, int N) {
    return tokenOrder.computeIfAbsent(Arrays.asList(ids, N), k -> {
      memory.checkFits(arena, null, 0, N, "token order scratch", deviceName);
      return arena.reserveInts(N, "token order scratch");
    });
  }

  /** order (N) = positions 0..N sorted by token id (stable), from the ids (N) at inpo, on the host. */
  void sortPositionsByToken(int inpo, int ordero, int N) {
    long[] keyed = new long[N];
    for (int i = 0; i < N; i++) keyed[i] = ((long) arena.ints().get(inpo + i) << 32) | i;
    Arrays.sort(keyed);
    for (int i = 0; i < N; i++) arena.ints().set(ordero + i, (int) keyed[i]);
  }

  private int reserve(int size, String what) {
    memory.checkFits(arena, BufferKind.ACTIVATIONS, size, 0, what, deviceName);
    residency.beforeHostRun(); // growing copies the host arena: it must be current
    return arena.reserveFloats(BufferKind.ACTIVATIONS, size, what);
  }
}

package dev.jgpt.transformer;

/**
 * Starting a run from another model's weights (fine-tuning): the model's shape is the source's,
 * except that the context may be shorter (nanoGPT's {@code crop_block_size}: the first rows of the
 * position table are kept) and dropout may be set.
 */
public final class InitFrom {
  private InitFrom() {}

  /**
   * The shape a run starting from {@code source} trains: the source's, with {@code blockSize}
   * (at most the source's) and {@code dropout}. Throws a one-line IllegalArgumentException for a
   * longer context.
   */
  public static GptConfig shape(GptConfig source, int blockSize, float dropout) {
    if (blockSize > source.blockSize()) {
      throw new IllegalArgumentException("--block-size " + blockSize + " is longer than the context of the model to start from ("
          + source.blockSize() + "): its position table has no rows past that; use --block-size " + source.blockSize()
          + " or less");
    }
    return new GptConfig(source.vocabSize(), source.paddedVocabSize(), blockSize, source.nLayer(), source.nHead(),
        source.nEmbd(), source.bias(), dropout).validate();
  }

  /**
   * {@code params} (laid out for {@code from}) laid out for {@code to}, a copy of {@code from}
   * with a context no longer: every tensor copied by name, wpe (block_size, C) keeping its first
   * rows.
   */
  public static float[] crop(GptConfig from, float[] params, GptConfig to) {
    ParameterLayout src = new ParameterLayout(from), dst = new ParameterLayout(to);
    if (params.length != src.totalCount()) {
      throw new IllegalArgumentException("parameters hold " + params.length + " floats, the model " + src.totalCount());
    }
    float[] out = new float[dst.totalCount()];
    for (TensorSpec t : dst.tensors()) {
      TensorSpec s = src.get(t.name()); // the same tensor; wpe may have fewer rows here
      System.arraycopy(params, s.offset(), out, t.offset(), t.size());
    }
    return out;
  }
}

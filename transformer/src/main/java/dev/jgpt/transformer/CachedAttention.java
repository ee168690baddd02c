package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;

/**
 * Attention of one new position over the KV cache (a decode step): its k and v go into the cache
 * at the position held in {@code cache.pos}, then its q attends to cache rows 0 .. pos; in F32, or
 * in bf16 once the cache keeps them so ({@link KvCache#useBf16}).
 */
record CachedAttention(Backend backend, KvCache cache, int C, int NH) implements Attention {
  @Override
  public void forward(int layer, BlockActivations a) {
    // atty (C), att (NH, maxT) <- qkv (3C) and the cache's k, v (maxT, C) of this layer
    if (cache.bf16()) {
      backend.attentionDecodeBf16(a.atty(), a.att(), a.qkv(), cache.keys16[layer], cache.values16[layer], cache.pos,
          cache.maxT, C, NH);
    } else {
      backend.attentionDecode(a.atty(), a.att(), a.qkv(), cache.k[layer], cache.v[layer], cache.pos, cache.maxT, C, NH);
    }
  }
}

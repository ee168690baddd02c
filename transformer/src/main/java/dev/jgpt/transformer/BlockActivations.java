package dev.jgpt.transformer;

import dev.jgpt.kernels.Slice;

/**
 * What one block's forward pass writes, for N rows (N = B*T in training, the window's rows in a
 * prefill, 1 in a decode step). Training keeps one set per layer for the backward pass; a
 * generation step reuses one set for every layer, so there several fields name the same slice
 * (ln1 and ln2, the two mean/rstd pairs) and the residual stream ping-pongs between two.
 *
 * @param ln1 (N, C) ln_1 of the block's input
 * @param ln1Mean (N)
 * @param ln1Rstd (N)
 * @param qkv (N, 3C) c_attn's output: q, k, v of every row
 * @param atty (N, C) attention output before the projection
 * @param att softmaxed attention weights: (B, NH, T, T) over the sequence, or (NH, maxT) over the KV cache;
 *     in a training model, the backend's attention state where that is smaller (Backend#attentionStateSize)
 * @param attproj (N, C) attn.c_proj's output
 * @param attprojDrop (N, C) dropout(attproj), or null without dropout
 * @param residual2 (N, C) input + attention branch
 * @param ln2 (N, C) ln_2 of residual2
 * @param ln2Mean (N)
 * @param ln2Rstd (N)
 * @param fch (N, 4C) mlp.c_fc's output; after a training forward pass that keeps GELU's slope
 *     (Block#keepsGeluSlope), GELU' at that output instead
 * @param fchGelu (N, 4C) gelu(fch)
 * @param fcproj (N, C) mlp.c_proj's output
 * @param fcprojDrop (N, C) dropout(fcproj), or null without dropout
 * @param residual3 (N, C) residual2 + MLP branch: the block's output
 */
record BlockActivations(
    Slice ln1, Slice ln1Mean, Slice ln1Rstd,
    Slice qkv, Slice atty, Slice att, Slice attproj, Slice attprojDrop,
    Slice residual2,
    Slice ln2, Slice ln2Mean, Slice ln2Rstd,
    Slice fch, Slice fchGelu, Slice fcproj, Slice fcprojDrop,
    Slice residual3) {}

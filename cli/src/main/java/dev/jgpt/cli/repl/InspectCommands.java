package dev.jgpt.cli.repl;

import dev.jgpt.tokenizer.TokenText;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.TokenProbabilities;
import dev.jgpt.transformer.inspect.Inspection;
import dev.jgpt.transformer.inspect.Inspector;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The REPL's looks inside the model, {@code :attn}, {@code :lens} and {@code :similar}: text
 * views of an {@link Inspector}'s reads of the model's own forward pass. Layers and heads are
 * numbered from 1 as typed; positions in the context from 0.
 */
final class InspectCommands implements AutoCloseable {
  private static final int LABEL = 18; // "  123 " + a token fitted to 12
  private static final int LENS_TOP = 5;

  private final Inspector inspector;
  private final Tokenizer tok;
  private final Style style;
  private final PrintWriter out;
  private final IntSupplier width;

  InspectCommands(Inspector inspector, Tokenizer tok, Style style, PrintWriter out, IntSupplier width) {
    this.inspector = inspector;
    this.tok = tok;
    this.style = style;
    this.out = out;
    this.width = width;
  }

  private int width() {
    return Math.max(40, width.getAsInt());
  }

  // ---------------------------------------------------------------- :attn

  /** {@code :attn [LAYER] [HEAD]} over {@code context}. */
  void attn(String arg, int[] context) {
    int L = inspector.config().nLayer(), NH = inspector.config().nHead();
    String[] words = arg.isBlank() ? new String[0] : arg.strip().split("\\s+");
    if (words.length > 2) throw new IllegalArgumentException(":attn takes at most LAYER and HEAD, e.g. :attn 1 2");
    int layer = words.length > 0 ? oneBased(":attn layer", words[0], L) : 0;
    int head = words.length > 1 ? oneBased(":attn head", words[1], NH) : 0;
    Inspection ins = inspector.inspect(context, context.length);
    windowNote(ins, context.length);
    if (layer == 0) {
      overview(ins);
      return;
    }
    if (head > 0) {
      heatmap(ins, layer - 1, head - 1);
    } else {
      for (int h = 0; h < NH; h++) heatmap(ins, layer - 1, h);
    }
  }

  /** One line per layer and head: where the last token looks, as a thumbnail of its row and its strongest keys. */
  private void overview(Inspection ins) {
    int n = ins.length(), last = n - 1;
    int[] tokens = ins.tokens();
    int thumb = Math.min(n, Math.max(8, Math.min(32, width() - 60)));
    out.println("  attention of the last token " + last + " " + TokenText.quoted(tok, tokens[last])
        + " per layer and head: its row" + (thumb < n ? " (last " + thumb + " keys)" : "")
        + " and the tokens it attends to most; :attn LAYER HEAD for a heat map");
    for (int l = 0; l < ins.layers(); l++) {
      for (int h = 0; h < ins.heads(); h++) {
        float[] row = ins.attentionRow(l, h, last);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %2d %2d  |", l + 1, h + 1));
        for (int k = n - thumb; k < n; k++) sb.append(style.shade(row[k], 1));
        sb.append("|  ");
        int[] order = strongest(row, 3);
        for (int i = 0; i < order.length; i++) {
          int k = order[i];
          sb.append(i == 0 ? "" : ", ").append(k).append(' ').append(TokenText.quoted(tok, tokens[k]))
              .append(String.format(Locale.ROOT, " %.0f%%", 100.0 * row[k]));
        }
        out.println(sb);
      }
    }
  }

  /** Rows are queries, columns keys, over the last tokens that fit the width. */
  private void heatmap(Inspection ins, int layer, int head) {
    int n = ins.length();
    int[] tokens = ins.tokens();
    int shown = Math.min(n, (width() - LABEL - 1) / 2);
    int from = n - shown;
    out.println("  layer " + (layer + 1) + " head " + (head + 1) + ": rows are queries, columns the keys they attend to"
        + (from > 0 ? "; the last " + shown + " of " + n + " tokens (widen the terminal for more)" : ""));
    StringBuilder header = new StringBuilder(" ".repeat(LABEL));
    for (int k = from; k < n; k++) header.append(columnLabel(tokens[k])).append(' ');
    out.println(style.dim(header.toString().stripTrailing()));
    for (int q = from; q < n; q++) {
      float[] row = ins.attentionRow(layer, head, q);
      StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %3d ", q));
      sb.append(ProbabilityView.fit(TokenText.quoted(tok, tokens[q]), LABEL - 6));
      for (int k = from; k <= q; k++) sb.append(style.shade(row[k], 2));
      out.println(sb.toString().stripTrailing());
    }
  }

  /** One character standing for a token over its column: the first of its text, a space shown as '·'. */
  private String columnLabel(int id) {
    String s = TokenText.render(tok.tokenBytes(id));
    if (s.isEmpty()) return "?";
    String first = s.substring(0, s.offsetByCodePoints(0, 1));
    return first.equals(" ") ? "·" : first;
  }

  /** Indices of the {@code k} largest entries, largest first. */
  private static int[] strongest(float[] row, int k) {
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < row.length; i++) idx.add(i);
    idx.sort((a, b) -> Float.compare(row[b], row[a]));
    return idx.stream().limit(Math.min(k, row.length)).mapToInt(Integer::intValue).toArray();
  }

  // ---------------------------------------------------------------- :lens

  /** {@code :lens}: the top next tokens read from the residual stream after each layer, at the last position. */
  void lens(int[] context) {
    Inspection ins = inspector.inspect(context, context.length);
    windowNote(ins, context.length);
    int last = ins.length() - 1, L = ins.layers();
    List<TokenProbabilities> lens = ins.lens(last);
    TokenProbabilities model = lens.get(L);
    int predicted = model.top(1).get(0).id();
    String predictedText = TokenText.quoted(tok, predicted);
    out.println("  logit lens after " + last + " " + TokenText.quoted(tok, ins.tokens()[last])
        + ": ln_f and the head applied to the residual stream after each layer; the model predicts "
        + predictedText + String.format(Locale.ROOT, " (%.1f%%)", 100.0 * model.raw(predicted)));
    String rankHead = "rank of " + predictedText;
    // the label column fits "L out" and a space after it ("12 out" in GPT-2)
    int labelWidth = Math.max("layer".length(), (L + " out").length()) + 1;
    int itemsWidth = width() - 2 - labelWidth - rankHead.length() - 2;
    out.println(style.dim("  " + ProbabilityView.fit("layer", labelWidth) + ProbabilityView.fit("top next tokens", itemsWidth) + "  "
        + rankHead));
    for (int d = 0; d <= L; d++) {
      TokenProbabilities tp = lens.get(d);
      StringBuilder items = new StringBuilder();
      for (TokenProbabilities.Candidate c : tp.top(LENS_TOP)) {
        String item = TokenText.quoted(tok, c.id()) + String.format(Locale.ROOT, " %.1f%%", 100.0 * c.raw());
        if (!items.isEmpty() && items.length() + 2 + item.length() > itemsWidth) break;
        items.append(items.isEmpty() ? "" : "  ").append(style.byProbability(item, c.raw()));
      }
      String label = d == 0 ? "emb" : d == L ? d + " out" : String.valueOf(d);
      int visible = Layout.visibleLength(items.toString());
      out.println("  " + ProbabilityView.fit(label, labelWidth) + items + " ".repeat(Math.max(0, itemsWidth - visible))
          + String.format(Locale.ROOT, "  %" + rankHead.length() + "d", tp.rawRank(predicted)));
    }
  }

  // ---------------------------------------------------------------- :similar

  /** {@code :similar TOKEN}: TOKEN is text that is one token (escapes such as \n allowed) or #ID. */
  void similar(String arg, int[] tokenIds) {
    if (arg.isEmpty()) throw new IllegalArgumentException(":similar needs TOKEN: text of one token (:similar  the), or #ID");
    int id;
    if (arg.matches("#\\d+")) {
      id = ReplArguments.tokenId(":similar", arg.substring(1), inspector.config().vocabSize());
    } else if (tokenIds.length == 1) {
      id = tokenIds[0];
    } else {
      StringBuilder pieces = new StringBuilder();
      for (int t : tokenIds) pieces.append(' ').append(TokenText.quoted(tok, t));
      throw new IllegalArgumentException(":similar needs one token, and " + TokenText.render(arg.getBytes(
          java.nio.charset.StandardCharsets.UTF_8)) + " is " + tokenIds.length + ":" + pieces + " (or give #ID)");
    }
    out.println("  tokens nearest to " + id + " " + TokenText.quoted(tok, id)
        + " by cosine similarity of their embeddings (rows of wte, the tied head)");
    int rank = 1;
    for (Inspector.Similar s : inspector.similarTokens(id, 10)) {
      out.println(String.format(Locale.ROOT, "  %3d  %6d ", rank++, s.id()) + ProbabilityView.fit(TokenText.quoted(tok,
          s.id()), 14) + String.format(Locale.ROOT, " %6.3f  ", s.cosine()) + style.bar(Math.max(0, s.cosine()), 20).stripTrailing());
    }
  }

  // ---------------------------------------------------------------- helpers

  private void windowNote(Inspection ins, int n) {
    if (ins.start() > 0) {
      out.println(style.dim("  (the model sees the last " + ins.length() + " of the " + n
          + " tokens: positions below count from token " + ins.start() + ")"));
    }
  }

  private static int oneBased(String what, String word, int max) {
    int v;
    try {
      v = Integer.parseInt(word);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " needs a whole number from 1 to " + max + ", got '" + word + "'");
    }
    if (v < 1 || v > max) throw new IllegalArgumentException(what + " must be from 1 to " + max + ", got " + v);
    return v;
  }

  @Override
  public void close() {
    inspector.close();
  }
}

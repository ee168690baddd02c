package dev.jgpt.cli.repl;

/**
 * Colours and bar glyphs for a terminal, or none of them for a pipe: the plain style writes no
 * control codes at all, so scripted output can be compared and parsed.
 */
public final class Style {
  private static final String RESET = "\u001b[0m";
  private static final String[] BLOCKS = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};

  private final boolean ansi;

  private Style(boolean ansi) {
    this.ansi = ansi;
  }

  /** ANSI colours and Unicode bars, for a terminal. */
  public static Style terminal() {
    return new Style(true);
  }

  /** No control codes; bars are drawn with '#'. */
  public static Style plain() {
    return new Style(false);
  }

  public boolean colours() {
    return ansi;
  }

  private String wrap(String code, String s) {
    return ansi && !s.isEmpty() ? "\u001b[" + code + "m" + s + RESET : s;
  }

  public String bold(String s) {
    return wrap("1", s);
  }

  public String dim(String s) {
    return wrap("2", s);
  }

  public String error(String s) {
    return wrap("31", s);
  }

  public String accent(String s) {
    return wrap("36", s);
  }

  /**
   * {@code s} coloured by a probability: green for likely, through yellow, to red for tokens the
   * model found surprising (thresholds at 50%, 20%, 5%, 1%).
   */
  public String byProbability(String s, double p) {
    String code;
    if (p >= 0.5) code = "92";
    else if (p >= 0.2) code = "32";
    else if (p >= 0.05) code = "33";
    else if (p >= 0.01) code = "91";
    else code = "31";
    return wrap(code, s);
  }

  /** A bar {@code width} cells long at p = 1; eighths of a cell on a terminal, whole '#' cells in plain text. */
  public String bar(double p, int width) {
    double cells = Math.max(0, Math.min(1, p)) * width;
    StringBuilder sb = new StringBuilder(width);
    if (ansi) {
      int eighths = (int) Math.round(cells * 8);
      sb.append("█".repeat(eighths / 8)).append(BLOCKS[eighths % 8]);
    } else {
      sb.append("#".repeat((int) Math.round(cells)));
    }
    int shown = ansi ? (int) Math.ceil(Math.round(cells * 8) / 8.0) : (int) Math.round(cells);
    sb.append(" ".repeat(Math.max(0, width - shown)));
    return sb.toString();
  }
}

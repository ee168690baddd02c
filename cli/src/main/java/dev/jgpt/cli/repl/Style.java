package dev.jgpt.cli.repl;

/**
 * Colours and bar glyphs for a terminal, or none of them for a pipe: the plain style writes no
 * control codes at all, so scripted output can be compared and parsed.
 */
public final class Style {
  private static final String RESET = "\u001b[0m";
  private static final String[] BLOCKS = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};

  private static final String SHADES = " ░▒▓█";

  private final boolean ansi;
  private final boolean trueColour;

  private Style(boolean ansi, boolean trueColour) {
    this.ansi = ansi;
    this.trueColour = trueColour;
  }

  /** ANSI colours and Unicode bars, for a terminal; 24-bit colour where $COLORTERM says the terminal has it. */
  public static Style terminal() {
    String ct = System.getenv("COLORTERM");
    return new Style(true, ct != null && (ct.contains("truecolor") || ct.contains("24bit")));
  }

  /** No control codes; bars are drawn with '#'. */
  public static Style plain() {
    return new Style(false, false);
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

  /** The probability colours, likeliest first: at least {@link #THRESHOLDS}[i] gets COLOURS[i], below all gets the last. */
  private static final double[] THRESHOLDS = {0.5, 0.2, 0.05, 0.01};
  private static final String[] COLOURS = {"92", "32", "33", "91", "31"};

  /**
   * {@code s} coloured by a probability: green for likely, through yellow, to red for tokens the
   * model found surprising (thresholds at 50%, 20%, 5%, 1%; {@link #legend()} explains them).
   */
  public String byProbability(String s, double p) {
    int i = 0;
    while (i < THRESHOLDS.length && p < THRESHOLDS[i]) i++;
    return wrap(COLOURS[i], s);
  }

  /**
   * One short line that explains {@link #byProbability}'s colours, each range written in its
   * colour: "colour = probability: ≥50%  20-50%  5-20%  1-5%  <1%".
   */
  public String legend() {
    StringBuilder sb = new StringBuilder("colour = probability:");
    for (int i = 0; i <= THRESHOLDS.length; i++) {
      String range = i == 0 ? "≥" + percent(THRESHOLDS[0])
          : i == THRESHOLDS.length ? "<" + percent(THRESHOLDS[i - 1])
          : percent(THRESHOLDS[i]).replace("%", "") + "-" + percent(THRESHOLDS[i - 1]);
      sb.append(i == 0 ? " " : "  ").append(wrap(COLOURS[i], range));
    }
    return sb.toString();
  }

  private static String percent(double p) {
    return Math.round(p * 100) + "%";
  }

  /**
   * A heat-map cell {@code width} characters wide for a weight w in [0, 1]: a 24-bit background
   * colour (dark to bright yellow) where the terminal has them, else a shading block ' ░▒▓█'
   * (blank below 5%, full from 75%).
   */
  public String shade(double w, int width) {
    double v = Math.max(0, Math.min(1, w));
    if (trueColour) {
      int r = (int) Math.round(20 + 235 * Math.sqrt(v)), g = (int) Math.round(20 + 200 * v), b = 20;
      return "\u001b[48;2;" + r + ";" + g + ";" + b + "m" + " ".repeat(width) + RESET;
    }
    int level = v < 0.05 ? 0 : v < 0.25 ? 1 : v < 0.5 ? 2 : v < 0.75 ? 3 : 4;
    return String.valueOf(SHADES.charAt(level)).repeat(width);
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

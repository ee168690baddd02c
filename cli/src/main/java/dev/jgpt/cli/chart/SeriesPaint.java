package dev.jgpt.cli.chart;

/**
 * How series are told apart: by ANSI colour on a terminal, by marker character in a file or
 * pipe (where colour codes would be noise). A lone series needs neither and keeps the glyphs.
 */
public record SeriesPaint(boolean colour) {
  /** Bright enough on dark and light backgrounds: cyan, yellow, magenta, green, red, blue, then bright ones. */
  private static final String[] COLOURS = {"36", "33", "35", "32", "31", "34", "96", "93", "95", "92"};
  private static final char[] MARKERS = {'*', '+', 'o', 'x', '#', '@', '%', '&', '=', '~'};
  private static final String RESET = "\u001b[0m";

  /** {@code text} in series {@code s}'s colour (unchanged without colour). */
  public String coloured(int s, String text) {
    return colour && !text.isEmpty() ? "\u001b[" + COLOURS[s % COLOURS.length] + "m" + text + RESET : text;
  }

  public char marker(int s) {
    return MARKERS[s % MARKERS.length];
  }

  /** Whether cells show series {@code s}'s marker instead of dots: several series and no colour. */
  public boolean markers(int seriesCount) {
    return !colour && seriesCount > 1;
  }
}

package dev.jgpt.corpus;

import java.util.regex.Pattern;

/**
 * One include/exclude glob over '/'-separated relative paths, the same on every platform.
 *
 * <p>A glob without '/' matches the file name at any depth ({@code *.java}); a glob with '/'
 * matches the whole relative path ({@code src/main/**}). {@code *} and {@code ?} stay inside one
 * path component, {@code **} crosses components ({@code a/**}{@code /b} also matches {@code a/b}),
 * {@code {x,y}} is a choice and {@code [abc]} / {@code [!abc]} a character set.
 */
record Glob(String text, Pattern regex, boolean nameOnly) {

  static Glob of(String text) {
    if (text.isBlank()) throw new IllegalArgumentException("empty glob in --include/--exclude; give a pattern such as '*.java'");
    return new Glob(text, Pattern.compile(toRegex(text)), !text.contains("/"));
  }

  boolean matches(String relativePath) {
    String subject = nameOnly ? relativePath.substring(relativePath.lastIndexOf('/') + 1) : relativePath;
    return regex.matcher(subject).matches();
  }

  private static String toRegex(String glob) {
    StringBuilder re = new StringBuilder();
    int braces = 0;
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> {
          if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
            i++;
            if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
              i++;
              re.append("(?:.*/)?"); // zero or more whole folders
            } else {
              re.append(".*");
            }
          } else {
            re.append("[^/]*");
          }
        }
        case '?' -> re.append("[^/]");
        case '{' -> {
          braces++;
          re.append("(?:");
        }
        case '}' -> {
          if (braces == 0) throw bad(glob, "'}' without '{'");
          braces--;
          re.append(')');
        }
        case ',' -> re.append(braces > 0 ? "|" : ",");
        case '[' -> {
          int close = glob.indexOf(']', i + 1);
          if (close < 0) throw bad(glob, "'[' without ']'");
          String set = glob.substring(i + 1, close);
          boolean negated = set.startsWith("!");
          if (negated) set = set.substring(1);
          re.append(negated ? "[^/" : "[").append(set.replace("\\", "\\\\").replace("[", "\\[")).append(']');
          i = close;
        }
        case '\\' -> {
          if (i + 1 < glob.length()) re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    if (braces != 0) throw bad(glob, "'{' without '}'");
    return re.toString();
  }

  private static IllegalArgumentException bad(String glob, String why) {
    return new IllegalArgumentException("bad glob '" + glob + "': " + why + "; see --help for the glob syntax");
  }
}

package dev.jgpt.corpus;

import java.util.List;

/**
 * Which files of a folder or archive are documents: include globs (none = every file), exclude
 * globs (an exclude wins over an include), and never hidden files (see {@link #isHidden}).
 */
record PathFilter(List<Glob> include, List<Glob> exclude) {

  static PathFilter of(List<String> include, List<String> exclude) {
    return new PathFilter(include.stream().map(Glob::of).toList(), exclude.stream().map(Glob::of).toList());
  }

  boolean accepts(String relativePath) {
    if (isHidden(relativePath)) return false;
    if (!include.isEmpty() && include.stream().noneMatch(g -> g.matches(relativePath))) return false;
    return exclude.stream().noneMatch(g -> g.matches(relativePath));
  }

  /** A path with a component starting with '.' (.git, .DS_Store) or macOS archive debris (__MACOSX). */
  static boolean isHidden(String relativePath) {
    for (String part : relativePath.split("/")) {
      if (part.startsWith(".") || part.equals("__MACOSX")) return true;
    }
    return false;
  }

  /** The globs as text, for messages and for corpus fingerprints (changing them rebuilds the token file). */
  String describe() {
    return "include " + include.stream().map(Glob::text).toList() + ", exclude " + exclude.stream().map(Glob::text).toList();
  }
}

package dev.jgpt.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GlobTest {

  @Test
  void globWithoutSlashMatchesTheFileNameAtAnyDepth() {
    Glob java = Glob.of("*.java");
    assertTrue(java.matches("A.java"));
    assertTrue(java.matches("src/main/A.java"));
    assertFalse(java.matches("src/A.javax"));
    assertFalse(java.matches("A.java/readme.md"));
  }

  @Test
  void globWithSlashMatchesTheWholePathAndStarStaysInOneFolder() {
    Glob top = Glob.of("java.base/java/util/*.java");
    assertTrue(top.matches("java.base/java/util/ArrayList.java"));
    assertFalse(top.matches("java.base/java/util/concurrent/Future.java"));
    assertFalse(top.matches("other/java.base/java/util/ArrayList.java"));
  }

  @Test
  void doubleStarCrossesFoldersIncludingNone() {
    Glob deep = Glob.of("src/**/*.java");
    assertTrue(deep.matches("src/A.java"));
    assertTrue(deep.matches("src/a/b/A.java"));
    assertFalse(deep.matches("test/A.java"));
    assertTrue(Glob.of("docs/**").matches("docs/a/b.md"));
  }

  @Test
  void bracesSetsAndQuestionMarks() {
    Glob choice = Glob.of("*.{md,txt}");
    assertTrue(choice.matches("a/notes.md"));
    assertTrue(choice.matches("notes.txt"));
    assertFalse(choice.matches("notes.java"));
    assertTrue(Glob.of("part-[0-9].txt").matches("part-7.txt"));
    assertFalse(Glob.of("part-[!0-9].txt").matches("part-7.txt"));
    assertTrue(Glob.of("part-[!0-9].txt").matches("part-x.txt"));
    assertTrue(Glob.of("?.txt").matches("a.txt"));
    assertFalse(Glob.of("?.txt").matches("ab.txt"));
    assertTrue(Glob.of("a+b(1).txt").matches("a+b(1).txt"), "regex characters are literal");
  }

  @Test
  void badGlobsSayWhatIsWrong() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Glob.of("*.{md")).getMessage().contains("'{' without '}'"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Glob.of("[abc")).getMessage().contains("'[' without ']'"));
    assertThrows(IllegalArgumentException.class, () -> Glob.of(" "));
  }

  @Test
  void filterLeavesOutHiddenPathsAndLetsExcludesWin() {
    PathFilter filter = PathFilter.of(List.of("*.java", "*.md"), List.of("**/generated/**"));
    assertTrue(filter.accepts("src/A.java"));
    assertFalse(filter.accepts("src/generated/B.java"));
    assertFalse(filter.accepts(".git/HEAD.md"));
    assertFalse(filter.accepts("src/.A.java"));
    assertFalse(filter.accepts("__MACOSX/A.java"));
    assertFalse(filter.accepts("src/A.class"));
    assertEquals("include [*.java, *.md], exclude [**/generated/**]", filter.describe());
  }
}

package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and the manual in docs/ link to each other and to files of the project: every
 * relative link must name a file that exists, and every {@code #anchor} into a Markdown file
 * one of its headings (GitHub's anchors: lower case, punctuation dropped, spaces as hyphens).
 */
class DocLinksTest {
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)"); // [text](target), ![alt](target)
  private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");

  @Test
  void everyRelativeLinkInTheReadmeAndTheManualResolves() throws IOException {
    Path root = projectRoot();
    List<Path> pages = new ArrayList<>();
    pages.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path page : pages) {
      for (String target : links(Files.readString(page))) {
        if (target.matches("^[a-z]+:.*")) continue; // http:, https:, mailto: are not files
        checked++;
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        String where = root.relativize(page) + " -> " + target;
        if (!Files.exists(resolved)) {
          broken.add(where + " (no such file)");
        } else if (hash >= 0 && resolved.toString().endsWith(".md")
            && !anchors(Files.readString(resolved)).contains(target.substring(hash + 1))) {
          broken.add(where + " (no such heading)");
        }
      }
    }
    assertEquals(List.of(), broken, "broken links");
    assertTrue(checked > 50, "only " + checked + " relative links found: is the link pattern still right?");
  }

  @Test
  void anchorsFollowGitHubsRule() {
    Set<String> a = anchors("# Training: `jgpt train`\n## What was tested, and how\n```\n# not a heading\n```\n## Numbers\n## Numbers\n");
    assertEquals(Set.of("training-jgpt-train", "what-was-tested-and-how", "numbers", "numbers-1"), a);
    assertEquals(List.of("docs/a.md", "b.png#x"), links("see [a](docs/a.md) and ![b](b.png#x), not `[c](c.md)`\n```\n[d](d.md)\n```\n"));
  }

  /** Link targets outside code blocks and inline code. */
  static List<String> links(String markdown) {
    List<String> out = new ArrayList<>();
    boolean fence = false;
    for (String line : markdown.split("\n")) {
      if (line.startsWith("```")) fence = !fence;
      if (fence) continue;
      Matcher m = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
      while (m.find()) out.add(m.group(1));
    }
    return out;
  }

  /** The anchors GitHub gives a page's headings (a repeated heading gets -1, -2, ...). */
  static Set<String> anchors(String markdown) {
    Set<String> out = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fence = false;
    for (String line : markdown.split("\n")) {
      if (line.startsWith("```")) fence = !fence;
      if (fence || !line.matches("^#{1,6} .*")) continue;
      String slug = line.replaceFirst("^#+ ", "").strip().toLowerCase(Locale.ROOT)
          .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum);
      out.add(n == 1 ? slug : slug + "-" + (n - 1));
    }
    return out;
  }

  /** The folder holding README.md and docs/ (tests run in the module's folder). */
  private static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !(Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs")))) {
      dir = dir.getParent();
    }
    if (dir == null) throw new IllegalStateException("no README.md with a docs/ folder above " + Path.of("").toAbsolutePath());
    return dir;
  }
}

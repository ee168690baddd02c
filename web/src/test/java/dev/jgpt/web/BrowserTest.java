package dev.jgpt.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real headless Chromium: the dashboard draws a run's loss curve and follows a
 * line the trainer appends; the playground streams a generation and shows a token's
 * alternatives; score mode colours a text. Screenshots go to web/target/screenshots, and to
 * docs/ with {@code -Djgpt.docs.screenshots=true} (how the pictures in docs/serve.md are made).
 *
 * <p>Needs chromedriver and Chromium (Debian: {@code apt-get install chromium chromium-driver});
 * without them these tests are skipped, with one line saying so.
 */
class BrowserTest {
  private static WebServer server;
  private static WebDriver driver;
  private static Path root;

  @BeforeAll
  static void start() throws Exception {
    String driverPath = find(System.getProperty("webdriver.chrome.driver"), "/usr/bin/chromedriver",
        "/usr/lib/chromium/chromedriver", "/usr/local/bin/chromedriver");
    String browserPath = find(System.getProperty("jgpt.chromium"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome");
    if (driverPath == null || browserPath == null) {
      String why = "browser tests skipped: no " + (driverPath == null ? "chromedriver" : "Chromium")
          + " found (assumed at /usr/bin/chromedriver and /usr/bin/chromium; apt-get install chromium chromium-driver)";
      System.out.println(why);
      Assumptions.abort(why);
    }
    root = TestRuns.root();
    writeSecondRun(root.resolve("tiny-lr-high"));
    server = WebServer.start(WebServer.Options.defaults(root).withPort(0));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browserPath);
    Path profile = Files.createTempDirectory("jgpt-chromium");
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1400,950");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(driverPath))
        .usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    if (driver != null) driver.quit();
    if (server != null) server.close();
  }

  private static String find(String... candidates) {
    for (String c : candidates) if (c != null && new File(c).canExecute()) return c;
    return null;
  }

  /** A metrics-only run (training just started, no checkpoint yet) to overlay on tiny's curves. */
  private static void writeSecondRun(Path dir) throws Exception {
    Files.createDirectories(dir);
    StringBuilder sb = new StringBuilder();
    for (int step = 10; step <= 70; step += 10) {
      sb.append(TestRuns.metricsLine(step));
    }
    Files.writeString(dir.resolve("metrics.jsonl"), scaled(sb.toString()));
  }

  private static String scaled(String lines) {
    StringBuilder out = new StringBuilder();
    for (String l : lines.lines().toList()) {
      var m = dev.jgpt.common.Json.parseObject(l);
      m.put("train_loss", ((Number) m.get("train_loss")).doubleValue() * 1.25);
      if (m.get("val_loss") != null) m.put("val_loss", ((Number) m.get("val_loss")).doubleValue() * 1.25);
      if (m.get("val_bpb") != null) m.put("val_bpb", ((Number) m.get("val_bpb")).doubleValue() * 1.25);
      m.put("lr", ((Number) m.get("lr")).doubleValue() * 2);
      out.append(dev.jgpt.common.Json.write(m)).append('\n');
    }
    return out.toString();
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  private long points(String run) {
    Object v = js("return window.jgpt.points[arguments[0]] || 0", run);
    return ((Number) v).longValue();
  }

  private void tick(String run) {
    new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> {
      List<WebElement> box = d.findElements(By.cssSelector("#runs input[data-run='" + run + "']"));
      if (box.isEmpty()) return false;
      if (!box.get(0).isSelected()) box.get(0).click();
      return box.get(0).isSelected();
    });
  }

  private void screenshot(String name) throws Exception {
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Path target = Path.of("target", "screenshots");
    Files.createDirectories(target);
    Files.write(target.resolve(name), png);
    if (Boolean.getBoolean("jgpt.docs.screenshots")) {
      Path docs = Path.of("..", "docs");
      Files.createDirectories(docs);
      Files.write(docs.resolve(name), png);
    }
  }

  @Test
  void theDashboardDrawsTheLossCurveAndFollowsANewLine() throws Exception {
    long t0 = System.nanoTime();
    driver.get(server.url());
    tick("tiny");
    tick("tiny-lr-high");
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    wait.until(d -> points("tiny") == 10 && points("tiny-lr-high") == 7);
    System.out.println("dashboard: two runs drawn " + (System.nanoTime() - t0) / 1_000_000 + " ms after opening the page");
    List<WebElement> canvases = driver.findElements(By.cssSelector("#chart-loss canvas"));
    assertEquals(1, canvases.size(), "the loss chart is drawn");
    // the legend names both runs' train and val series
    String legend = driver.findElement(By.cssSelector("#chart-loss")).getText();
    assertTrue(legend.contains("tiny train") && legend.contains("tiny-lr-high val"), legend);

    // the trainer appends a line: the curve has one more point within a couple of seconds
    long appended = System.nanoTime();
    Files.writeString(root.resolve("tiny").resolve("metrics.jsonl"), TestRuns.metricsLine(110), StandardOpenOption.APPEND);
    new WebDriverWait(driver, Duration.ofSeconds(3)).until(d -> points("tiny") == 11);
    System.out.println("dashboard: new metrics line drawn " + (System.nanoTime() - appended) / 1_000_000
        + " ms after it was appended");
    driver.findElement(By.cssSelector("#runs li[data-run='tiny'] .name")).click(); // show its configuration
    wait.until(d -> d.findElement(By.cssSelector("#run-detail pre")).getText().contains("n_embd"));
    screenshot("serve-dashboard.png");
  }

  @Test
  void thePlaygroundStreamsTokensAndShowsAlternatives() throws Exception {
    driver.get(server.url());
    driver.findElement(By.id("tab-playground")).click();
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    wait.until(d -> d.findElements(By.cssSelector("#pg-run option[value='tiny']")).size() == 1);
    new Select(driver.findElement(By.id("pg-run"))).selectByValue("tiny");
    WebElement prompt = driver.findElement(By.id("pg-prompt"));
    prompt.clear();
    prompt.sendKeys("to be or");
    WebElement max = driver.findElement(By.id("pg-max"));
    max.clear();
    max.sendKeys("60");
    driver.findElement(By.id("pg-go")).click();
    wait.until(d -> d.findElement(By.id("pg-status")).getText().contains("tokens/s"));
    String status = driver.findElement(By.id("pg-status")).getText();
    System.out.println("playground: " + status);
    List<WebElement> tokens = driver.findElements(By.cssSelector("#pg-output .tok"));
    assertEquals(60, tokens.size(), status);
    String bg = tokens.get(1).getCssValue("background-color");
    assertTrue(bg.startsWith("rgb"), bg); // coloured by probability
    tokens.get(5).click();
    wait.until(d -> d.findElements(By.cssSelector("#alt-table tbody tr")).size() == 10);
    assertEquals(1, driver.findElements(By.cssSelector("#alt-table tr.chosen")).size());
    screenshot("serve-playground.png");

    // score mode: the same text coloured by surprisal
    driver.findElement(By.cssSelector("input[name=mode][value=score]")).click();
    prompt.clear();
    prompt.sendKeys("to be or not to be, that is the answer.");
    driver.findElement(By.id("pg-go")).click();
    wait.until(d -> d.findElement(By.id("pg-status")).getText().contains("bits/byte"));
    assertEquals(39, driver.findElements(By.cssSelector("#pg-output .tok")).size());
    driver.findElements(By.cssSelector("#pg-output .tok")).get(36).click();
    wait.until(d -> d.findElements(By.cssSelector("#alt-table tbody tr")).size() == 10);
    screenshot("serve-score.png");
  }

  @Test
  void pickingAnAlternativeContinuesFromIt() throws Exception {
    driver.get(server.url());
    driver.findElement(By.id("tab-playground")).click();
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    wait.until(d -> d.findElements(By.cssSelector("#pg-run option[value='tiny']")).size() == 1);
    new Select(driver.findElement(By.id("pg-run"))).selectByValue("tiny");
    driver.findElement(By.cssSelector("input[name=mode][value=generate]")).click();
    WebElement prompt = driver.findElement(By.id("pg-prompt"));
    prompt.clear();
    prompt.sendKeys("to be or");
    WebElement max = driver.findElement(By.id("pg-max"));
    max.clear();
    max.sendKeys("30");
    WebElement temperature = driver.findElement(By.id("pg-temperature"));
    temperature.clear();
    temperature.sendKeys("0");
    driver.findElement(By.id("pg-go")).click();
    wait.until(d -> d.findElement(By.id("pg-status")).getText().contains("tokens/s"));
    assertEquals(30, driver.findElements(By.cssSelector("#pg-output .tok")).size());
    String before = (String) js("return document.getElementById('pg-output').textContent");
    driver.findElements(By.cssSelector("#pg-output .tok")).get(5).click();
    wait.until(d -> d.findElements(By.cssSelector("#alt-table tbody tr")).size() == 10);
    // the second most likely token at position 5, instead of the greedy one
    List<WebElement> rows = driver.findElements(By.cssSelector("#alt-table tbody tr"));
    assertTrue(rows.get(0).getDomAttribute("class").contains("chosen"));
    String picked = rows.get(1).findElement(By.tagName("code")).getText();
    rows.get(1).findElement(By.cssSelector("button.pick")).click();
    wait.until(d -> ((Number) js("return window.jgpt.picks || 0")).intValue() == 1
        && d.findElement(By.id("pg-status")).getText().contains("tokens/s"));
    List<WebElement> tokens = driver.findElements(By.cssSelector("#pg-output .tok"));
    assertEquals(30, tokens.size(), "5 kept, the pick, 24 generated after it");
    assertTrue(tokens.get(5).getDomAttribute("class").contains("picked"));
    String after = (String) js("return document.getElementById('pg-output').textContent");
    int at = "to be or".length() + 5; // byte-level: one character per token
    assertEquals(before.substring(0, at), after.substring(0, at));
    assertEquals(picked, shown(after.substring(at, at + 1)));
    assertTrue(before.charAt(at) != after.charAt(at), after);
    System.out.println("pick: \"" + before.replace("\n", " ") + "\" -> \"" + after.replace("\n", " ") + "\"");

    // the playground's text, inside: the model sees its last 32 tokens
    driver.findElement(By.id("pg-inside")).click();
    wait.until(d -> d.findElements(By.cssSelector("#in-heatmap tbody tr")).size() == 32);
    assertTrue(driver.findElement(By.id("in-status")).getText().contains("the last 32"));
  }

  /** A token's text as the alternatives table shows it (escaped as the REPL does, without quotes). */
  private static String shown(String text) {
    return dev.jgpt.tokenizer.TokenText.render(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void theInsideViewDrawsAttentionMapsTheLogitLensAndTheShapes() throws Exception {
    driver.get(server.url());
    driver.findElement(By.id("tab-inside")).click();
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    wait.until(d -> d.findElements(By.cssSelector("#in-run option[value='tiny']")).size() == 1);
    new Select(driver.findElement(By.id("in-run"))).selectByValue("tiny");
    WebElement text = driver.findElement(By.id("in-text"));
    text.clear();
    String typed = "to be or not to be, that is";
    text.sendKeys(typed);
    long t0 = System.nanoTime();
    driver.findElement(By.id("in-go")).click();
    wait.until(d -> d.findElements(By.cssSelector("#in-lens-table tbody tr")).size() == 3);
    System.out.println("inside view: drawn " + (System.nanoTime() - t0) / 1_000_000 + " ms after the click");
    // 2 layers x 2 heads of thumbnails, and layer 1 head 1 large with one row per token
    assertEquals(4, driver.findElements(By.cssSelector("#in-grid canvas")).size());
    WebElement heatmap = driver.findElement(By.id("in-heatmap"));
    assertEquals(typed.length(), heatmap.findElements(By.cssSelector("tbody tr")).size());
    assertEquals(typed.length(), heatmap.findElements(By.cssSelector("tbody tr:last-child td")).size());
    assertEquals(typed.length() * (typed.length() - 1) / 2, heatmap.findElements(By.cssSelector("td.masked")).size());
    // click layer 2 head 2: it is enlarged
    driver.findElement(By.cssSelector("#in-grid canvas[data-layer='1'][data-head='1']")).click();
    wait.until(d -> "1".equals(d.findElement(By.id("in-heatmap")).getDomAttribute("data-layer")));
    String diagram = driver.findElement(By.id("in-diagram")).getText();
    assertTrue(diagram.contains("(96, 32)") && diagram.contains("(128, 32)") && diagram.contains("2 × block"), diagram);
    driver.manage().window().setSize(new org.openqa.selenium.Dimension(1400, 1350));
    try {
      screenshot("serve-inside.png");
    } finally {
      driver.manage().window().setSize(new org.openqa.selenium.Dimension(1400, 950));
    }
  }
}

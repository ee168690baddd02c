package dev.jgpt.web;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The page's files, from the jar: a fixed list of names, each mapped to one class-path resource,
 * so no URL can reach any other file. The charts come from uPlot's WebJar (its version is the
 * {@code uplot.version} of the parent pom).
 */
final class WebAssets {
  static final String UPLOT_VERSION = "1.6.30";
  private static final String UPLOT = "/META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/";
  private static final String OWN = "/dev/jgpt/web/assets/";

  private record Asset(String resource, String contentType) {}

  private static final Map<String, Asset> ASSETS = Map.of(
      "index.html", new Asset(OWN + "index.html", "text/html; charset=utf-8"),
      "app.js", new Asset(OWN + "app.js", "text/javascript; charset=utf-8"),
      "style.css", new Asset(OWN + "style.css", "text/css; charset=utf-8"),
      "uPlot.iife.min.js", new Asset(UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
      "uPlot.min.css", new Asset(UPLOT + "uPlot.min.css", "text/css; charset=utf-8"));

  private WebAssets() {}

  /** Answers with asset {@code name}; 404 for any name not on the list. */
  static void serve(HttpExchange ex, String name) throws IOException {
    Asset a = ASSETS.get(name);
    if (a == null) throw ApiError.notFound("no such file: " + name);
    byte[] body;
    try (InputStream in = WebAssets.class.getResourceAsStream(a.resource())) {
      if (in == null) throw new ApiError(500, "the jar lacks " + a.resource() + " (a broken build)");
      body = in.readAllBytes();
    }
    Http.send(ex, 200, a.contentType(), body);
  }
}

package dev.jgpt.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.MemoryCheck;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Maps "METHOD /path/{param}/..." to endpoints, the one place every URL of the server is listed
 * ({@link WebServer#routes}). Paths are matched segment by segment after percent-decoding each
 * one, and a segment that decodes to "", "." or "..", or holds a slash, a backslash or a control
 * character, is refused before any endpoint sees it: no URL can name a file outside what an
 * endpoint chooses to serve.
 *
 * <p>Every failure becomes a JSON answer ({@code {"error": "...", "status": N}}); no stack trace
 * ever reaches the page.
 */
final class Router implements HttpHandler {
  private static final Logger LOG = Logger.getLogger(Router.class.getName());

  /** One endpoint: {@code params} holds the path's {@code {name}} segments, decoded and checked. */
  @FunctionalInterface
  interface Endpoint {
    void handle(HttpExchange ex, Map<String, String> params) throws Exception;
  }

  private record Route(String method, String[] segments, Endpoint endpoint) {}

  private final List<Route> routes = new ArrayList<>();

  /** Adds {@code pattern} such as "/api/runs/{name}/metrics" for {@code method} ("GET", "POST"). */
  Router add(String method, String pattern, Endpoint endpoint) {
    routes.add(new Route(method, split(pattern), endpoint));
    return this;
  }

  private static String[] split(String path) {
    if (path.equals("/")) return new String[0];
    return (path.startsWith("/") ? path.substring(1) : path).split("/", -1);
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      dispatch(ex);
    } catch (ApiError e) {
      trySendError(ex, e.status(), e.getMessage());
    } catch (IOException e) {
      // the browser went away mid-answer: nothing to tell it
      ex.close();
    } catch (InterruptedException e) {
      // the server is stopping
      ex.close();
    } catch (Throwable e) {
      // Errors too (a class missing from a stale jar, out of memory): an exchange left without an
      // answer would hang the browser until it times out.
      LOG.log(Level.WARNING, "request " + ex.getRequestURI() + " failed", e);
      trySendError(ex, 500, "the server could not answer: " + oneLine(e));
    }
  }

  private void dispatch(HttpExchange ex) throws Exception {
    String[] got = decodedSegments(ex.getRequestURI().getRawPath());
    String method = ex.getRequestMethod();
    boolean pathMatched = false;
    for (Route r : routes) {
      Map<String, String> params = match(r.segments, got);
      if (params == null) continue;
      pathMatched = true;
      if (r.method.equals(method) || (r.method.equals("GET") && method.equals("HEAD"))) {
        r.endpoint.handle(ex, params);
        return;
      }
    }
    if (pathMatched) throw new ApiError(405, method + " is not allowed here");
    throw ApiError.notFound("no such page: " + ex.getRequestURI().getRawPath());
  }

  /** The path's segments, each percent-decoded and checked (see the class comment). */
  static String[] decodedSegments(String rawPath) {
    if (rawPath == null || !rawPath.startsWith("/")) throw ApiError.badRequest("the path must start with /");
    String[] raw = split(rawPath);
    String[] out = new String[raw.length];
    for (int i = 0; i < raw.length; i++) {
      String s = Http.decode(raw[i], false);
      // an empty last segment is a trailing slash ("/api/runs/"): allowed and ignored
      if (s.isEmpty() && i == raw.length - 1 && i > 0) return java.util.Arrays.copyOf(out, i);
      if (s.isEmpty() || s.equals(".") || s.equals("..") || !safeSegment(s)) {
        throw ApiError.badRequest("refused: the path may not contain empty, '.' or '..' segments, slashes, "
            + "backslashes or control characters");
      }
      out[i] = s;
    }
    return out;
  }

  private static boolean safeSegment(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f || c == ':') return false;
    }
    return true;
  }

  private static Map<String, String> match(String[] pattern, String[] got) {
    if (pattern.length != got.length) return null;
    Map<String, String> params = new java.util.HashMap<>();
    for (int i = 0; i < pattern.length; i++) {
      String p = pattern[i];
      if (p.startsWith("{") && p.endsWith("}")) params.put(p.substring(1, p.length() - 1), got[i]);
      else if (!p.equals(got[i])) return null;
    }
    return params;
  }

  private static void trySendError(HttpExchange ex, int status, String message) {
    try {
      if (ex.getResponseCode() == -1) Http.sendError(ex, status, message);
    } catch (IOException | RuntimeException ignored) {
      // the connection is gone
    } finally {
      ex.close();
    }
  }

  /** The exception's message on one line, without class names or a trace. */
  static String oneLine(Throwable e) {
    String m = e.getMessage();
    if (e instanceof OutOfMemoryError oom) return MemoryCheck.outOfMemory(oom, HeapBudget.current());
    if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
    return m.replaceAll("\\s+", " ").strip();
  }
}

package dev.jgpt.web;

import com.sun.net.httpserver.HttpExchange;
import dev.jgpt.common.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers over an {@link HttpExchange}: JSON answers, query parameters, bounded bodies. */
final class Http {
  private Http() {}

  static void sendJson(HttpExchange ex, int status, Object value) throws IOException {
    send(ex, status, "application/json; charset=utf-8", Json.write(value).getBytes(StandardCharsets.UTF_8));
  }

  static void sendError(HttpExchange ex, int status, String message) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("status", status);
    sendJson(ex, status, body);
  }

  static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = "HEAD".equals(ex.getRequestMethod());
    ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
    ex.close();
  }

  /** The query string's parameters, percent-decoded (the first value of a repeated name). */
  static Map<String, String> query(HttpExchange ex) {
    Map<String, String> out = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null || raw.isEmpty()) return out;
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq), true);
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  /**
   * Percent-decodes {@code s} as UTF-8 ({@code plusIsSpace} for form-style query strings). A
   * malformed escape is a 400, not an exception with a stack trace.
   */
  static String decode(String s, boolean plusIsSpace) {
    if (s.indexOf('%') < 0 && !(plusIsSpace && s.indexOf('+') >= 0)) return s;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) throw ApiError.badRequest("malformed percent escape in the URL");
        int hi = Character.digit(s.charAt(i + 1), 16), lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) throw ApiError.badRequest("malformed percent escape in the URL");
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.write(' ');
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** The request body as UTF-8, refused (413) past {@code maxBytes}. */
  static String body(HttpExchange ex, int maxBytes) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes(maxBytes + 1);
      if (b.length > maxBytes) throw new ApiError(413, "the request is too large (at most " + maxBytes + " bytes)");
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  /** A JSON object body; anything else is a 400. */
  static Map<String, Object> jsonBody(HttpExchange ex, int maxBytes) throws IOException {
    String text = body(ex, maxBytes);
    try {
      return Json.parseObject(text.isBlank() ? "{}" : text);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("the request body is not a JSON object: " + e.getMessage());
    }
  }
}

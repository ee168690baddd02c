package dev.jgpt.web;

import dev.jgpt.common.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** HTTP calls for the tests: JSON GET/POST, and raw requests that send a path exactly as written. */
final class TestHttp {
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Answer(int status, String body) {
    Map<String, Object> json() {
      return Json.parseObject(body);
    }
  }

  private TestHttp() {}

  static Answer get(WebServer s, String path) throws IOException, InterruptedException {
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(s.url() + path.substring(1)))
        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  static Answer post(WebServer s, String path, String json) throws IOException, InterruptedException {
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(s.url() + path.substring(1)))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  /** A GET with {@code rawPath} sent byte for byte (no client normalizes "..", "%2e%2e" or "%2f"). */
  static Answer raw(WebServer s, String rawPath) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", s.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      int bodyAt = text.indexOf("\r\n\r\n");
      return new Answer(status, bodyAt < 0 ? "" : text.substring(bodyAt + 4));
    }
  }
}

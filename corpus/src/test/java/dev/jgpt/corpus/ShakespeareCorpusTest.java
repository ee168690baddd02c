package dev.jgpt.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shakespeare corpus against a local stand-in for its download address (this machine is offline). */
class ShakespeareCorpusTest {
  @TempDir Path cache;

  private static final byte[] TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n"
      .getBytes(StandardCharsets.UTF_8);
  private static final String TEXT_SHA = Sha256.hex(Sha256.newDigest().digest(TEXT));

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int status = 200;

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/input.txt", exchange -> {
      requests.incrementAndGet();
      exchange.sendResponseHeaders(status, status == 200 ? TEXT.length : -1);
      try (OutputStream out = exchange.getResponseBody()) {
        if (status == 200) out.write(TEXT);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI address() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/input.txt");
  }

  private CorpusOptions options(String sha) {
    return CorpusOptions.defaults().withCacheDir(cache).withShakespeare(address(), sha);
  }

  private static byte[] read(CorpusSource source) throws IOException {
    var out = new java.io.ByteArrayOutputStream();
    source.forEachDocument((document, bytes) -> out.writeBytes(bytes));
    return out.toByteArray();
  }

  @Test
  void downloadsOnceVerifiesAndThenReadsTheCache() throws IOException {
    CorpusSource first = CorpusSource.resolve("shakespeare", options(TEXT_SHA));
    assertArrayEquals(TEXT, read(first));
    assertEquals(1, requests.get());
    assertEquals("shakespeare", first.name());
    assertEquals(TEXT_SHA, first.fingerprint(), "the verified hash identifies the content");
    assertTrue(Files.isRegularFile(cache.resolve("corpora/tinyshakespeare.txt")));

    server.stop(0); // offline from here on: the cache must suffice
    CorpusSource second = CorpusSource.resolve("shakespeare", options(TEXT_SHA));
    assertArrayEquals(TEXT, read(second));
    assertEquals(1, requests.get());
  }

  @Test
  void aDownloadWithTheWrongHashIsRejectedAndNotCached() throws IOException {
    IOException e = assertThrows(IOException.class,
        () -> CorpusSource.resolve("shakespeare", options(CorpusOptions.SHAKESPEARE_SHA256)));
    assertTrue(e.getMessage().contains("has sha256 " + TEXT_SHA + ", not the expected " + CorpusOptions.SHAKESPEARE_SHA256),
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    try (Stream<Path> left = Files.list(cache.resolve("corpora"))) {
      assertEquals(0, left.count(), "neither the file nor a temporary part is left behind");
    }
  }

  @Test
  void aDamagedCacheIsDownloadedAgain() throws IOException {
    CorpusSource.resolve("shakespeare", options(TEXT_SHA));
    Files.writeString(cache.resolve("corpora/tinyshakespeare.txt"), "truncated");
    assertArrayEquals(TEXT, read(CorpusSource.resolve("shakespeare", options(TEXT_SHA))));
    assertEquals(2, requests.get());
  }

  @Test
  void anHttpErrorIsOneLine() {
    status = 404;
    IOException e = assertThrows(IOException.class, () -> CorpusSource.resolve("shakespeare", options(TEXT_SHA)));
    assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void offlineGivesAOneLineErrorWithWhatToDo() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    URI unreachable = URI.create("http://127.0.0.1:" + closedPort + "/input.txt");
    CorpusOptions offline = CorpusOptions.defaults().withCacheDir(cache).withShakespeare(unreachable, TEXT_SHA);
    IOException e = assertThrows(IOException.class, () -> CorpusSource.resolve("shakespeare", offline));
    String m = e.getMessage();
    assertTrue(m.startsWith("cannot download the shakespeare corpus from " + unreachable), m);
    assertTrue(m.contains("are you offline?") && m.contains("--corpus FILE")
        && m.contains(cache.resolve("corpora/tinyshakespeare.txt").toString()), m);
    assertFalse(m.contains("\n"));
  }

  @Test
  void theRealAddressAndHashAreTheDefaults() {
    assertEquals("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
        CorpusOptions.defaults().shakespeareUri().toString());
    assertEquals("86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
        CorpusOptions.defaults().shakespeareSha256());
  }
}

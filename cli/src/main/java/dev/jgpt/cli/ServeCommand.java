package dev.jgpt.cli;

import dev.jgpt.web.WebServer;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jgpt serve}: the runs dashboard (live training curves) and the playground (generate,
 * score) in a browser, from a local HTTP server that only reads the run folders.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    defaultValueProvider = BackendOptions.CpuByDefault.class,
    sortOptions = false,
    description = {"Open the runs in a browser: live training curves, and a playground that generates and scores text.",
        "Reads the run folders only; safe to run next to `jgpt train`. Ctrl-C stops it."},
    footer = {"", "Examples:", "  jgpt serve", "  jgpt serve --runs experiments --port 9000"})
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs", description = "The folder whose subfolders are runs (default ${DEFAULT-VALUE}).")
  Path runs;

  @Option(names = "--port", paramLabel = "N", defaultValue = "8700", description = "The port (default ${DEFAULT-VALUE}; 0 = any free one).")
  int port;

  @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
      description = "The address to listen on (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 opens it to the network).")
  String host;

  @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "1000", description = "The most tokens one generation may ask for (default ${DEFAULT-VALUE}).")
  int maxTokens;

  @Mixin BackendOptions backendOptions; // where the playground's models run

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) throw new ParameterException(spec.commandLine(), "--port must be 0..65535, got " + port);
    if (maxTokens < 1) throw new ParameterException(spec.commandLine(), "--max-tokens must be 1 or more, got " + maxTokens);
    WebServer.Options options = WebServer.Options.defaults(runs).withHost(host).withPort(port).withMaxNewTokens(maxTokens)
        .withBackend(backendOptions.name(), backendOptions.device(), backendOptions.threads());
    WebServer server;
    try {
      server = WebServer.start(options);
    } catch (BindException e) {
      throw new UserException("cannot listen on " + host + ":" + port + " (" + e.getMessage()
          + "); is another jgpt serve running? Pick another port with --port");
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "jgpt-serve-stop"));
    System.out.println("jgpt serve: " + server.url() + "  (runs from " + runs.toAbsolutePath().normalize()
        + (Files.isDirectory(runs) ? "" : ", which does not exist yet") + "; Ctrl-C stops)");
    if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1")) {
      System.out.println("note: listening on " + host + ": other machines can reach it, and it has no password");
    }
    System.out.flush();
    stopped.await();
    return 0;
  }
}

package dev.jgpt.transformer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jgpt.transformer.TrainConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A --config file: its training settings, and a note when it sets backend or threads (an old run's config.json). */
class ConfigFileTest {
  @TempDir Path tmp;

  private Path file(String json) throws IOException {
    Path f = tmp.resolve("c.json");
    Files.writeString(f, json);
    return f;
  }

  @Test
  void backendOrThreadsAreAcceptedWithANote() throws IOException {
    for (String json : new String[] {"{\"n_layer\": 2, \"backend\": \"cpu\"}", "{\"threads\": 4, \"n_layer\": 2}",
        "{\"backend\": \"cpu\", \"threads\": 1, \"n_layer\": 2}"}) {
      Path f = file(json);
      ConfigFile c = ConfigFile.read(f);
      assertEquals(Map.of(TrainConfigKey.N_LAYER, 2), c.settings(), json);
      assertEquals(Optional.of("config " + f + ": backend and threads are not training settings; use --backend/--threads"),
          c.note(), json);
    }
  }

  @Test
  void aFileOfTrainingSettingsOnlyHasNoNote() throws IOException {
    ConfigFile c = ConfigFile.read(file("{\"n_layer\": 2, \"max_iters\": 10}"));
    assertEquals(Map.of(TrainConfigKey.N_LAYER, 2, TrainConfigKey.MAX_ITERS, 10), c.settings());
    assertEquals(Optional.empty(), c.note());
  }

  @Test
  void aBadFileIsABadSettingNamingTheFile() throws IOException {
    Path f = file("{\"n_layers\": 2, \"backend\": \"cpu\"}");
    var e = assertThrows(IllegalArgumentException.class, () -> ConfigFile.read(f));
    assertEquals(true, e.getMessage().startsWith(f + ": unknown key \"n_layers\""), e.getMessage());
  }
}

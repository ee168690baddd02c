package dev.jgpt.cli;

import dev.jgpt.transformer.Presets;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.TrainConfigKey;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code jgpt train} flags of the training settings, made from their declarations in
 * {@link TrainConfigKey}: one option per key, named {@code --n-layer} after {@code n_layer}, with
 * the key's help, value label and the default preset's value. Nothing is declared here: a new
 * key is a new flag.
 */
final class TrainSettingOptions {
  private TrainSettingOptions() {}

  /** Adds one option per training setting to {@code train}. */
  static void addTo(CommandSpec train) {
    // --help, --version and --debug stay last in the help: out before the settings, back after
    List<OptionSpec> last = train.options().stream().filter(o -> o.usageHelp() || o.versionHelp() || o.inherited()).toList();
    last.forEach(train::remove);
    TrainConfig defaults = Presets.get(Presets.DEFAULT);
    for (TrainConfigKey k : TrainConfigKey.values()) {
      OptionSpec.Builder o = OptionSpec.builder(k.flag()).paramLabel(k.paramLabel())
          .description(withDefault(k, defaults.get(k)));
      switch (k.type()) {
        case INT -> o.type(Integer.class);
        case FLOAT -> o.type(Double.class);
        case BOOL -> o.type(Boolean.class).arity("0..1").fallbackValue("true");
        case STRING -> o.type(String.class);
        case STRINGS -> o.type(List.class).auxiliaryTypes(String.class);
      }
      train.addOption(o.build());
    }
    last.forEach(train::addOption);
  }

  /** The settings given as flags on this command line (the unset ones are absent). */
  static Map<TrainConfigKey, Object> given(CommandSpec train) {
    Map<TrainConfigKey, Object> given = new LinkedHashMap<>();
    for (TrainConfigKey k : TrainConfigKey.values()) {
      Object v = train.findOption(k.flag()).getValue();
      if (v != null) given.put(k, v);
    }
    return given;
  }

  /** The help with " (default 3000)" before its full stop, unless it says the default already or that is empty. */
  private static String withDefault(TrainConfigKey k, Object value) {
    boolean empty = (value instanceof String s && s.isEmpty()) || (value instanceof List<?> l && l.isEmpty());
    if (empty || k.help().contains("default")) return k.help();
    String help = k.help().endsWith(".") ? k.help().substring(0, k.help().length() - 1) : k.help();
    String shown = value instanceof Double d ? BigDecimal.valueOf(d).stripTrailingZeros().toPlainString() : value.toString();
    return help + " (default " + shown + ").";
  }
}

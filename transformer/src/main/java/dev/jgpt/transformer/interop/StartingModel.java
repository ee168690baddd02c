package dev.jgpt.transformer.interop;

import static dev.jgpt.transformer.TrainConfigKey.BIAS;
import static dev.jgpt.transformer.TrainConfigKey.BLOCK_SIZE;
import static dev.jgpt.transformer.TrainConfigKey.INIT_FROM;
import static dev.jgpt.transformer.TrainConfigKey.N_EMBD;
import static dev.jgpt.transformer.TrainConfigKey.N_HEAD;
import static dev.jgpt.transformer.TrainConfigKey.N_LAYER;
import static dev.jgpt.transformer.TrainConfigKey.TOKENIZER;
import static dev.jgpt.transformer.TrainConfigKey.VOCAB_SIZE;

import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.InitFrom;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.TrainConfigKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The model a fine-tuning run starts from ({@code jgpt train --init-from DIR}, a jgpt run or a
 * Hugging Face GPT-2 folder): its weights and tokenizer, and the run's configuration with the
 * model's shape in it. The shape settings come from the model, so giving one that disagrees is
 * an error; the context may be shortened (the first rows of the position table are kept) and
 * dropout set; the optimizer starts fresh.
 *
 * @param config the run's configuration: the requested one with the model's shape
 * @param params the starting weights, laid out for {@code config}'s shape
 */
public record StartingModel(Path dir, TrainConfig config, GptConfig source, Tokenizer tokenizer, float[] params) {

  private static final List<TrainConfigKey> FIXED = List.of(VOCAB_SIZE, N_LAYER, N_HEAD, N_EMBD, BIAS, TOKENIZER);

  /**
   * Loads {@code dir} and fits {@code requested} to it. {@code explicitlySet} tells which settings
   * the user gave (a preset's block size is shortened to the model's; a flag's is checked).
   */
  public static StartingModel load(Path dir, TrainConfig requested, Predicate<TrainConfigKey> explicitlySet)
      throws IOException {
    RunDirectory.Run run = ModelFolder.load(dir);
    GptConfig model = run.model();
    Tokenizer tok = run.tokenizer();
    TrainConfig shapeOfModel = requested.with(VOCAB_SIZE, tok.vocabSize()).with(N_LAYER, model.nLayer())
        .with(N_HEAD, model.nHead()).with(N_EMBD, model.nEmbd()).with(BIAS, model.bias()).with(TOKENIZER, "");
    for (TrainConfigKey k : FIXED) {
      if (explicitlySet.test(k) && !requested.get(k).equals(shapeOfModel.get(k))) {
        throw new IllegalArgumentException(k.flag() + " cannot be set with --init-from: the model's shape and tokenizer "
            + "come from " + dir + " (" + k.json() + " " + (k == TOKENIZER ? "its own" : shapeOfModel.get(k)) + ")");
      }
    }
    int block = explicitlySet.test(BLOCK_SIZE) ? requested.blockSize() : Math.min(requested.blockSize(), model.blockSize());
    GptConfig shape = InitFrom.shape(model, block, (float) requested.dropout());
    TrainConfig config = shapeOfModel.with(BLOCK_SIZE, block).with(INIT_FROM, dir.toString());
    return new StartingModel(dir, config, model, tok, InitFrom.crop(model, run.params(), shape));
  }

  /** "starting from gpt2: 124,439,808 parameters (12 layers x 768, 12 heads), its tokenizer (50257 tokens), context 1024 -> 256" */
  public String describe() {
    String context = config.blockSize() == source.blockSize() ? "context " + source.blockSize()
        : "context " + source.blockSize() + " -> " + config.blockSize();
    return String.format(Locale.ROOT, "starting from %s: %,d parameters (%d layers x %d, %d heads), its tokenizer "
        + "(%d tokens), %s; the optimizer starts fresh", dir, source.parameterCount(), source.nLayer(), source.nEmbd(),
        source.nHead(), tokenizer.vocabSize(), context);
  }
}

package dev.jgpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.knuddels.jtokkit.api.EncodingType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vocab.json + merges.txt written by jgpt load back (here, in Hugging Face, in llama.cpp) as the same tokenizer. */
class Gpt2VocabWriteTest {
  @TempDir Path dir;

  @Test
  void r50kRanksBecomeGpt2sOwnVocabAndMerges() throws IOException {
    Tokenizer r50k = Fixtures.r50k();
    r50k.saveGpt2Vocab(dir);
    List<String> merges = Files.readAllLines(dir.resolve("merges.txt"));
    assertEquals("#version: 0.2", merges.get(0));
    // GPT-2's merges.txt begins with these (the published file's first lines)
    assertEquals(List.of("Ġ t", "Ġ a", "h e"), merges.subList(1, 4));
    assertEquals(1 + 50000, merges.size(), "one merge per token above the 256 bytes");
    Tokenizer back = Tokenizer.load(dir);
    assertEquals(50257, back.vocabSize());
    assertEquals(50256, back.eotId());
    Random rnd = new Random(11);
    for (int i = 0; i < 40; i++) {
      String s = i % 2 == 0 ? TextGen.prose(rnd, 1500) : TextGen.adversarial(rnd, 60);
      TiktokenParityTest.assertSameIds(back, Fixtures.jtokkit(EncodingType.R50K_BASE), s);
    }
  }

  @Test
  void aTrainedTokenizerRoundTripsExactly() throws IOException {
    String text = TextGen.prose(new Random(5), 20_000);
    Tokenizer t = BpeTrainer.train(text, 256 + 300 + 1, "gpt2", List.of(Tokenizer.END_OF_TEXT), 1, null);
    t.saveGpt2Vocab(dir);
    Tokenizer back = Tokenizer.load(dir);
    assertEquals(t.hash(), back.hash());
    assertArrayEquals(t.encode(text), back.encode(text));
    assertTrue(Files.readString(dir.resolve("vocab.json")).contains("\"<|endoftext|>\": 556"));
  }

  @Test
  void tokenTextsAndMergesAreWhatTheFilesHold() throws IOException {
    Tokenizer t = Tokenizer.bytesOnly();
    String[] texts = t.gpt2TokenTexts();
    assertEquals(257, texts.length);
    assertEquals("Ġ", texts[' ']);
    assertEquals("Ċ", texts['\n']);
    assertEquals("!", texts['!']);
    assertEquals(Tokenizer.END_OF_TEXT, texts[256]);
    assertEquals(List.of(), t.gpt2Merges());
    Tokenizer r50k = Fixtures.r50k();
    r50k.saveGpt2Vocab(dir);
    List<String> lines = Files.readAllLines(dir.resolve("merges.txt"));
    assertEquals(lines.subList(1, lines.size()), r50k.gpt2Merges());
    assertEquals("Ġthe", r50k.gpt2TokenTexts()[262]);
  }

  @Test
  void huggingFacesOneFileTokenizerJsonRoundTripsAndReadsPairMerges() throws IOException {
    Tokenizer r50k = Fixtures.r50k();
    Path file = dir.resolve("tokenizer.json");
    r50k.saveHfTokenizerJson(file);
    Tokenizer back = Tokenizer.load(file);
    assertEquals(50257, back.vocabSize());
    assertEquals(50256, back.eotId());
    Random rnd = new Random(12);
    for (int i = 0; i < 20; i++) {
      TiktokenParityTest.assertSameIds(back, Fixtures.jtokkit(EncodingType.R50K_BASE), TextGen.prose(rnd, 1000));
    }
    // newer versions of the tokenizers library write each merge as a [left, right] pair
    java.util.Map<String, Object> json = dev.jgpt.common.Json.parseObject(Files.readString(file));
    @SuppressWarnings("unchecked")
    java.util.Map<String, Object> model = (java.util.Map<String, Object>) json.get("model");
    model.put("merges", ((List<?>) model.get("merges")).stream().map(m -> List.of(((String) m).split(" "))).toList());
    String pairs = dev.jgpt.common.Json.write(json);
    assertTrue(pairs.contains("[\"Ġ\",\"t\"]"), "rewritten as pairs");
    Path pairFile = dir.resolve("pairs").resolve("tokenizer.json");
    Files.createDirectories(pairFile.getParent());
    Files.writeString(pairFile, pairs);
    assertEquals(back.hash(), Tokenizer.load(pairFile.getParent()).hash(), "a folder with only tokenizer.json loads too");
  }
}

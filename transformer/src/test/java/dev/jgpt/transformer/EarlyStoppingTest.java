package dev.jgpt.transformer;

import static dev.jgpt.transformer.EarlyStopping.Verdict.IMPROVED;
import static dev.jgpt.transformer.EarlyStopping.Verdict.NOT_IMPROVED;
import static dev.jgpt.transformer.EarlyStopping.Verdict.STOP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EarlyStoppingTest {

  @Test
  void stopsAfterPatienceEvaluationsWithoutImprovement() {
    EarlyStopping es = new EarlyStopping(2, 0);
    assertEquals(IMPROVED, es.observe(100, 3.0));
    assertEquals(IMPROVED, es.observe(200, 2.0));
    assertEquals(NOT_IMPROVED, es.observe(300, 2.5));
    assertEquals(STOP, es.observe(400, 2.0)); // equal is not better
    assertEquals(2.0, es.bestLoss());
    assertEquals(200, es.bestStep());
  }

  @Test
  void anImprovementResetsTheCount() {
    EarlyStopping es = new EarlyStopping(2, 0);
    es.observe(1, 3.0);
    assertEquals(NOT_IMPROVED, es.observe(2, 3.1));
    assertEquals(IMPROVED, es.observe(3, 2.9));
    assertEquals(NOT_IMPROVED, es.observe(4, 3.0));
    assertEquals(STOP, es.observe(5, 3.0));
  }

  @Test
  void minDeltaIgnoresTinyGains() {
    EarlyStopping es = new EarlyStopping(1, 0.01);
    es.observe(1, 2.0);
    assertEquals(STOP, es.observe(2, 1.995));
  }

  @Test
  void patienceZeroNeverStops() {
    EarlyStopping es = new EarlyStopping(0, 0);
    es.observe(0, 1.0);
    for (int i = 1; i < 100; i++) assertEquals(NOT_IMPROVED, es.observe(i, 2.0));
  }

  @Test
  void restoredCountersContinue() {
    EarlyStopping es = new EarlyStopping(3, 0);
    es.restore(1.5, 700, 2);
    assertEquals(STOP, es.observe(800, 1.6));
    assertEquals(700, es.bestStep());
  }
}

package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import foodcdc.metrics.Progress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.longlong.Roaring64NavigableMap;

/** The consumer's derived metrics: the lag behind the topic and the commit-to-lake latency. */
class ConsumerMetricsTest {

    @Test
    void shouldCountTheLagAsEndMinusReadAndAnUnreadPartitionFromItsStart() {
        Map<Integer, Long> ends = Map.of(0, 120L, 1, 50L, 2, 30L);
        Map<Integer, Long> starts = Map.of(0, 0L, 1, 0L, 2, 10L);
        assertEquals(20 + 0 + 20, KafkaLag.behind(ends, starts, Map.of(0, 100L, 1, 50L)));
        assertEquals(0, KafkaLag.behind(ends, starts, Map.of(0, 120L, 1, 50L, 2, 30L)));
        // Offsets read past the end (the topic's end read a moment earlier): never negative.
        assertEquals(0, KafkaLag.behind(Map.of(0, 5L), Map.of(0, 0L), Map.of(0, 7L)));
    }

    @Test
    void shouldReadTheOffsetsOfSparksProgress() {
        assertEquals(Map.of(0, 123L, 1, 45L), KafkaLag.readOffsets("{\"orders\":{\"0\":123,\"1\":45}}", "orders"));
        assertEquals(Map.of(), KafkaLag.readOffsets("{\"other\":{\"0\":1}}", "orders"));
        assertEquals(Map.of(), KafkaLag.readOffsets("not json", "orders"));
        assertEquals(Map.of(), KafkaLag.readOffsets(null, "orders"));
    }

    @Test
    void shouldMeasureEachOrderOnceFromItsTimeToItsFileInPlaceLeavingOutCopiesAndReplays() {
        Roaring64NavigableMap leaveOut = OrderIndex.bitmapOf(List.of(2L));   // in the lake already, or replayed
        long inPlace = 10_000_000;   // epoch microseconds
        double[] s = CommitLatency.seconds(List.of(1L, 2L, 3L, 1L, 4L), List.of(8_500_000L, 1L, 9_750_000L, 8_500_000L,
                11_000_000L), leaveOut, inPlace);
        // order 1 once, order 2 left out, order 3, order 4 stamped by a clock ahead: 0.
        assertArrayEquals(new double[] {1.5, 0.25, 0.0}, s, 1e-9);
    }

    @Test
    void shouldSayTheRateAndTheTimeLeft() {
        double rate = Progress.rate(5_000, Duration.ofSeconds(2));
        assertEquals(2_500.0, rate, 1e-9);
        assertEquals("about 4 s left", Progress.timeLeft(10_000, rate));
        assertEquals("nothing left", Progress.timeLeft(0, rate));
        assertEquals("time left unknown", Progress.timeLeft(10, 0));
        assertEquals(0.0, Progress.rate(10, Duration.ZERO));
    }
}

package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.storage.StateFile;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicIdentityTest {
    @TempDir
    Path tmp;

    @Test
    void shouldRecordTheFirstTopicIdAndRefuseAnother() throws Exception {
        StateFile file = TopicIdentity.file(tmp.toString(), new Configuration());
        assertEquals(Optional.empty(), TopicIdentity.check(file, "orders_raw", "AAAA"), "recorded");
        assertEquals(Optional.empty(), TopicIdentity.check(file, "orders_raw", "AAAA"), "the same topic");
        String refused = TopicIdentity.check(file, "orders_raw", "BBBB").orElseThrow();
        assertTrue(refused.startsWith("kafka.topic orders_raw (topic id BBBB) is not the topic the checkpoint was read "
                + "from, orders_raw (topic id AAAA): it was created anew"), refused);
        assertTrue(refused.endsWith(TopicIdentity.REPLAY), refused);
        assertTrue(TopicIdentity.check(file, "other_raw", "AAAA").orElseThrow().startsWith("kafka.topic is other_raw now, "
                + "but the checkpoint was read from orders_raw (topic id AAAA)"), "another topic name");
    }

    @Test
    void shouldTakeTheIdOfTheTopicTheReplayNamed() throws Exception {
        StateFile file = TopicIdentity.file(tmp.toString(), new Configuration());
        TopicIdentity.check(file, "orders_raw", "AAAA");
        TopicIdentity.write(file, "orders_raw", Optional.empty());   // what replay_from_source.sh leaves
        assertEquals(Optional.empty(), TopicIdentity.check(file, "orders_raw", "BBBB"), "the new run's topic");
        assertTrue(TopicIdentity.check(file, "orders_raw", "AAAA").isPresent(), "recorded again: BBBB from now on");
        TopicIdentity.write(file, "orders_raw", Optional.empty());
        assertTrue(TopicIdentity.check(file, "other_raw", "CCCC").orElseThrow().startsWith("kafka.topic is other_raw "
                + "now, but the checkpoint was read from orders_raw (named by replay_from_source.sh)"), "another topic than the replay's");
    }

    @Test
    void shouldTellSparksDataLossFromOtherFailuresAndLeaveOutItsAdvice() {
        RuntimeException spark = new RuntimeException("Query orders-to-lake terminated with exception",
                new IllegalStateException("Cannot fetch offset 4 (GroupId: spark-kafka-source-x, TopicPartition: t-0). "
                        + "Some data may have been lost because they are not available in Kafka any more; either the "
                        + "data was aged out by Kafka or the topic may have been deleted before all the data in the "
                        + "topic was processed. If you don't want your streaming query to fail on such cases, set the "
                        + "source option \"failOnDataLoss\" to \"false\"."));
        assertTrue(TopicIdentity.isDataLoss(spark));
        assertTrue(TopicIdentity.isDataLoss(new IllegalStateException("Partition t-2's offset was changed from 383 to "
                + "28, some data may have been missed.")));
        assertFalse(TopicIdentity.isDataLoss(new RuntimeException("Timeout of 60000ms expired before the position "
                + "for partition t-0 could be determined")));
        String line = TopicIdentity.dataLoss("t", spark);
        assertTrue(line.contains("cannot be read again from Kafka: Cannot fetch offset 4 (GroupId: "
                + "spark-kafka-source-x, TopicPartition: t-0). With both jobs stopped"), line);
        assertFalse(line.contains("failOnDataLoss"), line);
    }
}

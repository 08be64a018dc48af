package foodcdc.producer;

import foodcdc.config.PipelineConfig;
import foodcdc.sql.SqlIdentifier;
import foodcdc.stack.ThrowawayStack;
import foodcdc.stack.Wait;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The two ends the producer joins, as the producer's tests compare them: the table's order_ids and the topic's keys. */
final class TableAndTopic {
    private TableAndTopic() {
    }

    /** The config's table, quoted for SQL. */
    static String table(PipelineConfig c) {
        return SqlIdentifier.quote(c.postgres().table());
    }

    static Set<Integer> idsInTable(ThrowawayStack stack, PipelineConfig c) throws Exception {
        try (Connection conn = stack.connect(); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT order_id FROM " + table(c))) {
            Set<Integer> ids = new TreeSet<>();
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
            return ids;
        }
    }

    /** Every key in the topic, as order_ids, copies included, in the topic's order. */
    static List<Integer> keysInTopic(ThrowawayStack stack, PipelineConfig c) {
        return stack.readTopic(c.kafka().topic()).stream().map(r -> Integer.parseInt(r.key())).toList();
    }

    /** Waits until the topic's distinct keys are exactly the table's order_ids (a running producer script). */
    static void awaitTopicHoldsTheTable(ThrowawayStack stack, PipelineConfig c, Duration timeout) throws Exception {
        Set<Integer> table = idsInTable(stack, c);
        Wait.every(Duration.ofMillis(500)).look(() -> new TreeSet<>(keysInTopic(stack, c)), table::equals, timeout,
                "the topic to hold the table's order_ids " + table);
    }
}

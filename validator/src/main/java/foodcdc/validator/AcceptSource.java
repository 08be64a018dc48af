package foodcdc.validator;

import foodcdc.cli.ExitCode;
import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import foodcdc.lake.LakeSource;
import foodcdc.storage.ProcessLock;
import foodcdc.storage.StateFile;
import foodcdc.storage.StateFiles;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * {@code accept_source.sh [--config FILE]}: after the source moved with its data (a dump and
 * restore to another server, pg_upgrade, a snapshot restore), records the new cluster and table
 * as the lake's source ({@link LakeSource}), once it has checked that the table holds every
 * order of the lake with the lake's values; the producer, which refused the moved source, then
 * starts. Refused (exit 3, nothing written) when the table lacks an order of the lake or holds
 * one with other values (then it is another source, and only a new lake is safe), when its
 * sequence would hand out an order_id the lake holds, or while a producer runs.
 */
public final class AcceptSource {
    private AcceptSource() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(ExitCode.of(() -> run(ConfigCli.loadFromArgs(args, "accept_source.sh"))).number);
    }

    static ExitCode run(PipelineConfig config) throws Exception {
        if (config.streaming().capturesChanges()) {
            // It records an orders lake's source; a change history's source is its change table.
            System.err.println("accept_source.sh: streaming.capture is changes, whose change history it does not "
                    + "accept a moved source for; start a new pipeline instead (docs/CHANGES.md). Nothing was changed");
            return ExitCode.CANNOT_START;
        }
        Steps steps = new Steps(config);
        SparkSession spark = null;
        try {
            spark = steps.run("Spark start", "start Spark", PipelineValidator::session);
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            String watermarks = config.streaming().lastProcessedTimestampLocation();
            if (!ProcessLock.acquire(new Path(watermarks, StateFiles.PRODUCER_LOCK), hadoop)) {
                System.err.println("accept_source.sh: a producer is publishing with "
                        + "streaming.last_processed_timestamp_location " + watermarks + "; stop it first (nothing was "
                        + "changed)");
                return ExitCode.CANNOT_START;
            }
            StateFile file = LakeSource.file(config.datalake().path(), hadoop);
            Optional<LakeSource> recorded = LakeSource.read(file);
            Reconciliation r = PipelineValidator.reconcile(spark, config, steps);
            Set<Integer> notInSource = r.notInSource();
            SortedMap<Integer, List<String>> differing = r.differingValues();
            if (!notInSource.isEmpty() || !differing.isEmpty()) {
                List<String> why = new ArrayList<>();
                if (!notInSource.isEmpty()) {
                    why.add(notInSource.size() + " lake orders it does not have " + first(notInSource));
                }
                if (!differing.isEmpty()) {
                    why.add(differing.size() + " lake orders it holds with other values " + first(differing.keySet()));
                }
                System.err.println("accept_source.sh: " + config.postgres().table() + " is not the lake's data: "
                        + String.join("; ", why) + ". Nothing was changed; start a new lake: point datalake.path, "
                        + "streaming.checkpoint_location and streaming.last_processed_timestamp_location at new folders");
                return ExitCode.CANNOT_START;
            }
            var pg = config.postgres();
            long lakeMax = r.lake().stream().map(Reconciliation.LakeRow::orderId).filter(Objects::nonNull)
                    .mapToLong(Integer::longValue).max().orElse(-1);
            LakeSource.Live live;
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
                live = LakeSource.Live.read(c, pg.table());
            }
            if (live.nextOrderId().isPresent() && live.nextOrderId().getAsLong() <= lakeMax) {
                System.err.println("accept_source.sh: the order_id sequence " + live.sequence().orElseThrow() + " would "
                        + "hand out " + live.nextOrderId().getAsLong() + " next, not above " + lakeMax + " which the "
                        + "lake holds (a move that did not carry the sequence); run: SELECT setval('"
                        + live.sequence().get() + "', " + lakeMax + "), then this again. Nothing was changed");
                return ExitCode.CANNOT_START;
            }
            LakeSource accepted = new LakeSource(live.systemIdentifier(), pg.table(), live.tableOid(),
                    Math.max(lakeMax, recorded.map(LakeSource::highWaterMark).orElse(-1L)),
                    recorded.flatMap(LakeSource::lastOrder));
            accepted.write(file);
            System.out.println("Accepted " + pg.table() + " at " + pg.host() + ":" + pg.port() + "/" + pg.db()
                    + " (cluster " + accepted.systemIdentifier() + ", OID " + accepted.tableOid()
                    + ") as the source of the lake "
                    + config.datalake().path() + recorded.map(was -> ", which was built from cluster "
                    + was.systemIdentifier() + ", OID " + was.tableOid()).orElse("") + ": each of the lake's "
                    + r.lake().size() + " orders is in it with the lake's values. Start the producer.");
            return ExitCode.OK;
        } catch (Steps.Failed e) {
            System.err.println("accept_source.sh cannot check the source: " + e.getMessage());
            return ExitCode.CANNOT_START;
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
    }

    private static String first(Set<Integer> ids) {
        return "(e.g. " + ids.stream().limit(5).toList() + ")";
    }
}

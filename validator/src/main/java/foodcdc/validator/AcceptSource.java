package foodcdc.validator;

import foodcdc.cli.ExitCode;
import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import foodcdc.lake.LakeSource;
import foodcdc.storage.StateFile;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import org.apache.spark.sql.SparkSession;

/**
 * {@code accept_source.sh [--config FILE]}: after the source moved with its data (a dump and
 * restore to another server, pg_upgrade, a snapshot restore), records the new cluster and table
 * as the lake's source ({@link LakeSource}), once it has checked that the table holds every
 * order of the lake with the lake's values; the producer, which refused the moved source, then
 * starts. Refused (exit 3, nothing written) when the table lacks an order of the lake or holds
 * one with other values: then it is another source, and only a new lake is safe.
 */
public final class AcceptSource {
    private AcceptSource() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(ExitCode.of(() -> run(ConfigCli.loadFromArgs(args, "accept_source.sh"))).number);
    }

    static ExitCode run(PipelineConfig config) throws Exception {
        Steps steps = new Steps();
        SparkSession spark = null;
        try {
            spark = steps.run("Spark start", "start Spark", PipelineValidator::session);
            StateFile file = LakeSource.file(config.datalake().path(), spark.sparkContext().hadoopConfiguration());
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
            LakeSource live;
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
                live = LakeSource.live(c, pg.table(), recorded.flatMap(LakeSource::lastOrder));
            }
            live.write(file);
            System.out.println("Accepted " + pg.table() + " at " + pg.host() + ":" + pg.port() + "/" + pg.db()
                    + " (cluster " + live.systemIdentifier() + ", OID " + live.tableOid() + ") as the source of the lake "
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

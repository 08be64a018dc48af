package foodcdc.consumer;

import foodcdc.cli.ExitCode;
import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import foodcdc.contract.ChangeEvent;
import foodcdc.storage.PlainFiles;
import foodcdc.storage.ProcessLock;
import foodcdc.storage.StateFile;
import foodcdc.storage.StateFiles;
import java.io.IOException;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;

/**
 * {@code replay_from_source.sh [--config FILE]}: with both jobs stopped, makes their next run
 * carry the whole source into the lake again. It deletes the producer's watermark (so it
 * publishes every row of the table, or in change capture mode every change the change table
 * holds) and the consumer's checkpoint (so it starts a new run at the topic's first event), and
 * clears the topic's id from the lake's topic record ({@link TopicIdentity}); the lake keeps every file, and the consumer drops
 * the copies of orders (changes) it already holds (its index of the lake).
 *
 * <p>The remedy when events are gone from Kafka before the consumer read them (retention, a
 * topic created anew, a broker that lost them): the table still has those orders. In change
 * capture mode the change table still has those changes even after pruning, which deletes only
 * what the change history holds; the replay adds no new snapshot, so each change stays in the
 * history once. Not for a different source: its order_ids (change_ids) are not the lake's
 * ({@code SourceIdentity} refuses it). Exit 3 while a job runs (it holds its lock); nothing is
 * deleted then.
 */
public final class ReplayFromSource {
    private ReplayFromSource() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(ExitCode.of(() -> run(ConfigCli.loadFromArgs(args, "replay_from_source.sh"))).number);
    }

    static ExitCode run(PipelineConfig config) throws IOException {
        // The jobs' Hadoop settings: spark-submit's --conf spark.hadoop.* (an S3 endpoint, say) and plain local files.
        SparkConf spark = new SparkConf();
        PlainFiles.SPARK_CONF.forEach(spark::setIfMissing);
        Configuration hadoop = SparkHadoopUtil.get().newConfiguration(spark);
        boolean changes = config.streaming().capturesChanges();
        String lake = ConsumerJob.lakePath(config);
        String watermarks = config.streaming().lastProcessedTimestampLocation();
        if (!LakeLock.acquire(lake, hadoop)) {
            System.err.println("replay_from_source.sh: a consumer is writing to datalake.path " + lake
                    + "; stop it first (nothing was changed)");
            return ExitCode.CANNOT_START;
        }
        if (!ProcessLock.acquire(new Path(watermarks, StateFiles.PRODUCER_LOCK), hadoop)) {
            System.err.println("replay_from_source.sh: a producer is publishing with "
                    + "streaming.last_processed_timestamp_location " + watermarks + "; stop it first (nothing was changed)");
            return ExitCode.CANNOT_START;
        }
        // Run with the other mode's config, it would make a new pipeline of that mode out of this one's topic.
        Optional<String> otherMode = StateMode.checkReplay(config, hadoop);
        if (otherMode.isPresent()) {
            System.err.println("replay_from_source.sh: " + otherMode.get() + ". Nothing was changed");
            return ExitCode.CANNOT_START;
        }
        Path watermark = new Path(watermarks, StateFiles.WATERMARK);
        Path checkpoint = new Path(config.streaming().checkpointLocation());
        Path topicRecord = new Path(lake, TopicIdentity.FILE);
        boolean watermarkDeleted = delete(watermark, false, hadoop);
        say(watermarkDeleted, "the producer's watermark " + watermark + ": its next run publishes every "
                + (changes ? "change the change table " + ChangeEvent.table(config.postgres().table()) + " holds" : "row of "
                + config.postgres().table()));
        boolean checkpointDeleted = delete(checkpoint, true, hadoop);
        say(checkpointDeleted, "the consumer's checkpoint " + checkpoint + ": its next run reads "
                + config.kafka().topic() + " from its first event");
        Path topicEnd = new Path(watermarks, StateFiles.TOPIC_END);
        boolean topicEndDeleted = delete(topicEnd, false, hadoop);
        say(topicEndDeleted, "the producer's record of the topic's end " + topicEnd);
        if (!watermarkDeleted && !checkpointDeleted && !topicEndDeleted) {
            System.err.println("replay_from_source.sh: found neither a watermark nor a checkpoint: is --config the "
                    + "jobs' config? Nothing to replay");
            return ExitCode.FAILED;
        }
        // Not deleted: rewritten without the topic's id, still naming kafka.topic, so that the lake still says
        // which capture mode reads that topic (StateMode); the consumer's next run records the id it finds.
        TopicIdentity.write(new StateFile(topicRecord, hadoop), config.kafka().topic(), Optional.empty());
        System.out.println("Cleared the topic's id from the lake's record of the topic " + topicRecord
                + ": the consumer's next run records " + config.kafka().topic() + "'s");
        System.out.println("The " + (changes ? "change history " : "lake ") + lake + " keeps all its files; the "
                + "consumer drops the copies of " + (changes ? "changes" : "orders") + " it already holds. Start both "
                + "jobs now.");
        return ExitCode.OK;
    }

    private static boolean delete(Path path, boolean recursive, Configuration hadoop) throws IOException {
        FileSystem fs = path.getFileSystem(hadoop);
        return fs.exists(path) && fs.delete(path, recursive);
    }

    private static void say(boolean deleted, String what) {
        System.out.println((deleted ? "Deleted " : "There was no ") + what);
    }
}

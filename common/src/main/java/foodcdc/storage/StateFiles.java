package foodcdc.storage;

/**
 * The names of the files the jobs keep their progress in, known to the jobs that write them and
 * to the tools that read or reset them (the validator reports the producer's watermark, the
 * replay deletes it).
 */
public final class StateFiles {
    /** The producer's watermark, under {@code streaming.last_processed_timestamp_location}. */
    public static final String WATERMARK = "watermark.properties";
    /** Held by the one producer publishing from that watermark ({@link ProcessLock}), beside it. */
    public static final String PRODUCER_LOCK = "producer.lock";
    /** Where the topic ended after the producer's last acknowledged batch, beside the watermark. */
    public static final String TOPIC_END = "topic_end.properties";

    private StateFiles() {
    }
}

package foodcdc.storage;

/**
 * The names of the files the jobs keep their progress in, known to the jobs that write them and
 * to the tools that read them (the validator reports the producer's watermark).
 */
public final class StateFiles {
    /** The producer's watermark, under {@code streaming.last_processed_timestamp_location}. */
    public static final String WATERMARK = "watermark.properties";

    private StateFiles() {
    }
}

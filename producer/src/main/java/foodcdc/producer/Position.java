package foodcdc.producer;

/**
 * Where the producer stands: the last thing published to Kafka and acknowledged, as the key the
 * next poll reads after. One of the two modes' ({@code streaming.capture}) keys: an order's
 * {@code (created_at, order_id)} ({@link Watermark}), or a change's {@code (xid, change_id)}
 * ({@link ChangeWatermark}). Kept in the watermark file ({@link WatermarkStore}).
 */
public sealed interface Position permits Watermark, ChangeWatermark {

    /** The watermark file's text. */
    String encode();

    /** Whether this is change capture mode's position. */
    default boolean ofChanges() {
        return this instanceof ChangeWatermark;
    }
}

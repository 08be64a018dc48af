package foodcdc.validator;

import static foodcdc.contract.OrderEvent.CREATED_AT;
import static foodcdc.contract.OrderEvent.ORDER_ID;

import foodcdc.contract.OrderEvent;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An order's columns besides order_id ({@link #COLUMNS}, the contract's order), as PostgreSQL
 * and the lake hold them: text as String, amount as BigDecimal, created_at as UTC wall-clock
 * LocalDateTime. Compact (one array a row): the validator holds millions of them.
 */
final class OrderValues {
    /** The compared columns: every field of the contract but order_id, in its order. */
    static final List<OrderEvent.Field> COLUMNS =
            OrderEvent.FIELDS.stream().filter(f -> !f.name().equals(ORDER_ID)).toList();

    static final List<String> COLUMN_NAMES = COLUMNS.stream().map(OrderEvent.Field::name).toList();

    private final Object[] values;

    private OrderValues(Object[] values) {
        if (values.length != COLUMNS.size()) {
            throw new IllegalArgumentException("expected " + COLUMNS.size() + " values, got " + values.length);
        }
        this.values = values;
    }

    /** The values in {@link #COLUMNS} order; the array becomes this row's (no copy: millions are read). */
    static OrderValues of(Object... values) {
        return new OrderValues(values);
    }

    Object get(String column) {
        return values[index(column)];
    }

    LocalDateTime createdAt() {
        return (LocalDateTime) get(CREATED_AT);
    }

    /** A copy with one column changed. */
    OrderValues with(String column, Object value) {
        Object[] copy = values.clone();
        copy[index(column)] = value;
        return new OrderValues(copy);
    }

    /**
     * The columns in which {@code other} differs, in table order. Strings exactly (NULL is not
     * ''), amounts as numbers (220.0 = 220.00), created_at to the microsecond (both sides hold
     * microseconds).
     */
    List<String> differingColumns(OrderValues other) {
        List<String> differing = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            if (!same(COLUMNS.get(i).type(), values[i], other.values[i])) {
                differing.add(COLUMNS.get(i).name());
            }
        }
        return differing;
    }

    private static boolean same(OrderEvent.Type type, Object a, Object b) {
        if (type == OrderEvent.Type.AMOUNT && a != null && b != null) {
            return ((BigDecimal) a).compareTo((BigDecimal) b) == 0;
        }
        return Objects.equals(a, b);
    }

    private static int index(String column) {
        int i = COLUMN_NAMES.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("not a compared column: " + column);
        }
        return i;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OrderValues v && Arrays.equals(values, v.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return Arrays.toString(values);
    }
}

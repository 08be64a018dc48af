package foodcdc.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import foodcdc.contract.CleaningRules.ValueRule;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The value rules over plain Java values, as the validator reads PostgreSQL's rows. */
class CleaningRulesTest {

    private static Map<String, Object> order(Object orderId, Object amount, Object createdAt) {
        Map<String, Object> v = new HashMap<>();
        v.put(OrderEvent.ORDER_ID, orderId);
        v.put(OrderEvent.AMOUNT, amount);
        v.put(OrderEvent.CREATED_AT, createdAt);
        return v;
    }

    @Test
    void shouldNameTheFirstRuleBrokenInTheContractsOrder() {
        LocalDateTime t = LocalDateTime.parse("2025-11-18T12:24:00");
        assertNull(ValueRule.reasonFor(order(1, new BigDecimal("0.00"), t)::get));
        assertEquals("null_order_id", ValueRule.reasonFor(order(null, null, null)::get));
        assertEquals("null_amount", ValueRule.reasonFor(order(1, null, null)::get));
        assertEquals("negative_amount", ValueRule.reasonFor(order(1, new BigDecimal("-0.01"), null)::get));
        assertEquals("null_created_at", ValueRule.reasonFor(order(1, new BigDecimal("1.00"), null)::get));
    }

    @Test
    void shouldCodeEachReasonInSnakeCase() {
        assertEquals("key_not_order_id", CleaningRules.Reason.KEY_NOT_ORDER_ID.code);
        assertEquals("payload_too_large", CleaningRules.Reason.PAYLOAD_TOO_LARGE.code);
    }
}

-- The current state of every order, from the change history of streaming.capture: changes:
-- what SELECT * FROM orders returns, read from the lake. For each order_id its latest change by
-- change_id (publishing order is not change order), unless that change is a delete.
-- A change that broke a cleaning rule is in the quarantine, not the history: an order whose
-- latest change was quarantined shows here as it was before it (docs/CHANGES.md).
-- Run it in DuckDB with HISTORY set to <datalake.path>_changes, e.g.
--   sed "s|HISTORY|/data/lake/orders_changes|g" docs/sql/orders_now.duckdb.sql | duckdb
CREATE OR REPLACE VIEW orders_now AS
SELECT order_id, customer_name, restaurant_name, item, amount, order_status, created_at
FROM (
    SELECT *, row_number() OVER (PARTITION BY order_id ORDER BY change_id DESC) AS newest
    FROM read_parquet('HISTORY/**/*.parquet', hive_partitioning = true)
)
WHERE newest = 1 AND op <> 'd';

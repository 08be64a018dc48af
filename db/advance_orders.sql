-- Moves :'count' orders along their life, as test traffic for change capture
-- (streaming.capture: changes, docs/CHANGES.md): the oldest unfinished orders go to their next
-- status (PLACED -> PREPARING -> DELIVERED), every fifth of them is CANCELLED instead, and the
-- oldest finished order is deleted.
--
--   psql "postgresql://USER@HOST:PORT/DB" -v table=ROLL001_orders -v count=5 -f db/advance_orders.sql
--
-- One statement, so one transaction: every order moves one step, or none does.
WITH moving AS (
  SELECT order_id, row_number() OVER (ORDER BY order_id) AS n
  FROM :"table" WHERE order_status IN ('PLACED', 'PREPARING')
  ORDER BY order_id LIMIT :'count'::int
), gone AS (
  DELETE FROM :"table"
  WHERE order_id = (SELECT min(order_id) FROM :"table" WHERE order_status IN ('DELIVERED', 'CANCELLED'))
  RETURNING order_id
)
UPDATE :"table" AS o
SET order_status = CASE WHEN m.n % 5 = 0 THEN 'CANCELLED'
                        WHEN o.order_status = 'PLACED' THEN 'PREPARING'
                        ELSE 'DELIVERED' END
FROM moving AS m
WHERE o.order_id = m.order_id;

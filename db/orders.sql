-- The source table of the pipeline and its sample orders.
--
--   psql "postgresql://USER@HOST:PORT/DB" -v table=ROLL001_orders -f db/orders.sql
--
-- The table name always comes from the psql variable "table" (the local stack passes
-- postgres.table from the config). Safe to run again: the table is created only if missing,
-- and the samples are inserted only into an empty table.

-- Timestamps are UTC wall-clock: created_at is TIMESTAMP (without time zone) filled by
-- now() AT TIME ZONE 'UTC'. A plain now() would give the inserting session's local time: every
-- client sets its session's TimeZone (pgjdbc sends the JVM's zone, psql honours PGTZ), whatever
-- the database's setting below says.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET timezone TO %L', current_database(), 'UTC');
END
$$;
SET timezone TO 'UTC';

-- No CHECK on amount or order_status on purpose: bad rows are possible at the source, and the
-- consumer's cleaning stage quarantines them with a reason.
CREATE TABLE IF NOT EXISTS :"table" (
  order_id        SERIAL PRIMARY KEY,
  customer_name   VARCHAR(100),
  restaurant_name VARCHAR(100),
  item            VARCHAR(200),
  amount          NUMERIC(10, 2),
  order_status    VARCHAR(20),
  created_at      TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
-- A table made by an earlier version of this script had DEFAULT now(): brought in line.
ALTER TABLE :"table" ALTER COLUMN created_at SET DEFAULT (now() AT TIME ZONE 'UTC');

-- The producer reads in (created_at, order_id) order from a watermark: this index makes each
-- poll an index range scan however large the table grows. (Its name derives from the table,
-- which psql cannot do inside an identifier, hence the setting and the DO block.)
SELECT set_config('orders.table', :'table', false);
DO $$
BEGIN
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (created_at, order_id)',
                 current_setting('orders.table') || '_created_at_order_id_idx',
                 current_setting('orders.table'));
END
$$;

INSERT INTO :"table" (customer_name, restaurant_name, item, amount, order_status, created_at)
SELECT v.customer_name, v.restaurant_name, v.item, v.amount, v.order_status,
       (now() AT TIME ZONE 'UTC') - v.age
FROM (VALUES
  ('John Doe',       'Burger Junction',  'Veg Burger',            220.00, 'PLACED',    interval '50 minutes'),
  ('Priya Sharma',   'Spice Route',      'Paneer Butter Masala',  349.50, 'PREPARING', interval '47 minutes'),
  ('Liam O''Brien',  'Pizza Piazza',     'Margherita Pizza',      499.99, 'DELIVERED', interval '45 minutes'),
  ('Aisha Khan',     'Sushi Corner',     'Salmon Nigiri (8 pcs)', 689.00, 'DELIVERED', interval '41 minutes'),
  ('Carlos Mendes',  'Taco Fiesta',      'Chicken Tacos',         275.25, 'CANCELLED', interval '38 minutes'),
  ('Mei Chen',       'Dragon Wok',       'Kung Pao Chicken',      412.75, 'PLACED',    interval '33 minutes'),
  ('Rahul Verma',    'Biryani House',    'Hyderabadi Biryani',    329.00, 'PREPARING', interval '27 minutes'),
  ('Sophie Martin',  'Le Petit Bistro',  'Croque Monsieur',       315.40, 'DELIVERED', interval '21 minutes'),
  ('John Doe',       'Spice Route',      'Masala Dosa',           149.90, 'PLACED',    interval '14 minutes'),
  ('Fatima Noor',    'Burger Junction',  'Chicken Zinger Burger', 259.00, 'PREPARING', interval '9 minutes')
) AS v(customer_name, restaurant_name, item, amount, order_status, age)
WHERE NOT EXISTS (SELECT 1 FROM :"table")
ORDER BY v.age DESC;

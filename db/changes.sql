-- Change capture (streaming.capture: changes): every INSERT, UPDATE, DELETE and TRUNCATE of
-- the orders table, appended by triggers to a change table that the producer reads snapshot
-- by snapshot (foodcdc.producer.ChangeQuery says why that loses nothing; docs/CHANGES.md). Run
-- it as the table's owner:
--
--   psql "postgresql://OWNER@HOST:PORT/DB" -v ON_ERROR_STOP=1 -v table=ROLL001_orders -f db/changes.sql
--
-- Safe to run again, also on a table that has rows already: the first run captures every
-- existing row once (op 'r', a snapshot) and installs the triggers in the same transaction,
-- with writers held off meanwhile, so that from then on the history is complete and has no
-- change twice. Later runs bring the functions up to date and put back a trigger that was
-- disabled, enabled only for ordinary sessions, or dropped: changes may have been missed
-- meanwhile, so such a run takes a new snapshot (every row again, op 'r'). (A row deleted
-- in such a gap is not in the snapshot, and no delete of it is recorded: docs say so.)
-- The triggers run as the role that ran this script (SECURITY DEFINER, with a fixed
-- search_path): writers need no rights on the change table, and PUBLIC has none.
-- At READ COMMITTED only (the default), and so is a captured TRUNCATE.
--
-- The change table <table>_changes:
--   change_id   bigserial   orders the changes of one order (its row lock makes them take
--                           their ids in the order they happen);
--   op          'r' snapshot, 'c' insert, 'u' update, 'd' delete (as Debezium spells them);
--   the seven order columns, after the change (before it, for a delete);
--   changed_at  UTC wall-clock time of the change (clock_timestamp(), whatever the writer's zone);
--   xid         the writing transaction's id (top-level, also inside a subtransaction).
-- What is captured differently: an UPDATE of order_id is a delete plus an insert; a TRUNCATE
-- is a delete of every row. What is not captured: columns other than the seven, and a
-- change to the table's columns (renaming or dropping one of the seven makes every write
-- fail until this script is run again: refused loudly, never missed).

SET timezone TO 'UTC';
-- A run that must (re)install takes a lock that waits for every transaction that has written
-- to the table, and every writer after it waits for the lock: behind a transaction left open,
-- writers would stall for as long. So it gives up after 10 s instead (ERROR: canceling
-- statement due to lock timeout; nothing is changed): end or wait out that transaction
-- (pg_stat_activity), then run it again.
SET lock_timeout TO '10s';
SELECT set_config('orders.table', :'table', false);
DO $install$
DECLARE
  t        text := current_setting('orders.table');
  changes  text := current_setting('orders.table') || '_changes';
  columns  text := 'order_id, customer_name, restaurant_name, item, amount, order_status, created_at';
  capture  text := current_setting('orders.table') || '_capture';
  schema   text;
  complete boolean;
  is_complete text := $q$SELECT count(*) = 2 FROM pg_trigger WHERE tgrelid = quote_ident($1)::regclass
                          AND tgname IN ($2 || '_row', $2 || '_truncate') AND tgenabled = 'A'$q$;
BEGIN
  IF current_setting('server_version_num')::int < 130000 THEN
    RAISE EXCEPTION 'change capture needs PostgreSQL 13 or later (pg_current_xact_id), this is %',
      current_setting('server_version');
  END IF;
  -- The longest name made below (<table>_capture_truncate) must fit PostgreSQL's 63 bytes.
  IF octet_length(t) > 46 THEN
    RAISE EXCEPTION 'change capture needs a table name of at most 46 bytes, % has %', t, octet_length(t);
  END IF;
  -- Each statement below must see what committed before it: the snapshot reads after the lock.
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'run db/changes.sql at READ COMMITTED (this session is %)', current_setting('transaction_isolation');
  END IF;
  -- Everything lives in the orders table's schema and is named with it: a writer's search_path
  -- must never decide where a change is written.
  SELECT n.nspname INTO schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = quote_ident(t)::regclass;
  -- Complete: both triggers there and firing in every session. Then a run (every start of the
  -- local stack runs this) only brings the functions up to date and takes no lock that a
  -- writer's open transaction could hold it behind. Otherwise changes may have been missed
  -- (or this is the first run): writers wait until the snapshot and the triggers are in place
  -- together (readers do not), and completeness is looked at again under the lock.
  EXECUTE is_complete INTO complete USING t, capture;
  IF NOT complete THEN
    EXECUTE format('LOCK TABLE %I.%I IN SHARE ROW EXCLUSIVE MODE', schema, t);
    EXECUTE is_complete INTO complete USING t, capture;
  END IF;
  EXECUTE format($sql$
    CREATE TABLE IF NOT EXISTS %I.%I (
      change_id       bigserial PRIMARY KEY,
      op              char(1) NOT NULL CHECK (op IN ('r', 'c', 'u', 'd')),
      order_id        integer NOT NULL,
      customer_name   varchar(100),
      restaurant_name varchar(100),
      item            varchar(200),
      amount          numeric(10, 2),
      order_status    varchar(20),
      created_at      timestamp,
      changed_at      timestamp NOT NULL DEFAULT (clock_timestamp() AT TIME ZONE 'UTC'),
      xid             xid8 NOT NULL DEFAULT pg_current_xact_id()
    )$sql$, schema, changes);
  -- Written only through the triggers (which run as this script's role), read by the producer.
  EXECUTE format('REVOKE ALL ON %I.%I FROM PUBLIC', schema, changes);
  -- The producer reads in (xid, change_id) order from its watermark: a range scan.
  -- (Looked up first: CREATE INDEX IF NOT EXISTS locks the table before it looks.)
  IF to_regclass(format('%I.%I', schema, changes || '_xid_change_id_idx')) IS NULL THEN
    EXECUTE format('CREATE INDEX %I ON %I.%I (xid, change_id)', changes || '_xid_change_id_idx', schema, changes);
  END IF;

  -- One row function: inserts, updates (of order_id: a delete and an insert) and deletes.
  EXECUTE format($sql$
    CREATE OR REPLACE FUNCTION %4$I.%1$I() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
    BEGIN
      IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.order_id IS DISTINCT FROM NEW.order_id) THEN
        INSERT INTO %4$I.%2$I (op, %3$s) VALUES ('d', OLD.order_id, OLD.customer_name, OLD.restaurant_name,
          OLD.item, OLD.amount, OLD.order_status, OLD.created_at);
      END IF;
      IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND OLD.order_id IS DISTINCT FROM NEW.order_id) THEN
        INSERT INTO %4$I.%2$I (op, %3$s) VALUES ('c', NEW.order_id, NEW.customer_name, NEW.restaurant_name,
          NEW.item, NEW.amount, NEW.order_status, NEW.created_at);
      ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO %4$I.%2$I (op, %3$s) VALUES ('u', NEW.order_id, NEW.customer_name, NEW.restaurant_name,
          NEW.item, NEW.amount, NEW.order_status, NEW.created_at);
      END IF;
      RETURN NULL;
    END
    $body$$sql$, capture || '_row', changes, columns, schema);
  -- TRUNCATE: a delete of every row, read before the rows go (a statement trigger, BEFORE).
  EXECUTE format($sql$
    CREATE OR REPLACE FUNCTION %5$I.%1$I() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
    BEGIN
      -- Under REPEATABLE READ the rows read here would be the transaction's snapshot's, older
      -- than the lock TRUNCATE holds: a row committed in between would go without its delete.
      IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'TRUNCATE of %% is captured only at READ COMMITTED (this is %%): use DELETE, or TRUNCATE at READ COMMITTED',
          TG_TABLE_NAME, current_setting('transaction_isolation');
      END IF;
      INSERT INTO %5$I.%2$I (op, %3$s) SELECT 'd', %3$s FROM %5$I.%4$I ORDER BY order_id;
      RETURN NULL;
    END
    $body$$sql$, capture || '_truncate', changes, columns, t, schema);

  -- Not complete: the snapshot records every row there is now, once, before any change the
  -- triggers append from here on.
  IF NOT complete THEN
    EXECUTE format('INSERT INTO %I.%I (op, %s) SELECT ''r'', %s FROM %I.%I ORDER BY order_id', schema, changes, columns,
                   columns, schema, t);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = quote_ident(t)::regclass AND tgname = capture || '_row') THEN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I.%I FOR EACH ROW EXECUTE FUNCTION %I.%I()',
                   capture || '_row', schema, t, schema, capture || '_row');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = quote_ident(t)::regclass AND tgname = capture || '_truncate') THEN
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I.%I FOR EACH STATEMENT EXECUTE FUNCTION %I.%I()',
                   capture || '_truncate', schema, t, schema, capture || '_truncate');
  END IF;
  -- Also in sessions with session_replication_role = replica (a logical replication
  -- subscriber applying changes, a tool loading data): an ordinary trigger does not fire
  -- there, and those changes would be missed.
  IF NOT complete THEN
    EXECUTE format('ALTER TABLE %I.%I ENABLE ALWAYS TRIGGER %I', schema, t, capture || '_row');
    EXECUTE format('ALTER TABLE %I.%I ENABLE ALWAYS TRIGGER %I', schema, t, capture || '_truncate');
  END IF;
END
$install$;

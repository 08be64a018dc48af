-- A least-privilege login role for the producer. Run it once as a superuser (or the table's
-- owner holding the right to grant pg_read_all_stats):
--
--   psql "postgresql://ADMIN@HOST:PORT/DB" -v table=ROLL001_orders -v role=orders_producer \
--        -v password='a-secret' -f db/producer_role.sql
--
-- then run the producer with ORDERS_POSTGRES_USER=orders_producer ORDERS_POSTGRES_PASSWORD=...
-- What the producer needs, and nothing more:
--   SELECT on the table          it reads the rows after its watermark; it never writes;
--   pg_read_all_stats            it reads the start time of other sessions' open transactions in
--                                pg_stat_activity: the horizon that makes late commits safe
--                                (without it, it refuses to start and says so);
--   SELECT on order_id's sequence it reads how far the sequence has come, so that a table reset
--                                under the lake (TRUNCATE ... RESTART IDENTITY) is refused, not
--                                silently dropped as copies;
--   USAGE on the schema, CONNECT on the database (PUBLIC has CONNECT by default).
-- In change capture mode (streaming.capture: changes; run db/changes.sql first), also:
--   SELECT on <table>_changes    it reads the changes (pg_read_all_stats is then not needed);
--   SELECT on change_id's sequence so that a change table installed again is refused, not
--                                dropped as copies.
-- Pruning the change table (scripts/prune_changes.sh) deletes from it: run that as the table's
-- owner, or as a role of its own given GRANT SELECT, DELETE ON "<table>_changes" — never the
-- producer's, which stays read-only.
CREATE ROLE :"role" LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
GRANT USAGE ON SCHEMA public TO :"role";
GRANT SELECT ON :"table" TO :"role";
GRANT pg_read_all_stats TO :"role";
-- The sequence's name comes from the table (psql variables do not reach inside a DO block).
SELECT set_config('foodcdc.sequence_grant', coalesce(format('GRANT SELECT ON SEQUENCE %s TO %I',
       pg_get_serial_sequence(quote_ident(:'table'), 'order_id'), :'role'), 'SELECT 1'), false);
DO $$ BEGIN EXECUTE current_setting('foodcdc.sequence_grant'); END $$;
-- Change capture, when installed: the change table and its change_id sequence.
SELECT set_config('foodcdc.changes_grant', CASE WHEN to_regclass(quote_ident(:'table' || '_changes')) IS NULL
       THEN 'SELECT 1' ELSE format('GRANT SELECT ON %I TO %I; GRANT SELECT ON SEQUENCE %s TO %I',
       :'table' || '_changes', :'role', pg_get_serial_sequence(quote_ident(:'table' || '_changes'), 'change_id'),
       :'role') END, false);
DO $$ BEGIN EXECUTE current_setting('foodcdc.changes_grant'); END $$;

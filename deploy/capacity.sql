-- Row sizes for the capacity plan (README, "Capacity plan"): for every table of Duta's,
-- the rows, the average size of a row's data (pg_column_size of the whole row), and the
-- bytes each row takes on disk with its indexes and TOAST (pg_total_relation_size / rows).
-- Run it on a PostgreSQL database with data, after VACUUM ANALYZE (reltuples is the
-- planner's count; exact counts need count(*)):
--   psql "$DUTA_DATABASE_URL" -c 'VACUUM ANALYZE' -f deploy/capacity.sql
\pset footer off
CREATE TEMP TABLE sizes (tbl text, avg_row_data numeric);
DO $$
DECLARE t record; avg numeric;
BEGIN
  FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'seaql_migrations'
  LOOP
    -- a sample of up to 100,000 rows is enough for an average
    EXECUTE format('SELECT avg(pg_column_size(s.*)) FROM (SELECT * FROM %I LIMIT 100000) s', t.relname) INTO avg;
    INSERT INTO sizes VALUES (t.relname, avg);
  END LOOP;
END $$;
SELECT c.relname AS "table",
       c.reltuples::bigint AS "rows",
       round(s.avg_row_data) AS "row data, B",
       round(pg_relation_size(c.oid)::numeric / greatest(c.reltuples, 1)) AS "heap/row, B",
       round(pg_indexes_size(c.oid)::numeric / greatest(c.reltuples, 1)) AS "indexes/row, B",
       round(pg_total_relation_size(c.oid)::numeric / greatest(c.reltuples, 1)) AS "all/row, B",
       pg_size_pretty(pg_total_relation_size(c.oid)) AS "total"
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN sizes s ON s.tbl = c.relname
WHERE c.reltuples > 0
ORDER BY pg_total_relation_size(c.oid) DESC;
SELECT pg_size_pretty(pg_database_size(current_database())) AS "database size";

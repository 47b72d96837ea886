-- Row sizes of four tables the bench seed leaves empty but that grow with use: the audit
-- log (one row per verification), notifications (one row per ambassador a brief is
-- published to), brief_reads (one row per brief an ambassador opens) and media (one row
-- per stored image; the file itself is in upload_dir or the bucket). Each is copied
-- with its indexes (LIKE … INCLUDING ALL) and filled with 1,000,000 rows shaped like the
-- ones a live cluster writes (values taken from deploy/cluster.sh's demo after drills),
-- measured, and dropped. Run on any Duta database on PostgreSQL:
--   psql "$DUTA_DATABASE_URL" -f deploy/capacity-synthetic.sql
\pset footer off
CREATE TEMP TABLE cap_audit_log (LIKE audit_log INCLUDING ALL);
INSERT INTO cap_audit_log (at, actor_id, action, target_type, target_id, institution_id, detail, client_ip)
SELECT now() - make_interval(secs => g), 1 + g % 5000, 'submission.verify', 'submission', 10000000 + g,
       1 + g % 600,
       format('{"ambassador_id":%s,"from":"pending","reason":"","to":"verified","week":"2026-W%s"}',
              100000 + g % 1000000, lpad((1 + g % 52)::text, 2, '0')),
       format('10.%s.%s.%s', g % 250, (g / 250) % 250, g % 199)
FROM generate_series(1, 1000000) g;

CREATE TEMP TABLE cap_notifications (LIKE notifications INCLUDING ALL);
INSERT INTO cap_notifications (user_id, kind, brief_id, created_at)
SELECT 1 + g % 1000000, 'brief_published', 1 + g / 1000000 * 1000 + g % 1000, now()
FROM generate_series(1, 1000000) g;

CREATE TEMP TABLE cap_brief_reads (LIKE brief_reads INCLUDING ALL);
INSERT INTO cap_brief_reads (brief_id, ambassador_id, first_seen_at)
SELECT 1 + g % 1000, 1 + g / 1000, now() - make_interval(secs => g % 604800)
FROM generate_series(1, 1000000) g;

CREATE TEMP TABLE cap_media (LIKE media INCLUDING ALL);
INSERT INTO cap_media (owner_id, institution_id, kind, stored_name, thumb_name, content_type,
                       width, height, bytes, sha256, created_at, phash)
SELECT 1 + g, 1 + g % 600, 'screenshot', md5(g::text) || '.jpg', md5(g::text) || '.thumb.jpg',
       'image/jpeg', 1080, 2400, 300000 + g % 200000, md5(g::text) || md5((g + 1)::text), now(),
       (random() * 9e18)::bigint
FROM generate_series(1, 1000000) g;

VACUUM ANALYZE cap_media;
VACUUM ANALYZE cap_audit_log;
VACUUM ANALYZE cap_notifications;
VACUUM ANALYZE cap_brief_reads;
SELECT 'audit_log (submission.verify)' AS "table, 1,000,000 synthetic rows",
       (SELECT round(avg(pg_column_size(x.*))) FROM (SELECT * FROM cap_audit_log LIMIT 100000) x) AS "row data, B",
       round(pg_relation_size('cap_audit_log') / 1e6) AS "heap/row, B",
       round(pg_indexes_size('cap_audit_log') / 1e6) AS "indexes/row, B",
       round(pg_total_relation_size('cap_audit_log') / 1e6) AS "all/row, B"
UNION ALL
SELECT 'notifications (brief_published)',
       (SELECT round(avg(pg_column_size(x.*))) FROM (SELECT * FROM cap_notifications LIMIT 100000) x),
       round(pg_relation_size('cap_notifications') / 1e6),
       round(pg_indexes_size('cap_notifications') / 1e6),
       round(pg_total_relation_size('cap_notifications') / 1e6)
UNION ALL
SELECT 'brief_reads',
       (SELECT round(avg(pg_column_size(x.*))) FROM (SELECT * FROM cap_brief_reads LIMIT 100000) x),
       round(pg_relation_size('cap_brief_reads') / 1e6),
       round(pg_indexes_size('cap_brief_reads') / 1e6),
       round(pg_total_relation_size('cap_brief_reads') / 1e6)
UNION ALL
SELECT 'media (screenshot)',
       (SELECT round(avg(pg_column_size(x.*))) FROM (SELECT * FROM cap_media LIMIT 100000) x),
       round(pg_relation_size('cap_media') / 1e6),
       round(pg_indexes_size('cap_media') / 1e6),
       round(pg_total_relation_size('cap_media') / 1e6);
DROP TABLE cap_audit_log, cap_notifications, cap_brief_reads, cap_media;

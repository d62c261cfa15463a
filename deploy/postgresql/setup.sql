-- Once, on the primary, as postgres (psql -f setup.sql). Passwords set interactively:
--   \password claimsca      \password claimsca_ro      \password replicator
CREATE ROLE claimsca LOGIN;
CREATE ROLE replicator REPLICATION LOGIN;
CREATE DATABASE claimsca OWNER claimsca;
-- The read-only node's role: it only reads (serve --read-only).
CREATE ROLE claimsca_ro LOGIN;
\connect claimsca
GRANT SELECT ON ALL TABLES IN SCHEMA public TO claimsca_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE claimsca IN SCHEMA public GRANT SELECT ON TABLES TO claimsca_ro;

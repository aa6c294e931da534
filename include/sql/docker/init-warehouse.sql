-- Creates the socialops warehouse next to Airflow's metadata database in the postgres service
-- of docker-compose.yml, which mounts this file into /docker-entrypoint-initdb.d/.
--
-- PostgreSQL's image runs it once, when it initialises an empty data volume: changing the
-- password later means `ALTER ROLE socialops PASSWORD '...'` by hand, or removing the volume.
-- The warehouse has its own role and database so that socialops' tables and credentials never
-- mix with Airflow's metadata. Its tables are created by the Alembic migrations, not here.

\set ON_ERROR_STOP on

-- Read from the environment so that the password lives in .env, not in the repository.
\getenv warehouse_password SOCIALOPS_WAREHOUSE_PASSWORD
\if :{?warehouse_password}
\else
DO $$ BEGIN
    RAISE EXCEPTION 'SOCIALOPS_WAREHOUSE_PASSWORD is not set on the postgres service; see docs/deployment.md';
END $$;
\endif

CREATE ROLE socialops LOGIN PASSWORD :'warehouse_password';
CREATE DATABASE socialops OWNER socialops;
-- Only the owner (and superusers) may connect: the airflow role has no business there.
REVOKE CONNECT, TEMPORARY ON DATABASE socialops FROM PUBLIC;

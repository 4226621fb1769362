-- One login role and one database per part of fazhi, each owning its own database and
-- nothing else (no service can read another's tables). Idempotent: run it again to add
-- a part; existing roles and databases are left as they are.
--   psql -v ON_ERROR_STOP=1 -v registry_password=... -v evaluation_password=... \
--        -v mediation_password=... -v legalservices_password=... \
--        -v notifications_password=... -v corrections_password=... \
--        -v gateway_password=... \
--        -f deploy/postgres/init.sql postgresql://postgres@db-host/postgres
-- A part whose password is not given (or empty) is skipped, so a department creates
-- only its own: civil affairs registry + evaluation, justice mediation + legalservices +
-- corrections + notifications
-- (+ evaluation if it hosts that database), the city gateway.
-- Rotate a password later with: ALTER ROLE fazhi_registry PASSWORD '...';
\set ON_ERROR_STOP on
\if :{?registry_password} \else \set registry_password '' \endif
\if :{?evaluation_password} \else \set evaluation_password '' \endif
\if :{?mediation_password} \else \set mediation_password '' \endif
\if :{?legalservices_password} \else \set legalservices_password '' \endif
\if :{?notifications_password} \else \set notifications_password '' \endif
\if :{?corrections_password} \else \set corrections_password '' \endif
\if :{?gateway_password} \else \set gateway_password '' \endif

CREATE TEMPORARY TABLE fazhi_part (name text PRIMARY KEY, password text NOT NULL);
INSERT INTO fazhi_part
SELECT 'fazhi_' || name, password FROM (VALUES
    ('registry', :'registry_password'),
    ('evaluation', :'evaluation_password'),
    ('mediation', :'mediation_password'),
    ('legalservices', :'legalservices_password'),
    ('notifications', :'notifications_password'),
    ('corrections', :'corrections_password'),
    ('gateway', :'gateway_password')) AS given(name, password)
WHERE password <> '';

SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', name, password)
FROM fazhi_part WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) \gexec

-- CREATE DATABASE cannot run in a transaction block: \gexec runs each on its own
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', name, name, 'UTF8')
FROM fazhi_part WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = name) \gexec

SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', name) FROM fazhi_part \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', name, name) FROM fazhi_part \gexec

SELECT name AS "fazhi databases ready" FROM fazhi_part ORDER BY name;

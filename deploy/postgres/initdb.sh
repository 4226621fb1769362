#!/bin/sh
# Run by the postgres image on first start (/docker-entrypoint-initdb.d): one database and
# role per part, passwords from the environment (parts without a password are skipped).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v registry_password="${REGISTRY_DB_PASSWORD:-}" \
  -v evaluation_password="${EVALUATION_DB_PASSWORD:-}" \
  -v mediation_password="${MEDIATION_DB_PASSWORD:-}" \
  -v legalservices_password="${LEGALSERVICES_DB_PASSWORD:-}" \
  -v notifications_password="${NOTIFICATIONS_DB_PASSWORD:-}" \
  -v corrections_password="${CORRECTIONS_DB_PASSWORD:-}" \
  -v gateway_password="${GATEWAY_DB_PASSWORD:-}" \
  -f /fazhi/init.sql

#!/bin/sh
# Entrypoint of every fazhi image (FAZHI_SERVICE names the part).
#   run          migrate the part's database (unless FAZHI_MIGRATE_ON_START=0), then serve
#   migrate      migrate only (a Kubernetes init container or job)
#   healthcheck  the image's HEALTHCHECK: gateway /health/live, or a service's broker,
#                RPC queue consumer and database (extra arguments go to the check)
#   anything else is run as given, e.g. `python -m gateway.admin create-user ...`
set -eu
part="${FAZHI_SERVICE:?FAZHI_SERVICE is not set}"
cd "/app/$part"
port="${GATEWAY_PORT:-8080}"

migrate() { python -m fazhi_common.migrate upgrade .; }

case "${1:-run}" in
  run)
    if [ "${FAZHI_MIGRATE_ON_START:-1}" = 1 ]; then migrate; fi
    if [ "$part" = gateway ]; then
      if [ "${COMMUNITY_VIEW:-false}" = true ]; then
        # the keeper of the gateway's view of communities (its events), beside the web
        # workers; started again if it stops, so the view never silently falls behind
        (while :; do fazhi-service --config config.yml gateway.view_keeper; sleep 5; done) &
      fi
      exec gunicorn --bind "0.0.0.0:$port" \
        --workers "${GATEWAY_WORKERS:-2}" --threads "${GATEWAY_THREADS:-8}" \
        --timeout "${GATEWAY_TIMEOUT_SECONDS:-30}" --graceful-timeout 20 \
        --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
        --access-logfile - --error-logfile - gateway.wsgi:app
    fi
    exec fazhi-service --config config.yml "$part.service"  # nameko run, quietly
    ;;
  migrate)
    migrate
    ;;
  healthcheck)
    shift
    if [ "$part" = gateway ]; then
      exec python -m fazhi_common.healthcheck --url "http://127.0.0.1:$port/health/live" "$@"
    fi
    exec python -m fazhi_common.healthcheck --config config.yml --service "$part" "$@"
    ;;
  *)
    exec "$@"
    ;;
esac

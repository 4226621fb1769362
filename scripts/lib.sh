# Shared by scripts/run and scripts/test: make sure what the platform needs is here.
# Each function starts what is installed but stopped, installs with apt where it can,
# and otherwise says exactly what to do.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mError: %s\033[0m\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {  # wait_port PORT SECONDS
  for _ in $(seq 1 "$2"); do port_open "$1" && return 0; sleep 1; done
  return 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_install() {
  command -v apt-get >/dev/null || return 1
  say "Installing $* with apt"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null ||
    { as_root apt-get update -q >/dev/null && \
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; }
}

ensure_venv() {
  local stamp="$VENV/.fazhi-installed" want
  want="$(cat "$ROOT"/requirements*.txt "$ROOT"/*/pyproject.toml "$ROOT"/services/*/pyproject.toml 2>/dev/null | sha1sum | cut -c1-40)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  command -v python3 >/dev/null || die "python3 (3.11 or newer) is needed: apt-get install python3 python3-venv"
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "Python 3.11 or newer is needed."
  say "Preparing the Python environment in .venv"
  [ -x "$PY" ] || python3 -m venv "$VENV" || die "python3 -m venv failed: apt-get install python3-venv"
  "$PY" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  mkdir -p "$ROOT/var/log"
  "$PY" -m pip install -q -r "$ROOT/requirements-dev.txt" >"$ROOT/var/log/pip.log" 2>&1 ||
    die "pip install failed: see var/log/pip.log"
  local editable=(-e "$ROOT/common" -e "$ROOT/gateway")
  for svc in "$ROOT"/services/*/; do
    [ -f "$svc/pyproject.toml" ] && editable+=(-e "$svc")
  done
  "$PY" -m pip install -q --no-deps "${editable[@]}" >>"$ROOT/var/log/pip.log" 2>&1 ||
    die "installing the fazhi packages failed: see var/log/pip.log"
  echo "$want" > "$stamp"
}

ensure_chromium() {
  # The console's browser tests: headless Chromium and its driver from Debian's packages
  # (nothing is downloaded at test time), and a CJK font so screenshots read as Chinese.
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] &&
     { ! command -v fc-list >/dev/null || fc-list :lang=zh | grep -q .; }; then
    return 0
  fi
  apt_install chromium chromium-driver fonts-wqy-zenhei || die "The browser tests need Chromium.
  Install it: sudo apt-get install chromium chromium-driver fonts-wqy-zenhei"
}

ensure_rabbitmq() {
  port_open 5672 && return 0
  if ! command -v rabbitmq-server >/dev/null && ! [ -x /usr/sbin/rabbitmq-server ]; then
    apt_install rabbitmq-server || die "RabbitMQ is not installed and could not be installed.
  Install it (Debian/Ubuntu: sudo apt-get install rabbitmq-server), start it
  (sudo rabbitmq-server -detached), or point AMQP_URI at a running broker."
  fi
  say "Starting RabbitMQ"
  as_root rabbitmq-server -detached >/dev/null 2>&1 || as_root service rabbitmq-server start >/dev/null 2>&1 || true
  wait_port 5672 60 || die "RabbitMQ did not start on port 5672; see /var/log/rabbitmq/."
}

ensure_rabbitmq_management() {
  # The tests make a throw-away vhost per test through the management API.
  port_open 15672 && return 0
  say "Enabling the RabbitMQ management plugin"
  as_root rabbitmq-plugins enable rabbitmq_management >/dev/null ||
    die "Could not enable the management plugin: run 'sudo rabbitmq-plugins enable rabbitmq_management'."
  wait_port 15672 60 || die "The RabbitMQ management API did not come up on port 15672."
}

ensure_postgres() {  # returns 1 (without dying) when PostgreSQL cannot be had
  port_open 5432 && return 0
  if ls /etc/postgresql/*/main >/dev/null 2>&1; then
    say "Starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -n 1)" main start >/dev/null 2>&1 || true
  elif apt_install postgresql; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -n 1)" main start >/dev/null 2>&1 || true
  fi
  wait_port 5432 30
}

pg_login_works() {  # pg_login_works URL: can the tests connect and create databases there?
  "$PY" - "$1" <<'PYCODE' >/dev/null 2>&1
import sys, psycopg2
connection = psycopg2.connect(sys.argv[1], connect_timeout=5)
with connection.cursor() as cursor:
    cursor.execute("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user")
    sys.exit(0 if cursor.fetchone()[0] else 1)
PYCODE
}

ensure_pg_test_login() {  # prints a URL the tests can use, or returns 1
  local url="$1"
  pg_login_works "$url" && { echo "$url"; return 0; }
  # A stock Debian server refuses passwordless TCP logins: make a local test role that
  # may create (throw-away) databases, as the postgres system user.
  local role=fazhi_test
  as_root runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<SQL || return 1
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
    CREATE ROLE $role LOGIN CREATEDB PASSWORD '$role';
  END IF;
END \$\$;
SQL
  as_root runuser -u postgres -- createdb -O "$role" "$role" >/dev/null 2>&1 || true
  url="postgresql://$role:$role@127.0.0.1:5432/$role"
  pg_login_works "$url" && { echo "$url"; return 0; }
  return 1
}

ensure_dead_letter_policy() {  # ensure_dead_letter_policy VHOST
  # at-least-once dead-lettering for event queues (why a policy: common/fazhi_common/messaging.py)
  command -v rabbitmqctl >/dev/null || [ -x /usr/sbin/rabbitmqctl ] || return 0
  as_root rabbitmqctl set_policy -p "$1" --apply-to queues fazhi-dead-letter '^evt-' \
    '{"dead-letter-strategy":"at-least-once"}' >/dev/null 2>&1 ||
    printf '\033[33mCould not set the dead-letter policy; see docs/operations.md (poison messages).\033[0m\n'
}

# Shared by scripts/run, scripts/test and scripts/bench: find Swift, and make sure PostgreSQL's
# server programs and libpq's headers are installed, installing them with apt when we can.

set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
if ! command -v swift >/dev/null 2>&1; then
    echo "error: swift (6.x) not found; install it from swift.org and put it on PATH" >&2
    exit 1
fi

have_postgres_server() {
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && return 0
    done
    command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1
}

have_libpq_headers() {
    [ -f /usr/include/postgresql/libpq-fe.h ] || [ -f /usr/local/include/postgresql/libpq-fe.h ]
}

# Installs the Debian packages named in "$@" when running as root with apt; otherwise prints the
# command that would and stops.
install_packages() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing: $*" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
    else
        echo "error: missing system packages; install them with:" >&2
        echo "  sudo apt-get install -y $*" >&2
        exit 1
    fi
}

ensure_system_packages() {
    local missing=()
    have_postgres_server || missing+=(postgresql)
    have_libpq_headers || missing+=(libpq-dev)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    if [ ${#missing[@]} -gt 0 ]; then install_packages "${missing[@]}"; fi
    # The Debian package starts a cluster of its own on port 5432; ours use private sockets and
    # do not need it, so it is left as it is.
}

# schemathesis, pinned, in a virtual environment of its own under .build/ (installed from PyPI
# when missing or of another version).
SCHEMATHESIS_VERSION=4.32.5
SCHEMATHESIS_VENV=.build/schemathesis-venv
ensure_schemathesis() {
    if [ -x "$SCHEMATHESIS_VENV/bin/st" ] &&
        [ "$("$SCHEMATHESIS_VENV/bin/st" --version 2>/dev/null)" = "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
        return 0
    fi
    if ! python3 -m venv --help >/dev/null 2>&1; then install_packages python3-venv; fi
    echo "installing schemathesis $SCHEMATHESIS_VERSION into $SCHEMATHESIS_VENV" >&2
    rm -rf "$SCHEMATHESIS_VENV"
    python3 -m venv "$SCHEMATHESIS_VENV"
    "$SCHEMATHESIS_VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
}

# The folder of the Unix socket of the embedded cluster in folder "$1" (relative to the project),
# as EmbeddedPostgres places it: socket/ inside the folder, or a folder in /tmp named after the
# folder's path when that would make the socket's path too long.
cluster_socket() {
    python3 - "$PWD/$1" <<'PY'
import sys
folder = sys.argv[1]
inside = folder + "/socket"
if len(inside + "/.s.PGSQL.5432") <= 100:
    print(inside)
else:
    h = 0xcbf29ce484222325
    for b in folder.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    print("/tmp/techmarket-socket-%x" % h)
PY
}

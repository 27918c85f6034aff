#!/usr/bin/env bash
# Réplique PostgreSQL en streaming sur 127.0.0.1:5433, faite avec les outils du serveur (pg_createcluster,
# pg_basebackup -R), si elle ne tourne pas déjà. Appelé par .ci/run (root, PostgreSQL de Debian).
set -euo pipefail
VERSION_PG="$(ls /etc/postgresql | sort -V | tail -n1)"
PORT_REPLIQUE="${PORT_REPLIQUE:-5433}"
if pg_isready -h 127.0.0.1 -p "$PORT_REPLIQUE" -q; then
  exit 0
fi
HBA="/etc/postgresql/$VERSION_PG/main/pg_hba.conf"
if ! grep -q "^host[[:space:]]\+replication[[:space:]]\+all[[:space:]]\+127.0.0.1/32" "$HBA"; then
  echo "host replication all 127.0.0.1/32 trust" >>"$HBA"
  pg_ctlcluster --skip-systemctl-redirect "$VERSION_PG" main reload
fi
if [ ! -d "/etc/postgresql/$VERSION_PG/replique" ]; then
  pg_createcluster "$VERSION_PG" replique -p "$PORT_REPLIQUE" >/dev/null
fi
# Même accès que la base principale (les tests s'y connectent comme à elle).
cp "$HBA" "/etc/postgresql/$VERSION_PG/replique/pg_hba.conf"
DONNEES="$(pg_conftool -s "$VERSION_PG" replique show data_directory 2>/dev/null || echo "/var/lib/postgresql/$VERSION_PG/replique")"
rm -rf "$DONNEES"
install -d -o postgres -g postgres -m 700 "$DONNEES"
# -R : standby.signal et primary_conninfo ; -X stream : les journaux copiés pendant la copie.
su postgres -c "pg_basebackup -h 127.0.0.1 -p 5432 -U postgres -D '$DONNEES' -R -X stream"
pg_ctlcluster --skip-systemctl-redirect "$VERSION_PG" replique start
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p "$PORT_REPLIQUE" -q && break; sleep 1; done
test "$(psql -h 127.0.0.1 -p "$PORT_REPLIQUE" -U postgres -Atc 'SELECT pg_is_in_recovery()')" = "t"

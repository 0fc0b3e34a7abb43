#!/usr/bin/env bash
# Back up, or restore, what a term of the ftroi course cannot lose (deploy/README.md, "Backups"):
# the PostgreSQL gradebook (pg_dump), the instructor's course folder (source quizzes, key,
# submitted/, autograded/, feedback/) and the nbgrader exchange, with owners and modes (tar,
# numeric owners: the exchange's permissions are what keep students apart). Run as root.
#
#   deploy/backup.sh backup  DEST_DIR COURSE_DIR   # writes DEST_DIR/ftroi-backup-<UTC time>.tar
#   deploy/backup.sh restore ARCHIVE               # stop the hub first; overwrites what is there
#
# FTROI_DB_URL and FTROI_EXCHANGE_ROOT come from the environment or /etc/ftroi/hub.env.
set -euo pipefail

if [ -z "${FTROI_DB_URL:-}" ] && [ -r /etc/ftroi/hub.env ]; then
  set -a; . /etc/ftroi/hub.env; set +a
fi
: "${FTROI_DB_URL:?FTROI_DB_URL is not set (the gradebook; see /etc/ftroi/hub.env)}"
EXCHANGE="${FTROI_EXCHANGE_ROOT:-/srv/nbgrader/exchange}"
DB_URL="${FTROI_DB_URL/postgresql+psycopg:/postgresql:}"   # libpq's spelling of the URL

usage() { echo "usage: $0 backup DEST_DIR COURSE_DIR | restore ARCHIVE" >&2; exit 2; }

case "${1:-}" in
  backup)
    [ $# -eq 3 ] || usage
    dest="$2"; course="$(cd "$3" && pwd)"
    [ -d "$EXCHANGE" ] || { echo "backup.sh: no exchange at $EXCHANGE" >&2; exit 1; }
    work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
    pg_dump --dbname="$DB_URL" --format=custom --file="$work/gradebook.dump"
    tar -C / --numeric-owner -cpf "$work/files.tar" "${course#/}" "${EXCHANGE#/}"
    printf 'course=%s\nexchange=%s\n' "$course" "$EXCHANGE" > "$work/MANIFEST"
    install -d -m 700 "$dest"
    archive="$dest/ftroi-backup-$(date -u +%Y%m%dT%H%M%SZ).tar"
    tar -C "$work" -cf "$archive" MANIFEST gradebook.dump files.tar
    chmod 600 "$archive"
    echo "$archive"
    ;;
  restore)
    [ $# -eq 2 ] || usage
    work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
    tar -C "$work" -xf "$2"
    course="$(sed -n 's/^course=//p' "$work/MANIFEST")"
    exchange="$(sed -n 's/^exchange=//p' "$work/MANIFEST")"
    rm -rf "${course:?}" "${exchange:?}"
    tar -C / --numeric-owner --same-owner -xpf "$work/files.tar"
    pg_restore --clean --if-exists --no-owner --dbname="$DB_URL" "$work/gradebook.dump"
    echo "restored $course, $exchange and the gradebook from $2"
    ;;
  *) usage ;;
esac

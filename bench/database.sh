# The benchmarks' database, sourced after scripts/services.sh: `bench_database DIR BACKEND`
# empties DIR and exports DATABASE_URL for a SQLite file in it, or for a fresh database on a
# throw-away local PostgreSQL (BACKEND postgres); `sql QUERY` then prints the rows as
# comma-separated values.
bench_database() { # dir, backend
  rm -rf "$1" && mkdir -p "$1"
  if [ "$2" = postgres ]; then
    start_postgres
    psql -q "$HUJI_TEST_POSTGRES_ADMIN_URL" -c "CREATE DATABASE huji_bench"
    export DATABASE_URL="${HUJI_TEST_POSTGRES_ADMIN_URL%/*}/huji_bench"
    sql() { psql -qAtF, "$DATABASE_URL" -c "$1"; }
  else
    export DATABASE_URL="sqlite:$1/huji.db"
    BENCH_SQLITE_FILE="$1/huji.db"
    sql() { sqlite3 -cmd ".timeout 5000" -separator , "$BENCH_SQLITE_FILE" "$1"; }
  fi
}

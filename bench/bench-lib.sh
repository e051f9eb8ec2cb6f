# bench-lib.sh: what the server benchmarks share. Sourced after
# tests/pg-lib.sh's pg_start, with $triage and $work set.

# bench_seed TICKETS: the org "Bench" with one agent (bench@example.com,
# password in $work/pw), TICKETS seeded tickets, the rows counted the way
# the figures count them (in $rows, and printed), statistics fresh, and
# the seeding's dirty pages written out.
bench_seed() {
	"$triage" admin migrate > /dev/null
	"$triage" admin create-org Bench > /dev/null
	printf 'bench-password\n' > "$work/pw"
	chmod 600 "$work/pw"
	"$triage" admin create-user --org Bench --email bench@example.com \
	    --name Bench --role agent --password-file "$work/pw" > /dev/null
	echo "== seeding $1 tickets"
	"$triage" admin seed --org Bench --tickets "$1"
	rows=$(psql -XAtq -d "$PG_CONNINFO" -c "SELECT sum(n) FROM (
	    SELECT count(*) n FROM tickets UNION ALL SELECT count(*) FROM messages
	    UNION ALL SELECT count(*) FROM events UNION ALL SELECT count(*) FROM customers
	    UNION ALL SELECT count(*) FROM identities UNION ALL SELECT count(*) FROM orders
	    UNION ALL SELECT count(*) FROM order_items UNION ALL SELECT count(*) FROM shipments
	    UNION ALL SELECT count(*) FROM attachments UNION ALL SELECT count(*) FROM users
	    UNION ALL SELECT count(*) FROM teams) x")
	echo "rows in PostgreSQL: $rows"
	psql -XAtq -d "$PG_CONNINFO" -c "VACUUM ANALYZE" > /dev/null
	# The seeding's writes go to disk now, not during the figures.
	psql -XAtq -d "$PG_CONNINFO" -c "CHECKPOINT" > /dev/null
	sync
}

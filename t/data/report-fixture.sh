# The store every report test reads (sourced by t/50*-report-*.bats):
# six orders in three workflows (t/data/report-orders.jsonl), a catalog
# with one cost missing and one item not in it (report-products.jsonl),
# status moves made by uoms-status, then dated by hand so the figures can
# be worked out on paper (uoms-status stamps the real clock), and holds
# and refused lines put in with sqlite3 (no tool makes them yet).
# The figures expected from it are in t/data/report-*.jsonl and .table.

report_fixture() {
	local d="$SRC/t/data"

	uoms-upsert --products "$d/report-products.jsonl" >/dev/null &&
	uoms-upsert "$d/report-orders.jsonl" >/dev/null &&
	uoms-status --to IN_PROGRESS 1 2 >/dev/null &&
	uoms-status --action complete 1 >/dev/null &&
	uoms-status --action cancel 3 >/dev/null &&
	uoms-status --action payment 5 >/dev/null &&
	for a in pay pick pack ship; do
		uoms-status --action "$a" 6 >/dev/null || return 1
	done || return 1
	sqlite3 "$UOMS_DB" <<'SQL'
BEGIN;
UPDATE events SET at = CASE order_id || ' ' || to_state
    WHEN '1 IN_PROGRESS' THEN '2025-03-10T03:00:00Z'
    WHEN '1 COMPLETE' THEN '2025-03-10T05:00:00Z'
    WHEN '2 IN_PROGRESS' THEN '2025-03-11T01:30:00Z'
    WHEN '3 CANCEL' THEN '2025-03-10T06:00:00Z'
    WHEN '5 pending_acceptance' THEN '2025-03-11T10:05:00Z'
    WHEN '6 paid' THEN '2025-03-12T00:20:00Z'
    WHEN '6 picking' THEN '2025-03-12T00:30:00Z'
    WHEN '6 packed' THEN '2025-03-12T00:40:00Z'
    WHEN '6 shipped' THEN '2025-03-12T04:10:00Z' END
WHERE type = 'status';
UPDATE orders SET depart_time = '2025-03-10T03:00:00Z',
    complete_time = '2025-03-10T05:00:00Z' WHERE id = 1;
UPDATE orders SET depart_time = '2025-03-11T01:30:00Z' WHERE id = 2;
UPDATE orders SET depart_time = '2025-03-12T04:10:00Z' WHERE id = 6;
INSERT INTO holds (order_id, reason, note, placed_by, placed_at, state,
    updated_at) VALUES
    (2, 'address_invalid', 'no such street', 'tester', '2025-03-10T23:45:00Z',
     'resolved', '2025-03-11T00:15:00Z'),
    (4, 'stock_shortage', '젤펜 품절', 'tester', '2025-03-11T03:00:00Z',
     'open', '2025-03-11T03:00:00Z'),
    (5, 'missing_info', NULL, 'tester', '2025-03-11T11:00:00Z',
     'acknowledged', '2025-03-11T11:30:00Z');
INSERT INTO rejects (tool, at, code, message, line) VALUES
    ('uoms-upsert', '2025-03-10T12:00:00Z', 'invalid', 'postal code', 3),
    ('uoms-upsert', '2025-03-11T12:00:00Z', 'invalid', 'phone', 7);
COMMIT;
SQL
}

# report_check FORMAT EXPECTED.jsonl ACTUAL [KEYS]: the report in ACTUAL
# (jsonl or csv) holds exactly the rows of EXPECTED; KEYS (a,b) name the
# columns that say what a row is about (TOTAL in csv's totals row).
report_check() {
	python3 "$SRC/t/data/report-check.py" "$@"
}

# report_store: the fixture in this test's store ($UOMS_DB), copied from
# one built once per file (setup_file: report_build).
report_build() {
	local db="$BATS_FILE_TMPDIR/report.db"

	[ -f "$db" ] && return 0
	SRC=${UOMS_SRC:-$BATS_TEST_DIRNAME/..}
	UOMS_DB="$db" UOMS_ACTOR=tester report_fixture
}

# On PostgreSQL the fixture is built on SQLite all the same (once per
# file: its hand-made rows are SQLite's SQL) and moved into the test's
# schema with uoms-copy, as a team moving its store would; t/5008 checks
# that the reports print the same bytes on either.
report_store() {
	report_build || return 1
	if [ "${UOMS_TEST_ENGINE:-sqlite}" = pg ]; then
		uoms-copy --quiet -d "$BATS_FILE_TMPDIR/report.db" "$UOMS_DB" \
		    >/dev/null
	else
		sqlite3 "$BATS_FILE_TMPDIR/report.db" ".backup '$UOMS_DB'"
	fi
}

# report_all EXPECTED KEYS REPORT-ARGS...: the report in jsonl and csv
# holds exactly the rows of t/data/EXPECTED.jsonl, and its table is
# t/data/EXPECTED.table when there is one.
report_all() {
	local want="$SRC/t/data/$1.jsonl" table="$SRC/t/data/$1.table"
	local keys=$2
	shift 2
	uoms-report "$@" --format jsonl >got.jsonl || return 1
	report_check jsonl "$want" got.jsonl || return 1
	uoms-report "$@" --format csv >got.csv || return 1
	report_check csv "$want" got.csv "$keys" || return 1
	if [ -f "$table" ]; then
		uoms-report "$@" --format table >got.table || return 1
		diff -u "$table" got.table || return 1
	fi
}

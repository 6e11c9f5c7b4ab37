#!/usr/bin/env bats
# uoms-query time filters compare at the precision stored: a microsecond
# (or a nanosecond) either side of a bound is either side of it, whatever
# the offset the bound is written in, and a date is its 00:00 UTC.
load helper

# placed_at as stored (UTC), ids 1..4 in this order:
#   1  2026-11-21T14:59:59.999999Z
#   2  2026-11-21T15:00:00Z
#   3  2026-11-21T15:00:00.000001Z
#   4  2026-11-21T14:59:59.9999995Z   (written 23:59:59.9999995+09:00)
placed() {
	{
		order 1 placed_at='"2026-11-21T14:59:59.999999Z"'
		order 2 placed_at='"2026-11-21T15:00:00Z"'
		order 3 placed_at='"2026-11-21T15:00:00.000001Z"'
		order 4 placed_at='"2026-11-21T23:59:59.9999995+09:00"'
	} | uoms-upsert >/dev/null
}

@test "--placed-to: a microsecond before the bound is in, the bound is out" {
	placed
	query_is "--placed-to 2026-11-21T15:00:00Z" "4 1"
	query_is "--placed-to 2026-11-21T15:00:00.000Z" "4 1"
	query_is "--placed-to 2026-11-21T15:00:00.000001Z" "4 2 1"
	query_is "--placed-to 2026-11-21T15:00:00.0000011Z" "4 3 2 1"
	query_is "--placed-to 2026-11-21T14:59:59.999999Z" ""
	query_is "--placed-to 2026-11-21T14:59:59.9999991Z" "1"
	query_is "--placed-to 2026-11-21T14:59:59.999999600Z" "4 1"
}

@test "--placed-from: the bound is in, a microsecond before it is out" {
	placed
	query_is "--placed-from 2026-11-21T15:00:00Z" "3 2"
	query_is "--placed-from 2026-11-21T15:00:00.000001Z" "3"
	query_is "--placed-from 2026-11-21T15:00:00.0000001Z" "3"
	query_is "--placed-from 2026-11-21T15:00:00.000002Z" ""
	query_is "--placed-from 2026-11-21T14:59:59.999999Z" "4 3 2 1"
	query_is "--placed-from 2026-11-21T14:59:59.9999991Z" "4 3 2"
	query_is "--placed-from 2026-11-21T14:59:59.999999500Z" "4 3 2"
}

@test "time filters with offsets compare the same instant" {
	placed
	query_is "--placed-to 2026-11-22T00:00:00+09:00" "4 1"
	query_is "--placed-to 2026-11-21T10:00:00.000001-05:00" "4 2 1"
	query_is "--placed-from 2026-11-21T10:00:00.000001-05:00" "3"
	query_is "--placed-from 2026-11-21T23:59:59.9999995+09:00 --placed-to 2026-11-22T00:00:00+09:00" "4"
}

@test "--eta-from and --eta-to with dates: a microsecond before midnight is the day before" {
	{
		order 1 eta='"2030-11-22T23:59:59.999999Z"'
		order 2 eta='"2030-11-23T00:00:00Z"'
		order 3 eta='"2030-11-23T00:00:00.000001Z"'
		order 4 eta='"2030-11-23T08:59:59.999999+09:00"'
	} | uoms-upsert >/dev/null
	query_is "--eta-to 2030-11-23" "4 1"
	query_is "--eta-from 2030-11-23" "3 2"
	query_is "--eta-from 2030-11-22 --eta-to 2030-11-23" "4 1"
	query_is "--eta-to 2030-11-23T09:00:00+09:00" "4 1"
	query_is "--eta-from 2030-11-23T00:00:00.000001Z" "3"
	query_is "--eta-from 2030-11-22T23:59:59.999999Z --eta-to 2030-11-23T00:00:00.000001Z" "4 2 1"
}

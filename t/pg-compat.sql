-- pg-compat.sql: SQLite's group_concat for the tests' own queries (the
-- sql helper, t/helper.bash), in the database's public schema, which every
-- test's search_path ends with. The store itself never uses it.
CREATE OR REPLACE FUNCTION public.uoms_gc_step(acc text, v anyelement,
    sep text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v::text
	    ELSE acc || sep || v::text END $$;
CREATE OR REPLACE FUNCTION public.uoms_gc_step(acc text, v anyelement)
    RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT public.uoms_gc_step(acc, v, ',') $$;
CREATE OR REPLACE AGGREGATE public.group_concat(anyelement)
    (SFUNC = public.uoms_gc_step, STYPE = text);
CREATE OR REPLACE AGGREGATE public.group_concat(anyelement, text)
    (SFUNC = public.uoms_gc_step, STYPE = text);
-- SQLite's json_extract(json, '$.a.b') (members only, a name may be
-- quoted: '$.changed."eta".to'), as text.
CREATE OR REPLACE FUNCTION public.json_extract(j text, path text)
    RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT j::jsonb #>> coalesce((SELECT array_agg(coalesce(m[1], m[2])
	    ORDER BY n) FROM regexp_matches(substr(path, 3),
	    '"([^"]*)"|([^."]+)', 'g') WITH ORDINALITY AS r(m, n)),
	    '{}') $$;
-- SQLite's julianday(time), for differences between two times.
CREATE OR REPLACE FUNCTION public.julianday(t text)
    RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
	SELECT extract(epoch FROM t::timestamptz)::double precision / 86400
	    + 2440587.5 $$;

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

-- Server schema 2: ms() in double precision. Every synced time goes
-- through ms() on its way to a client (pull.c's select lists), and
-- extract() returns numeric since PostgreSQL 14: 1.7 us a call, most of
-- PostgreSQL's time in a first sync of a million rows. date_part() of the
-- interval since the epoch is a double (exact to well under a microsecond
-- for any date a ticket has) and immutable, so the function is still
-- inlined into the pull statements. A time exactly half a millisecond
-- past a whole one may round the other way than before; times that
-- clients send are whole milliseconds and come back as they were.

CREATE OR REPLACE FUNCTION ms(timestamptz) RETURNS bigint LANGUAGE sql
    IMMUTABLE PARALLEL SAFE
    RETURN round(date_part('epoch', $1 - '1970-01-01 00:00:00+00'::timestamptz)
	* 1000)::bigint;

-- 010-stats.sql: replica schema version 10. The dashboard's figures
-- (issue 7) in well under 50 ms at a million tickets. Counting rows, even
-- from an index, costs 30 to 150 ns each, and the windows the dashboard
-- looks at hold most tickets (the open ones, the last 30 days), so the
-- counts are kept as they change: four small tables of sums, each the
-- GROUP BY of a view over tickets, kept in step by triggers. The views
-- say what the sums are; a bulk load (006-bulk.sql) drops the triggers
-- and fills the tables from the views at its end, and replica_check()
-- compares the two.
--
-- Days are UTC days: created_at / 86400000. Open is status < 4 (new,
-- open, pending, on hold). A duration's bucket is its number of decimal
-- digits times 100 plus its first two digits (below 100 ms: bucket 0), so
-- buckets keep the order of durations and are at most a tenth wide; the
-- exact percentile is then read from the duration indexes, starting at
-- the bucket that holds it.

-- Open tickets by status, priority, team and assignee ('' for none).
CREATE VIEW stats_open_src AS
	SELECT status, priority, ifnull(team_id, '') AS team_id,
	    ifnull(assignee_id, '') AS assignee_id, count(*) AS n
	FROM tickets WHERE status < 4 GROUP BY 1, 2, 3, 4;

-- Per day of creation: tickets created, and those whose first response
-- (resolution) was due and came, and came by the due time.
CREATE VIEW stats_day_src AS
	SELECT created_at / 86400000 AS day, count(*) AS created,
	    sum(first_response_at IS NOT NULL AND
		first_response_due IS NOT NULL) AS fr_done,
	    sum(ifnull(first_response_at <= first_response_due, 0)) AS fr_met,
	    sum(solved_at IS NOT NULL AND resolution_due IS NOT NULL)
		AS res_done,
	    sum(ifnull(solved_at <= resolution_due, 0)) AS res_met
	FROM tickets GROUP BY 1;

-- Per day of creation and bucket of the time taken: kind 0 the first
-- response, kind 1 the resolution.
CREATE VIEW stats_time_src AS
	SELECT 0 AS kind, created_at / 86400000 AS day,
	    CASE WHEN first_response_at - created_at < 100 THEN 0 ELSE
		length(first_response_at - created_at) * 100 +
		CAST(substr(first_response_at - created_at, 1, 2) AS INTEGER)
	    END AS bucket, count(*) AS n
	FROM tickets WHERE first_response_at IS NOT NULL GROUP BY 2, 3
	UNION ALL
	SELECT 1, created_at / 86400000,
	    CASE WHEN solved_at - created_at < 100 THEN 0 ELSE
		length(solved_at - created_at) * 100 +
		CAST(substr(solved_at - created_at, 1, 2) AS INTEGER)
	    END, count(*)
	FROM tickets WHERE solved_at IS NOT NULL GROUP BY 2, 3;

-- Clocks still running, per day of creation and hour of the due time:
-- kind 0 first responses not given, kind 1 tickets not solved.
CREATE VIEW stats_due_src AS
	SELECT 0 AS kind, created_at / 86400000 AS day,
	    first_response_due / 3600000 AS due_hour, count(*) AS n
	FROM tickets WHERE first_response_at IS NULL AND
	    first_response_due IS NOT NULL GROUP BY 2, 3
	UNION ALL
	SELECT 1, created_at / 86400000, resolution_due / 3600000, count(*)
	FROM tickets WHERE solved_at IS NULL AND resolution_due IS NOT NULL
	GROUP BY 2, 3;

CREATE TABLE stats_open (
	status		INTEGER NOT NULL,
	priority	INTEGER NOT NULL,
	team_id		TEXT NOT NULL,
	assignee_id	TEXT NOT NULL,
	n		INTEGER NOT NULL,
	PRIMARY KEY (status, priority, team_id, assignee_id)
) WITHOUT ROWID;

CREATE TABLE stats_day (
	day		INTEGER PRIMARY KEY,
	created		INTEGER NOT NULL,
	fr_done		INTEGER NOT NULL,
	fr_met		INTEGER NOT NULL,
	res_done	INTEGER NOT NULL,
	res_met		INTEGER NOT NULL
);

CREATE TABLE stats_time (
	kind		INTEGER NOT NULL,
	day		INTEGER NOT NULL,
	bucket		INTEGER NOT NULL,
	n		INTEGER NOT NULL,
	PRIMARY KEY (kind, day, bucket)
) WITHOUT ROWID;

CREATE TABLE stats_due (
	kind		INTEGER NOT NULL,
	day		INTEGER NOT NULL,
	due_hour	INTEGER NOT NULL,
	n		INTEGER NOT NULL,
	PRIMARY KEY (kind, day, due_hour)
) WITHOUT ROWID;

INSERT INTO stats_open SELECT * FROM stats_open_src;
INSERT INTO stats_day SELECT * FROM stats_day_src;
INSERT INTO stats_time SELECT * FROM stats_time_src;
INSERT INTO stats_due SELECT * FROM stats_due_src;

-- The exact median and p90: durations in order, with the day of
-- creation beside them for the window.
CREATE INDEX tickets_fr_time ON tickets(first_response_at - created_at,
    created_at) WHERE first_response_at IS NOT NULL;
CREATE INDEX tickets_res_time ON tickets(solved_at - created_at,
    created_at) WHERE solved_at IS NOT NULL;
-- Clocks that ran out in the current hour, which stats_due cannot tell.
CREATE INDEX tickets_fr_due ON tickets(first_response_due, created_at)
    WHERE first_response_at IS NULL AND first_response_due IS NOT NULL;
CREATE INDEX tickets_res_due ON tickets(resolution_due, created_at)
    WHERE solved_at IS NULL AND resolution_due IS NOT NULL;

-- The triggers' names start with tickets_stats_: a bulk load drops them.
-- A row whose sums reach 0 stays; readers skip it.
CREATE TRIGGER tickets_stats_ai AFTER INSERT ON tickets BEGIN
	INSERT INTO stats_open(status, priority, team_id, assignee_id, n)
	    SELECT new.status, new.priority, ifnull(new.team_id, ''),
		ifnull(new.assignee_id, ''), 1
	    WHERE new.status < 4
	    ON CONFLICT(status, priority, team_id, assignee_id)
	    DO UPDATE SET n = n + 1;
	INSERT INTO stats_day(day, created, fr_done, fr_met, res_done, res_met)
	    VALUES (new.created_at / 86400000, 1,
		new.first_response_at IS NOT NULL AND
		new.first_response_due IS NOT NULL,
		ifnull(new.first_response_at <= new.first_response_due, 0),
		new.solved_at IS NOT NULL AND new.resolution_due IS NOT NULL,
		ifnull(new.solved_at <= new.resolution_due, 0))
	    ON CONFLICT(day) DO UPDATE SET created = created + 1,
		fr_done = fr_done + excluded.fr_done,
		fr_met = fr_met + excluded.fr_met,
		res_done = res_done + excluded.res_done,
		res_met = res_met + excluded.res_met;
	INSERT INTO stats_time(kind, day, bucket, n)
	    SELECT 0, new.created_at / 86400000,
		CASE WHEN new.first_response_at - new.created_at < 100 THEN 0
		ELSE length(new.first_response_at - new.created_at) * 100 +
		    CAST(substr(new.first_response_at - new.created_at, 1, 2)
		    AS INTEGER) END, 1
	    WHERE new.first_response_at IS NOT NULL
	    ON CONFLICT(kind, day, bucket) DO UPDATE SET n = n + 1;
	INSERT INTO stats_time(kind, day, bucket, n)
	    SELECT 1, new.created_at / 86400000,
		CASE WHEN new.solved_at - new.created_at < 100 THEN 0
		ELSE length(new.solved_at - new.created_at) * 100 +
		    CAST(substr(new.solved_at - new.created_at, 1, 2)
		    AS INTEGER) END, 1
	    WHERE new.solved_at IS NOT NULL
	    ON CONFLICT(kind, day, bucket) DO UPDATE SET n = n + 1;
	INSERT INTO stats_due(kind, day, due_hour, n)
	    SELECT 0, new.created_at / 86400000,
		new.first_response_due / 3600000, 1
	    WHERE new.first_response_at IS NULL AND
		new.first_response_due IS NOT NULL
	    ON CONFLICT(kind, day, due_hour) DO UPDATE SET n = n + 1;
	INSERT INTO stats_due(kind, day, due_hour, n)
	    SELECT 1, new.created_at / 86400000, new.resolution_due / 3600000,
		1
	    WHERE new.solved_at IS NULL AND new.resolution_due IS NOT NULL
	    ON CONFLICT(kind, day, due_hour) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER tickets_stats_ad AFTER DELETE ON tickets BEGIN
	UPDATE stats_open SET n = n - 1
	    WHERE old.status < 4 AND status = old.status AND
		priority = old.priority AND
		team_id = ifnull(old.team_id, '') AND
		assignee_id = ifnull(old.assignee_id, '');
	UPDATE stats_day SET created = created - 1,
	    fr_done = fr_done - (old.first_response_at IS NOT NULL AND
		old.first_response_due IS NOT NULL),
	    fr_met = fr_met -
		ifnull(old.first_response_at <= old.first_response_due, 0),
	    res_done = res_done - (old.solved_at IS NOT NULL AND
		old.resolution_due IS NOT NULL),
	    res_met = res_met - ifnull(old.solved_at <= old.resolution_due, 0)
	    WHERE day = old.created_at / 86400000;
	UPDATE stats_time SET n = n - 1
	    WHERE old.first_response_at IS NOT NULL AND kind = 0 AND
		day = old.created_at / 86400000 AND bucket =
		CASE WHEN old.first_response_at - old.created_at < 100 THEN 0
		ELSE length(old.first_response_at - old.created_at) * 100 +
		    CAST(substr(old.first_response_at - old.created_at, 1, 2)
		    AS INTEGER) END;
	UPDATE stats_time SET n = n - 1
	    WHERE old.solved_at IS NOT NULL AND kind = 1 AND
		day = old.created_at / 86400000 AND bucket =
		CASE WHEN old.solved_at - old.created_at < 100 THEN 0
		ELSE length(old.solved_at - old.created_at) * 100 +
		    CAST(substr(old.solved_at - old.created_at, 1, 2)
		    AS INTEGER) END;
	UPDATE stats_due SET n = n - 1
	    WHERE old.first_response_at IS NULL AND
		old.first_response_due IS NOT NULL AND kind = 0 AND
		day = old.created_at / 86400000 AND
		due_hour = old.first_response_due / 3600000;
	UPDATE stats_due SET n = n - 1
	    WHERE old.solved_at IS NULL AND old.resolution_due IS NOT NULL AND
		kind = 1 AND day = old.created_at / 86400000 AND
		due_hour = old.resolution_due / 3600000;
END;

-- Only real changes move a count: a pulled row assigns every column.
CREATE TRIGGER tickets_stats_open_au
    AFTER UPDATE OF status, priority, team_id, assignee_id ON tickets
    WHEN (old.status < 4 OR new.status < 4) AND
	(old.status IS NOT new.status OR old.priority IS NOT new.priority OR
	old.team_id IS NOT new.team_id OR
	old.assignee_id IS NOT new.assignee_id) BEGIN
	UPDATE stats_open SET n = n - 1
	    WHERE old.status < 4 AND status = old.status AND
		priority = old.priority AND
		team_id = ifnull(old.team_id, '') AND
		assignee_id = ifnull(old.assignee_id, '');
	INSERT INTO stats_open(status, priority, team_id, assignee_id, n)
	    SELECT new.status, new.priority, ifnull(new.team_id, ''),
		ifnull(new.assignee_id, ''), 1
	    WHERE new.status < 4
	    ON CONFLICT(status, priority, team_id, assignee_id)
	    DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER tickets_stats_times_au
    AFTER UPDATE OF created_at, first_response_due, first_response_at,
	resolution_due, solved_at ON tickets
    WHEN old.created_at IS NOT new.created_at OR
	old.first_response_due IS NOT new.first_response_due OR
	old.first_response_at IS NOT new.first_response_at OR
	old.resolution_due IS NOT new.resolution_due OR
	old.solved_at IS NOT new.solved_at BEGIN
	UPDATE stats_day SET created = created - 1,
	    fr_done = fr_done - (old.first_response_at IS NOT NULL AND
		old.first_response_due IS NOT NULL),
	    fr_met = fr_met -
		ifnull(old.first_response_at <= old.first_response_due, 0),
	    res_done = res_done - (old.solved_at IS NOT NULL AND
		old.resolution_due IS NOT NULL),
	    res_met = res_met - ifnull(old.solved_at <= old.resolution_due, 0)
	    WHERE day = old.created_at / 86400000;
	INSERT INTO stats_day(day, created, fr_done, fr_met, res_done, res_met)
	    VALUES (new.created_at / 86400000, 1,
		new.first_response_at IS NOT NULL AND
		new.first_response_due IS NOT NULL,
		ifnull(new.first_response_at <= new.first_response_due, 0),
		new.solved_at IS NOT NULL AND new.resolution_due IS NOT NULL,
		ifnull(new.solved_at <= new.resolution_due, 0))
	    ON CONFLICT(day) DO UPDATE SET created = created + 1,
		fr_done = fr_done + excluded.fr_done,
		fr_met = fr_met + excluded.fr_met,
		res_done = res_done + excluded.res_done,
		res_met = res_met + excluded.res_met;
	UPDATE stats_time SET n = n - 1
	    WHERE old.first_response_at IS NOT NULL AND kind = 0 AND
		day = old.created_at / 86400000 AND bucket =
		CASE WHEN old.first_response_at - old.created_at < 100 THEN 0
		ELSE length(old.first_response_at - old.created_at) * 100 +
		    CAST(substr(old.first_response_at - old.created_at, 1, 2)
		    AS INTEGER) END;
	INSERT INTO stats_time(kind, day, bucket, n)
	    SELECT 0, new.created_at / 86400000,
		CASE WHEN new.first_response_at - new.created_at < 100 THEN 0
		ELSE length(new.first_response_at - new.created_at) * 100 +
		    CAST(substr(new.first_response_at - new.created_at, 1, 2)
		    AS INTEGER) END, 1
	    WHERE new.first_response_at IS NOT NULL
	    ON CONFLICT(kind, day, bucket) DO UPDATE SET n = n + 1;
	UPDATE stats_time SET n = n - 1
	    WHERE old.solved_at IS NOT NULL AND kind = 1 AND
		day = old.created_at / 86400000 AND bucket =
		CASE WHEN old.solved_at - old.created_at < 100 THEN 0
		ELSE length(old.solved_at - old.created_at) * 100 +
		    CAST(substr(old.solved_at - old.created_at, 1, 2)
		    AS INTEGER) END;
	INSERT INTO stats_time(kind, day, bucket, n)
	    SELECT 1, new.created_at / 86400000,
		CASE WHEN new.solved_at - new.created_at < 100 THEN 0
		ELSE length(new.solved_at - new.created_at) * 100 +
		    CAST(substr(new.solved_at - new.created_at, 1, 2)
		    AS INTEGER) END, 1
	    WHERE new.solved_at IS NOT NULL
	    ON CONFLICT(kind, day, bucket) DO UPDATE SET n = n + 1;
	UPDATE stats_due SET n = n - 1
	    WHERE old.first_response_at IS NULL AND
		old.first_response_due IS NOT NULL AND kind = 0 AND
		day = old.created_at / 86400000 AND
		due_hour = old.first_response_due / 3600000;
	INSERT INTO stats_due(kind, day, due_hour, n)
	    SELECT 0, new.created_at / 86400000,
		new.first_response_due / 3600000, 1
	    WHERE new.first_response_at IS NULL AND
		new.first_response_due IS NOT NULL
	    ON CONFLICT(kind, day, due_hour) DO UPDATE SET n = n + 1;
	UPDATE stats_due SET n = n - 1
	    WHERE old.solved_at IS NULL AND old.resolution_due IS NOT NULL AND
		kind = 1 AND day = old.created_at / 86400000 AND
		due_hour = old.resolution_due / 3600000;
	INSERT INTO stats_due(kind, day, due_hour, n)
	    SELECT 1, new.created_at / 86400000, new.resolution_due / 3600000,
		1
	    WHERE new.solved_at IS NULL AND new.resolution_due IS NOT NULL
	    ON CONFLICT(kind, day, due_hour) DO UPDATE SET n = n + 1;
END;

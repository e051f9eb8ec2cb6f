-- Server schema 3: operations (issue 7): business hours, the SLA clock's
-- pauses and steps, auto-assignment rules, notifications.

-- Business hours: orgs.business_hours is NULL (every hour counts) or JSON
-- [[dow, from_min, to_min], ...]: dow 0 Sunday .. 6 Saturday, minutes of
-- the local day (orgs.time_zone). `triage admin set-hours` writes it.

-- start plus mins business minutes.
CREATE FUNCTION triage_bh_add(start timestamptz, mins double precision,
    hours text, tz text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
DECLARE
	h jsonb;
	loc timestamp;
	day timestamp;
	left_ double precision := greatest(mins, 0);
	seg_from timestamp;
	seg_to timestamp;
	avail double precision;
	iv jsonb;
	n integer := 0;
BEGIN
	IF hours IS NULL OR hours = '' OR hours = '[]' THEN
		RETURN start + mins * interval '1 minute';
	END IF;
	h := hours::jsonb;
	loc := start AT TIME ZONE tz;
	day := date_trunc('day', loc);
	LOOP
		FOR iv IN SELECT value FROM jsonb_array_elements(h)
		    WHERE (value->>0)::int = extract(dow FROM day)::int
		    ORDER BY (value->>1)::int LOOP
			seg_from := greatest(loc, day + (iv->>1)::int *
			    interval '1 minute');
			seg_to := day + (iv->>2)::int * interval '1 minute';
			IF seg_to > seg_from THEN
				avail := extract(epoch FROM seg_to - seg_from) / 60;
				IF left_ <= avail THEN
					RETURN (seg_from + left_ *
					    interval '1 minute') AT TIME ZONE tz;
				END IF;
				left_ := left_ - avail;
			END IF;
		END LOOP;
		day := day + interval '1 day';
		loc := greatest(loc, day);
		n := n + 1;
		IF n > 3660 THEN	-- hours that never open: wall clock
			RETURN start + mins * interval '1 minute';
		END IF;
	END LOOP;
END
$$;

-- Business minutes from a to b (0 if b is not after a).
CREATE FUNCTION triage_bh_mins(a timestamptz, b timestamptz, hours text,
    tz text) RETURNS double precision LANGUAGE plpgsql STABLE AS $$
DECLARE
	h jsonb;
	la timestamp;
	lb timestamp;
	day timestamp;
	total double precision := 0;
	seg_from timestamp;
	seg_to timestamp;
	iv jsonb;
BEGIN
	IF b <= a THEN
		RETURN 0;
	END IF;
	IF hours IS NULL OR hours = '' OR hours = '[]' THEN
		RETURN extract(epoch FROM b - a) / 60;
	END IF;
	h := hours::jsonb;
	la := a AT TIME ZONE tz;
	lb := b AT TIME ZONE tz;
	day := date_trunc('day', la);
	WHILE day < lb LOOP
		FOR iv IN SELECT value FROM jsonb_array_elements(h)
		    WHERE (value->>0)::int = extract(dow FROM day)::int LOOP
			seg_from := greatest(la, day + (iv->>1)::int *
			    interval '1 minute');
			seg_to := least(lb, day + (iv->>2)::int *
			    interval '1 minute');
			IF seg_to > seg_from THEN
				total := total + extract(epoch FROM
				    seg_to - seg_from) / 60;
			END IF;
		END LOOP;
		day := day + interval '1 day';
	END LOOP;
	RETURN total;
END
$$;

-- The hours a policy counts in: the organisation's if the policy says so.
CREATE FUNCTION triage_policy_hours(p sla_policies, o orgs) RETURNS text
    LANGUAGE sql STABLE
    RETURN CASE WHEN p.business_hours THEN o.business_hours END;

-- A paused clock (pending, on hold): when it stopped. Resuming moves the
-- due times on by the business minutes it stood still.
ALTER TABLE tickets ADD COLUMN paused_at timestamptz;
CREATE FUNCTION triage_resume(due timestamptz, paused timestamptz, org uuid,
    prio text) RETURNS timestamptz LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN due IS NULL OR paused IS NULL THEN due ELSE
	    (SELECT triage_bh_add(due, triage_bh_mins(paused, now(),
	    triage_policy_hours(p, o), o.time_zone),
	    triage_policy_hours(p, o), o.time_zone)
	    FROM orgs o LEFT JOIN sla_policies p ON p.org_id = o.id AND
	    p.priority = prio AND NOT p.deleted WHERE o.id = org) END;
$$;

-- SLA steps taken, each once per ticket (the primary key is the guard when
-- several servers share the database): fr50, fr75, fr_breach, res50,
-- res75, res_breach, level2.
CREATE TABLE sla_steps (
	ticket_id	uuid NOT NULL REFERENCES tickets,
	step		text NOT NULL,
	at		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (ticket_id, step)
);
-- Running clocks, for the escalation job.
CREATE INDEX tickets_running ON tickets (org_id, created_at)
    WHERE status IN ('new', 'open') AND NOT deleted;
-- Open work per agent, for auto-assignment's workload.
CREATE INDEX tickets_open_assignee ON tickets (assignee_id, priority)
    WHERE status IN ('new', 'open', 'pending', 'on_hold') AND NOT deleted;

-- Auto-assignment: rules in position order; a NULL condition matches
-- anything; the first match sends the ticket to a team (its least loaded
-- available agent) or a user.
CREATE TABLE assignment_rules (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	position	integer NOT NULL,
	category	text,
	channel		text,
	priority	text CHECK (priority IN ('low', 'normal', 'high',
			    'urgent')),
	tag		text,
	team_id		uuid REFERENCES teams,
	user_id		uuid REFERENCES users,
	CHECK (team_id IS NOT NULL OR user_id IS NOT NULL),
	UNIQUE (org_id, position)
);

-- Tickets waiting for the assignment job: new and unassigned, in an
-- organisation that has rules. Filled by a trigger, so every way a ticket
-- is made (a console, import, mail) is covered.
-- Bulk loads (triage admin seed, import) of past tickets set triage.quiet:
-- they queue nothing and notify no one.
CREATE FUNCTION triage_quiet() RETURNS boolean LANGUAGE sql STABLE
    RETURN coalesce(current_setting('triage.quiet', true), '') = 'on';

CREATE TABLE assign_queue (
	ticket_id	uuid PRIMARY KEY REFERENCES tickets,
	queued_at	timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION triage_assign_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.assignee_id IS NULL AND NEW.status = 'new' AND NOT NEW.deleted
	    AND NOT triage_quiet() AND EXISTS (SELECT 1 FROM assignment_rules
	    WHERE org_id = NEW.org_id) THEN
		INSERT INTO assign_queue(ticket_id) VALUES (NEW.id)
		    ON CONFLICT DO NOTHING;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER tickets_assign_queue AFTER INSERT ON tickets
    FOR EACH ROW EXECUTE FUNCTION triage_assign_queue();

-- Notifications, each for one user; a console fetches its own
-- (GET /v1/notifications) and marks them read (the mark_read mutation).
-- kind: assigned, customer_replied, mention, sla_reminder (50%),
-- sla_warning (75%, to the team lead), sla_breach and sla_level2 (to the
-- organisation's admins). detail: the SLA step or the message id.
CREATE TABLE notifications (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	user_id		uuid NOT NULL REFERENCES users,
	kind		text NOT NULL,
	ticket_id	uuid REFERENCES tickets,
	actor_id	uuid,
	detail		text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	read_at		timestamptz,
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false
);
CREATE INDEX notifications_user_rev ON notifications (user_id, rev);
CREATE TRIGGER notifications_rev BEFORE INSERT OR UPDATE ON notifications
    FOR EACH ROW EXECUTE FUNCTION triage_rev();

-- Who did it, for the triggers below: a transaction that acts for a user
-- sets triage.actor (SET LOCAL); none means the system (a job, import).
CREATE FUNCTION triage_actor() RETURNS uuid LANGUAGE sql STABLE
    RETURN nullif(current_setting('triage.actor', true), '')::uuid;

CREATE FUNCTION triage_notify(org uuid, who uuid, k text, ticket uuid,
    actor uuid, d text) RETURNS void LANGUAGE sql AS $$
	INSERT INTO notifications(id, org_id, user_id, kind, ticket_id,
	    actor_id, detail)
	SELECT gen_random_uuid(), org, who, k, ticket, actor, d
	WHERE who IS NOT NULL AND who IS DISTINCT FROM actor;
$$;

-- Assigned to you (by someone else, or by the assignment job).
CREATE FUNCTION triage_notify_assigned() RETURNS trigger LANGUAGE plpgsql
    AS $$
BEGIN
	IF NEW.assignee_id IS NOT NULL AND NOT NEW.deleted AND
	    NEW.assignee_id IS DISTINCT FROM OLD.assignee_id AND
	    NOT triage_quiet() THEN
		PERFORM triage_notify(NEW.org_id, NEW.assignee_id, 'assigned',
		    NEW.id, triage_actor(), NULL);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER tickets_notify_assigned AFTER UPDATE OF assignee_id
    ON tickets FOR EACH ROW EXECUTE FUNCTION triage_notify_assigned();

-- The customer replied on your ticket; @name in an internal note.
CREATE FUNCTION triage_notify_message() RETURNS trigger LANGUAGE plpgsql
    AS $$
DECLARE
	assignee uuid;
	names text[];
BEGIN
	IF triage_quiet() THEN
		RETURN NULL;
	END IF;
	IF NEW.author = 'customer' THEN
		SELECT assignee_id INTO assignee FROM tickets
		    WHERE id = NEW.ticket_id;
		PERFORM triage_notify(NEW.org_id, assignee,
		    'customer_replied', NEW.ticket_id, NULL, NEW.id::text);
	ELSIF NEW.internal AND strpos(NEW.body, '@') > 0 THEN
		names := ARRAY(SELECT DISTINCT rtrim(lower(m[1]), '.-') FROM
		    regexp_matches(NEW.body,
		    '(?:^|[^[:alnum:]_.@])@([[:alnum:]_][[:alnum:]_.-]*)', 'g')
		    AS m);
		PERFORM triage_notify(NEW.org_id, u.id, 'mention',
		    NEW.ticket_id, NEW.author_id, NEW.id::text)
		    FROM users u WHERE u.org_id = NEW.org_id AND u.active AND
		    NOT u.deleted AND (lower(split_part(u.email, '@', 1)) =
		    ANY(names) OR lower(split_part(u.name, ' ', 1)) =
		    ANY(names));
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER messages_notify AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION triage_notify_message();

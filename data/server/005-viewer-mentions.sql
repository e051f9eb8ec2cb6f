-- 005-viewer-mentions.sql: an internal note's @mention never notifies a
-- viewer: viewers do not see internal notes, and the notification would
-- tell them the note exists, who wrote it and on which ticket.
CREATE OR REPLACE FUNCTION triage_notify_message() RETURNS trigger LANGUAGE plpgsql
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
		    NOT u.deleted AND u.role <> 'viewer' AND (lower(split_part(u.email, '@', 1)) =
		    ANY(names) OR lower(split_part(u.name, ' ', 1)) =
		    ANY(names));
	END IF;
	RETURN NULL;
END
$$;
-- Mentions a viewer was told of before: gone. (A user made a viewer later
-- is not shown them either: GET /v1/notifications leaves them out.)
UPDATE notifications SET deleted = true
    WHERE kind = 'mention' AND NOT deleted
    AND user_id IN (SELECT id FROM users WHERE role = 'viewer');

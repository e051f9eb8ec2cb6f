-- 008-playbook.sql: replica schema version 8. The playbook (issue 6): the
-- macros and knowledge-base articles of the commit in use, each with its
-- path and that commit, searchable; and how the last fetch went. Local
-- to this replica: nothing here is synced.

CREATE TABLE playbook_state (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	commit_id	TEXT,		-- the copy indexed below, NULL: none
	synced_at	INTEGER,	-- ms, the last fetch that worked
	notice		TEXT		-- why the last fetch failed, or NULL
);
INSERT INTO playbook_state(id) VALUES (1);

CREATE TABLE macros (
	rid		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,	-- path under macros/, no .md
	path		TEXT NOT NULL,
	title		TEXT NOT NULL,
	tags		TEXT NOT NULL DEFAULT '',
	actions		TEXT NOT NULL DEFAULT '[]',	-- [["status", "pending"]]
	body		TEXT NOT NULL,
	commit_id	TEXT NOT NULL
);
CREATE VIRTUAL TABLE macros_fts USING fts5(title, tags, body,
    content='macros', content_rowid='rid',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3');

CREATE TABLE kb_articles (
	rid		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,	-- path under kb/, no .md
	path		TEXT NOT NULL,
	title		TEXT NOT NULL,
	tags		TEXT NOT NULL DEFAULT '',
	body		TEXT NOT NULL,
	commit_id	TEXT NOT NULL
);
CREATE VIRTUAL TABLE kb_fts USING fts5(title, tags, body,
    content='kb_articles', content_rowid='rid',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3');

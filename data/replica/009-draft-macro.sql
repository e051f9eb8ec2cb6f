-- 009-draft-macro.sql: a draft remembers the playbook commit of a macro
-- inserted into it, so the reply sent later records it (issue 6).
ALTER TABLE drafts ADD COLUMN macro_commit TEXT;

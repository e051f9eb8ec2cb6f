/* gen-text.c: the demo generator's words: messages, names, addresses. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gen-int.h"

/* One template from data/demo/templates.txt, parsed. */
struct gen_tmpl {
	signed char	 lang;
	signed char	 cat;		/* -1: every category */
	signed char	 kind;
	uint8_t		 sits;		/* bit per situation */
	char		*text;
	size_t		 len;
	uint32_t	 mask;		/* the values it names */
};

/* The names templates use for enum gen_var, in its order. */
static const char *const gen_var_names[GEN_V_COUNT] = {
	"first", "name", "email", "phone", "company", "city", "agent",
	"agent_name", "colleague", "org", "ticket", "order", "date", "dnum",
	"days", "product", "sku", "qty", "amount", "carrier", "tracking",
	"ref", "last4", "invoice", "topic"
};

static const char *const gen_cat_names[GEN_CAT_COUNT] = {
	"refund", "shipping", "damaged", "invoice", "account", "product"
};

static const char *const gen_cat_topics[GEN_CAT_COUNT] = {
	"Returns & refunds", "Delivery", "Damaged or faulty item",
	"Invoices & payment", "My account", "Product question"
};

#define GEN_NKEYS	(GEN_LANG_COUNT * GEN_CAT_COUNT * GEN_SIT_COUNT * \
			    GEN_K_COUNT)
#define GEN_KEY(l, c, s, k) \
	((((l) * GEN_CAT_COUNT + (c)) * GEN_SIT_COUNT + (s)) * GEN_K_COUNT + \
	    (k))

/* The templates indexed by language, category, situation and kind. */
struct gen_textdb {
	struct gen_tmpl	*t;
	size_t		 n;
	uint32_t	 off[GEN_NKEYS + 1];
	uint16_t	*idx;
};

static const char *const gen_lang_names[GEN_LANG_COUNT] = {
	"en", "de", "fr", "es"
};

/* Situation names per category, in the order of the GEN_* numbers. */
static const char *const gen_sit_names[GEN_CAT_COUNT][GEN_SIT_COUNT] = {
	{ "return", "cancel", "wrong" },
	{ "late", "transit", "lost", "unshipped", "notreceived" },
	{ "broken", "faulty", "missing" },
	{ "copy", "double", "details" },
	{ "password", "2fa", "email", "delete", "locked" },
	{ "size", "compat", "stock", "care" }
};

static const char *const gen_kind_names[GEN_K_COUNT] = {
	"subject", "open", "chase", "reply", "thanks", "first", "update", "ask",
	"hold", "solve", "note", "greet-c", "close-c", "extra-c", "greet-a",
	"close-a", "extra-a", "lang-a", "attach", "mobile"
};

/* The category's name as stored in tickets.category. */
const char *
gen_cat_name(int cat)
{
	return (gen_cat_names[cat]);
}

/* The category as a contact form's topic. */
const char *
gen_cat_topic(int cat)
{
	return (gen_cat_topics[cat]);
}

/* Look a value's name up; -1 if unknown. */
static int
gen_var_find(const char *s, size_t n)
{
	int	 i;

	for (i = 0; i < GEN_V_COUNT; i++) {
		if (strncmp(gen_var_names[i], s, n) == 0 &&
		    gen_var_names[i][n] == '\0')
			return (i);
	}
	return (-1);
}

/* The values a template names anywhere, as a bit mask. */
static uint32_t
gen_tmpl_mask(const char *s)
{
	const char	*p, *q;
	uint32_t	 mask = 0;
	int		 v;

	for (p = s; (p = strchr(p, '{')) != NULL; p++) {
		for (q = p + 1; (*q >= 'a' && *q <= 'z') || *q == '_' ||
		    (*q >= '0' && *q <= '9'); q++)
			;
		if (*q != '}' || q == p + 1)
			continue;
		if ((v = gen_var_find(p + 1, (size_t)(q - p - 1))) == -1)
			fatalx("gen: template names unknown value: %s", s);
		mask |= 1U << v;
	}
	return (mask);
}

/* Does template t apply to this language, category, situation and kind? */
static int
gen_tmpl_matches(const struct gen_tmpl *t, int l, int c, int s, int k)
{
	return (t->lang == l && t->kind == k &&
	    (t->cat == -1 || t->cat == c) && (t->sits & (1U << s)) != 0);
}

/* The position of word in a list of n names; -1 if absent. */
static int
gen_name_find(const char *const *names, int n, const char *word)
{
	int	 i;

	for (i = 0; i < n; i++) {
		if (names[i] != NULL && strcmp(names[i], word) == 0)
			return (i);
	}
	return (-1);
}

/*
 * Parse a template's head, "lang category situation kind", into t; the
 * situation may be "*" or a comma-separated list. The templates are
 * compiled in, so a malformed one is a broken invariant.
 */
static void
gen_tmpl_head(struct gen_tmpl *t, const char *line, size_t n)
{
	char	 w[4][64], *sit, *next;
	size_t	 i, j, len;
	int	 k;

	for (i = 0, j = 0; i < 4; i++) {
		while (j < n && line[j] == ' ')
			j++;
		for (len = 0; j < n && line[j] != ' '; j++) {
			if (len + 1 < sizeof w[i])
				w[i][len++] = line[j];
		}
		w[i][len] = '\0';
	}
	t->lang = (signed char)gen_name_find(gen_lang_names, GEN_LANG_COUNT,
	    w[0]);
	t->cat = strcmp(w[1], "*") == 0 ? -1 : (signed char)gen_name_find(
	    gen_cat_names, GEN_CAT_COUNT, w[1]);
	t->kind = (signed char)gen_name_find(gen_kind_names, GEN_K_COUNT, w[3]);
	if (t->lang < 0 || t->kind < 0 ||
	    (t->cat < 0 && strcmp(w[1], "*") != 0))
		fatalx("gen: bad template head: %.*s", (int)n, line);
	if (strcmp(w[2], "*") == 0) {
		t->sits = 0xff;
		return;
	}
	t->sits = 0;
	for (sit = w[2]; sit != NULL; sit = next) {
		if ((next = strchr(sit, ',')) != NULL)
			*next++ = '\0';
		k = t->cat < 0 ? -1 : gen_name_find(gen_sit_names[t->cat],
		    GEN_SIT_COUNT, sit);
		if (k < 0)
			fatalx("gen: bad template situation: %.*s", (int)n,
			    line);
		t->sits |= 1U << k;
	}
}

/* Finish the template being read: line breaks, length and values named. */
static void
gen_tmpl_finish(struct gen_tmpl *t, struct buf *text)
{
	char	*p, *q;

	t->text = xstrdup(buf_cstr(text));
	for (p = q = t->text; *p != '\0'; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			*q++ = '\n';
			p++;
		} else
			*q++ = *p;
	}
	*q = '\0';
	t->len = (size_t)(q - t->text);
	t->mask = gen_tmpl_mask(t->text);
	buf_reset(text);
}

/* Read the templates from the compiled-in data/demo/templates.txt. */
static void
gen_textdb_parse(struct gen_textdb *db)
{
	struct buf	 text = BUF_INIT;
	const char	*line, *colon;
	size_t		 i;

	db->t = xreallocarray(NULL, demo_words_templates_n + 1,
	    sizeof *db->t);
	db->n = 0;
	for (i = 0; i < demo_words_templates_n; i++) {
		line = demo_words_templates[i];
		if (*line == ' ' || *line == '\t') {
			if (db->n == 0)
				fatalx("gen: template continues nothing");
			while (*line == ' ' || *line == '\t')
				line++;
			buf_putc(&text, ' ');
			buf_puts(&text, line);
			continue;
		}
		if (db->n != 0)
			gen_tmpl_finish(&db->t[db->n - 1], &text);
		if ((colon = strchr(line, ':')) == NULL)
			fatalx("gen: template without a head: %s", line);
		gen_tmpl_head(&db->t[db->n], line, (size_t)(colon - line));
		line = colon + 1;
		while (*line == ' ')
			line++;
		buf_puts(&text, line);
		db->n++;
	}
	if (db->n != 0)
		gen_tmpl_finish(&db->t[db->n - 1], &text);
	buf_free(&text);
	if (db->n > UINT16_MAX)
		fatalx("gen: too many templates");
}

/* Read and index the templates. */
struct gen_textdb *
gen_textdb_new(void)
{
	struct gen_textdb	*db;
	size_t			 i, n;
	int			 key, l, c, s, k, pass;

	db = xcalloc(1, sizeof *db);
	gen_textdb_parse(db);
	for (pass = 0; pass < 2; pass++) {
		n = 0;
		for (key = 0; key < GEN_NKEYS; key++) {
			k = key % GEN_K_COUNT;
			s = (key / GEN_K_COUNT) % GEN_SIT_COUNT;
			c = (key / (GEN_K_COUNT * GEN_SIT_COUNT)) %
			    GEN_CAT_COUNT;
			l = key / (GEN_K_COUNT * GEN_SIT_COUNT * GEN_CAT_COUNT);
			db->off[key] = (uint32_t)n;
			for (i = 0; i < db->n; i++) {
				if (!gen_tmpl_matches(&db->t[i], l, c, s, k))
					continue;
				if (pass == 1)
					db->idx[n] = (uint16_t)i;
				n++;
			}
		}
		db->off[GEN_NKEYS] = (uint32_t)n;
		if (pass == 0)
			db->idx = xreallocarray(NULL, n + 1, sizeof *db->idx);
	}
	return (db);
}

/* Free the index. */
void
gen_textdb_free(struct gen_textdb *db)
{
	size_t	 i;

	if (db == NULL)
		return;
	for (i = 0; i < db->n; i++)
		free(db->t[i].text);
	free(db->t);
	free(db->idx);
	free(db);
}

/* The values a message has, as a bit mask. */
static uint32_t
gen_have(const struct gen_text *t)
{
	uint32_t	 have = 0;
	int		 i;

	for (i = 0; i < GEN_V_COUNT; i++) {
		if (t->v[i] != NULL)
			have |= 1U << i;
	}
	return (have);
}

/* A template from one key's list whose values are all known; -1: none. */
static int
gen_pick_in(const struct gen_textdb *db, struct rng *r, int key,
    uint32_t have)
{
	uint32_t	 lo = db->off[key], n = db->off[key + 1] - lo, j, start;
	int		 try, i;

	if (n == 0)
		return (-1);
	for (try = 0; try < 4; try++) {
		i = db->idx[lo + rng_below(r, n)];
		if ((db->t[i].mask & ~have) == 0)
			return (i);
	}
	start = rng_below(r, n);
	for (j = 0; j < n; j++) {
		i = db->idx[lo + (start + j) % n];
		if ((db->t[i].mask & ~have) == 0)
			return (i);
	}
	return (-1);
}

/* Pick a template in the customer's language, else in English. */
static int
gen_pick(const struct gen_textdb *db, struct rng *r, const struct gen_text *t,
    int kind, uint32_t have)
{
	int	 i, sit;

	sit = t->sit >= 0 && t->sit < GEN_SIT_COUNT ? t->sit : 0;
	i = gen_pick_in(db, r, GEN_KEY(t->lang, t->cat, sit, kind), have);
	if (i == -1 && t->lang != GEN_LANG_EN)
		i = gen_pick_in(db, r, GEN_KEY(GEN_LANG_EN, t->cat, sit, kind),
		    have);
	return (i);
}

/* Append a value; an unknown one appears as written, so tests catch it. */
static void
gen_expand_var(const struct gen_text *t, const char *s, const char *e,
    struct buf *b)
{
	int	 v;

	v = gen_var_find(s, (size_t)(e - s));
	if (v != -1 && t->v[v] != NULL) {
		buf_puts(b, t->v[v]);
		return;
	}
	buf_putc(b, '{');
	buf_append(b, s, (size_t)(e - s));
	buf_putc(b, '}');
}

/* Expand the template text between s and e into b. */
static void
gen_expand(const struct gen_text *t, struct rng *r, const char *s,
    const char *e, struct buf *b)
{
	const char	*p, *q, *alt[16], *ae;
	int		 depth, nalt, k;

	p = s;
	while (p < e) {
		q = memchr(p, '{', (size_t)(e - p));
		if (q == NULL) {
			buf_append(b, p, (size_t)(e - p));
			return;
		}
		if (q > p)
			buf_append(b, p, (size_t)(q - p));
		nalt = 0;
		alt[nalt++] = q + 1;
		depth = 0;
		for (p = q + 1; p < e; p++) {
			if (*p == '{')
				depth++;
			else if (*p == '}') {
				if (depth == 0)
					break;
				depth--;
			} else if (*p == '|' && depth == 0 &&
			    nalt < (int)nitems(alt))
				alt[nalt++] = p + 1;
		}
		if (nalt == 1)
			gen_expand_var(t, q + 1, p, b);
		else {
			k = (int)rng_below(r, (uint32_t)nalt);
			ae = k + 1 < nalt ? alt[k + 1] - 1 : p;
			gen_expand(t, r, alt[k], ae, b);
		}
		if (p < e)
			p++;
	}
}

/* Append one part of a message of the given kind; 0 if none fitted. */
static int
gen_part(const struct gen_textdb *db, struct rng *r, const struct gen_text *t,
    int kind, uint32_t have, struct buf *b)
{
	int	 i;

	if ((i = gen_pick(db, r, t, kind, have)) == -1)
		return (0);
	gen_expand(t, r, db->t[i].text, db->t[i].text + db->t[i].len, b);
	return (1);
}

/* Append a paragraph break and one part, unless none fits. */
static void
gen_para(const struct gen_textdb *db, struct rng *r, const struct gen_text *t,
    int kind, uint32_t have, struct buf *b)
{
	size_t	 mark = b->len;

	if (b->len != 0)
		buf_append(b, "\n\n", 2);
	if (!gen_part(db, r, t, kind, have, b))
		buf_truncate(b, mark);
}

/* Is there a template of this kind in this language for the situation? */
int
gen_text_has(const struct gen_textdb *db, int lang, int cat, int sit, int kind)
{
	int	 key = GEN_KEY(lang, cat, sit, kind);

	return (db->off[key + 1] > db->off[key]);
}

/* A ticket's subject line. */
void
gen_text_subject(const struct gen_textdb *db, struct rng *r,
    const struct gen_text *t, struct buf *b)
{
	uint32_t	 have = gen_have(t);

	if (t->channel == GEN_CH_CHAT && t->v[GEN_V_NAME] != NULL &&
	    rng_chance(r, 0.35)) {
		buf_puts(b, "Chat with ");
		buf_puts(b, t->v[GEN_V_NAME]);
		return;
	}
	if (t->channel == GEN_CH_PHONE && t->v[GEN_V_PHONE] != NULL &&
	    rng_chance(r, 0.3)) {
		buf_puts(b, "Call from ");
		buf_puts(b, t->v[GEN_V_PHONE]);
		return;
	}
	if (t->urgent && t->lang == GEN_LANG_EN && rng_chance(r, 0.3))
		buf_puts(b, rng_chance(r, 0.5) ? "URGENT: " : "Urgent – ");
	if (!gen_part(db, r, t, GEN_K_SUBJECT, have, b))
		buf_puts(b, gen_cat_topic(t->cat));
}

/* Expand template i into b. */
static void
gen_emit(const struct gen_textdb *db, struct rng *r, const struct gen_text *t,
    int i, struct buf *b)
{
	gen_expand(t, r, db->t[i].text, db->t[i].text + db->t[i].len, b);
}

/* Upper-case the first ASCII letter from offset at (after "¿" or "«"). */
static void
gen_capitalise(struct buf *b, size_t at)
{
	size_t	 i;

	for (i = at; i < b->len && i < at + 4; i++) {
		if (b->data[i] >= 'a' && b->data[i] <= 'z') {
			b->data[i] = (char)(b->data[i] - 'a' + 'A');
			return;
		}
		if (b->data[i] >= 'A' && b->data[i] <= 'Z')
			return;
	}
}

/* In a chat, the line that goes with an attachment follows on. */
static void
gen_chat_attach(const struct gen_textdb *db, struct rng *r,
    const struct gen_text *t, uint32_t have, struct buf *b)
{
	if (t->attach) {
		buf_putc(b, ' ');
		gen_part(db, r, t, GEN_K_ATTACH, have, b);
	}
}

/* The greeting that runs on into a first message in another language. */
static const char *const gen_hello[GEN_LANG_COUNT] = {
	"Hi, ", "Hallo, ", "Bonjour, ", "Hola, "
};

/* A customer's first message through chat, phone or the contact form. */
static void
gen_body_open_other(const struct gen_textdb *db, struct rng *r,
    const struct gen_text *t, int i, struct buf *b)
{
	int	 lower = db->t[i].lang != GEN_LANG_EN;

	if (t->channel == GEN_CH_CHAT) {
		if (lower || rng_chance(r, 0.5))
			buf_puts(b, gen_hello[t->lang]);
		gen_emit(db, r, t, i, b);
		gen_chat_attach(db, r, t, gen_have(t), b);
		return;
	}
	if (t->channel == GEN_CH_PHONE) {
		buf_printf(b, "Voicemail transcript (0:%02u):\n\n",
		    15 + rng_below(r, 45));
		if (lower)
			buf_puts(b, gen_hello[t->lang]);
		gen_emit(db, r, t, i, b);
		if (t->v[GEN_V_PHONE] != NULL) {
			buf_puts(b, "\n\nPlease call me back on ");
			buf_puts(b, t->v[GEN_V_PHONE]);
			buf_putc(b, '.');
		}
		return;
	}
	buf_puts(b, "Submitted via the contact form\n\nName: ");
	buf_puts(b, t->v[GEN_V_NAME] != NULL ? t->v[GEN_V_NAME] : "");
	buf_puts(b, "\nEmail: ");
	buf_puts(b, t->v[GEN_V_EMAIL] != NULL ? t->v[GEN_V_EMAIL] : "");
	if (t->v[GEN_V_ORDER] != NULL) {
		buf_puts(b, "\nOrder number: ");
		buf_puts(b, t->v[GEN_V_ORDER]);
	}
	buf_puts(b, "\nTopic: ");
	buf_puts(b, gen_cat_topic(t->cat));
	buf_puts(b, "\n\nMessage:\n");
	if (lower)
		buf_puts(b, gen_hello[t->lang]);
	gen_emit(db, r, t, i, b);
}

/*
 * The body of a message written by the customer. The rest of the message
 * follows the language of its main template, which falls back to English.
 */
static void
gen_body_customer(const struct gen_textdb *db, struct rng *r,
    const struct gen_text *t0, int kind, uint32_t have, struct buf *b)
{
	struct gen_text	 tl;
	const struct gen_text *t = t0;
	size_t		 at;
	int		 i, lower;

	if ((i = gen_pick(db, r, t0, kind, have)) == -1)
		return;
	if (db->t[i].lang != t0->lang) {
		tl = *t0;
		tl.lang = db->t[i].lang;
		t = &tl;
	}
	lower = kind == GEN_K_OPEN && t->lang != GEN_LANG_EN;
	if (kind == GEN_K_OPEN && t->channel != GEN_CH_EMAIL) {
		gen_body_open_other(db, r, t, i, b);
		return;
	}
	if (t->channel == GEN_CH_CHAT) {
		gen_emit(db, r, t, i, b);
		gen_chat_attach(db, r, t, have, b);
		return;
	}

	/* An email. */
	if (lower || rng_chance(r, kind == GEN_K_OPEN ? 0.8 : 0.4))
		gen_part(db, r, t, GEN_K_GREET_C, have, b);
	if (b->len != 0)
		buf_append(b, "\n\n", 2);
	at = b->len;
	gen_emit(db, r, t, i, b);
	if (lower && (t->lang != GEN_LANG_DE || at == 0))
		gen_capitalise(b, at);	/* German goes on in lower case */
	if (t->urgent && kind == GEN_K_OPEN && t->lang == GEN_LANG_EN &&
	    rng_chance(r, 0.5)) {
		buf_puts(b, rng_chance(r, 0.5) ?
		    "\n\nThis is urgent, please." :
		    "\n\nI need this sorted as soon as possible.");
	} else if (kind == GEN_K_OPEN && rng_chance(r, 0.3))
		gen_para(db, r, t, GEN_K_EXTRA_C, have, b);
	if (t->attach)
		gen_para(db, r, t, GEN_K_ATTACH, have, b);
	if (kind != GEN_K_CHASE || rng_chance(r, 0.5)) {
		gen_para(db, r, t, GEN_K_CLOSE_C, have, b);
		if (t->v[GEN_V_COMPANY] != NULL && rng_chance(r, 0.6)) {
			buf_putc(b, '\n');
			buf_puts(b, t->v[GEN_V_COMPANY]);
		}
	}
	if (rng_chance(r, 0.06))
		gen_para(db, r, t, GEN_K_MOBILE, have, b);
}

/* The body of a message written by an agent. */
static void
gen_body_agent(const struct gen_textdb *db, struct rng *r,
    const struct gen_text *t, int kind, uint32_t have, struct buf *b)
{
	if (kind == GEN_K_NOTE) {
		gen_part(db, r, t, kind, have, b);
		return;
	}
	if (t->channel == GEN_CH_CHAT) {
		if (t->v[GEN_V_FIRST] != NULL) {
			buf_puts(b, rng_chance(r, 0.5) ? "Hi " : "Thanks, ");
			buf_puts(b, t->v[GEN_V_FIRST]);
			buf_puts(b, rng_chance(r, 0.5) ? "! " : ". ");
		}
		gen_part(db, r, t, kind, have, b);
		gen_chat_attach(db, r, t, have, b);
		return;
	}
	gen_part(db, r, t, GEN_K_GREET_A, have, b);
	if (t->first_reply && t->lang != GEN_LANG_EN)
		gen_para(db, r, t, GEN_K_LANG_A, have, b);
	if (t->first_reply && kind == GEN_K_SOLVE && t->cat == GEN_CAT_PRODUCT)
		gen_para(db, r, t, GEN_K_FIRST, have, b);
	gen_para(db, r, t, kind, have, b);
	if (t->attach)
		gen_para(db, r, t, GEN_K_ATTACH, have, b);
	if (rng_chance(r, 0.35))
		gen_para(db, r, t, GEN_K_EXTRA_A, have, b);
	gen_para(db, r, t, GEN_K_CLOSE_A, have, b);
}

/* A message body of the given kind, appended to b. */
void
gen_text_body(const struct gen_textdb *db, struct rng *r,
    const struct gen_text *t, int kind, struct buf *b)
{
	uint32_t	 have = gen_have(t);

	if (kind >= GEN_K_OPEN && kind <= GEN_K_THANKS)
		gen_body_customer(db, r, t, kind, have, b);
	else
		gen_body_agent(db, r, t, kind, have, b);
}

/* Latin letters with marks, and what an email address spells them as. */
static const struct {
	uint32_t	 cp;
	const char	*ascii;
} gen_translit[] = {
	{ 0xdf, "ss" }, { 0xe0, "a" }, { 0xe1, "a" }, { 0xe2, "a" },
	{ 0xe3, "a" }, { 0xe4, "a" }, { 0xe5, "a" }, { 0xe6, "ae" },
	{ 0xe7, "c" }, { 0xe8, "e" }, { 0xe9, "e" }, { 0xea, "e" },
	{ 0xeb, "e" }, { 0xec, "i" }, { 0xed, "i" }, { 0xee, "i" },
	{ 0xef, "i" }, { 0xf0, "d" }, { 0xf1, "n" }, { 0xf2, "o" },
	{ 0xf3, "o" }, { 0xf4, "o" }, { 0xf5, "o" }, { 0xf6, "o" },
	{ 0xf8, "o" }, { 0xf9, "u" }, { 0xfa, "u" }, { 0xfb, "u" },
	{ 0xfc, "u" }, { 0xfd, "y" }, { 0xfe, "th" }, { 0xff, "y" },
	{ 0x105, "a" }, { 0x107, "c" }, { 0x10d, "c" }, { 0x119, "e" },
	{ 0x11b, "e" }, { 0x11f, "g" }, { 0x131, "i" }, { 0x142, "l" },
	{ 0x144, "n" }, { 0x148, "n" }, { 0x151, "o" }, { 0x159, "r" },
	{ 0x15b, "s" }, { 0x15f, "s" }, { 0x161, "s" }, { 0x16f, "u" },
	{ 0x171, "u" }, { 0x17a, "z" }, { 0x17c, "z" }, { 0x17e, "z" },
};

/* The lower-case form of a Basic Latin, Latin-1 or Latin Extended-A letter. */
static uint32_t
gen_lower(uint32_t cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return (cp + ('a' - 'A'));
	if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7)
		return (cp + 0x20);
	if (((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14a && cp <= 0x177)) &&
	    (cp & 1) == 0)
		return (cp + 1);
	if (((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e)) &&
	    (cp & 1) == 1)
		return (cp + 1);
	if (cp == 0x130)
		return ('i');
	return (cp);
}

/* Append s as lower-case ASCII letters, digits and hyphens, for addresses. */
void
gen_text_ascii(struct buf *b, const char *s)
{
	size_t		 n = strlen(s), i = 0, j;
	uint32_t	 cp;
	int		 used;

	while (i < n) {
		used = utf8_decode(s + i, n - i, &cp);
		i += (size_t)used;
		cp = gen_lower(cp);
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
		    cp == '-') {
			buf_putc(b, (int)cp);
			continue;
		}
		for (j = 0; j < nitems(gen_translit); j++) {
			if (gen_translit[j].cp == cp) {
				buf_puts(b, gen_translit[j].ascii);
				break;
			}
		}
	}
}

/* One entry of a word list. */
static const char *
gen_word(struct rng *r, const char *const *list, size_t n)
{
	return (list[rng_below(r, (uint32_t)n)]);
}

/*
 * A person: full name, the name to greet them by and an email local part.
 * With plain the local part is always first.last (staff addresses).
 * Local parts follow one of these patterns: f and l are the first and
 * last name in ASCII, i the first initial, 9 a digit, Y a birth year.
 */
static const char *const gen_local_parts[] = {
	"f.l", "f.l", "f.l", "f.l", "fl", "i.l", "l.f", "f_l99", "fY", "fY"
};

void
gen_text_person(struct rng *r, int plain, struct buf *name, struct buf *first,
    struct buf *local)
{
	const char	*f, *l, *bar, *p;
	char		 num[24];

	buf_reset(name);
	buf_reset(first);
	buf_reset(local);
	if (!plain && rng_chance(r, 0.02)) {
		f = gen_word(r, demo_words_cjk_names, demo_words_cjk_names_n);
		if ((bar = strchr(f, '|')) == NULL)
			bar = f + strlen(f);
		buf_append(name, f, (size_t)(bar - f));
		buf_append(first, f, (size_t)(bar - f));
		gen_text_ascii(local, *bar == '|' ? bar + 1 : f);
		if (rng_chance(r, 0.5)) {
			gen_text_uint(num, 10 + rng_below(r, 90));
			buf_puts(local, num);
		}
		return;
	}
	f = gen_word(r, demo_words_first_names, demo_words_first_names_n);
	l = gen_word(r, demo_words_last_names, demo_words_last_names_n);
	buf_puts(name, f);
	buf_putc(name, ' ');
	buf_puts(name, l);
	buf_puts(first, f);
	p = plain ? "f.l" : gen_local_parts[rng_below(r,
	    nitems(gen_local_parts))];
	for (; *p != '\0'; p++) {
		if (*p == 'f' || *p == 'l')
			gen_text_ascii(local, *p == 'f' ? f : l);
		else if (*p == 'i') {
			gen_text_ascii(local, f);
			buf_truncate(local, 1);
		} else if (*p == '9')
			buf_putc(local, '0' + (int)rng_below(r, 10));
		else if (*p == 'Y') {
			gen_text_uint(num, 1950 + rng_below(r, 56));
			buf_puts(local, num);
		} else
			buf_putc(local, *p);
	}
}

/*
 * Carriers and the shape of their tracking numbers, one pattern picked at
 * random: 9 is a digit, A a letter, X a letter or digit, S a UPU S10
 * number (two letters, eight digits, check digit, country); anything else
 * stands for itself.
 */
static const struct {
	const char	*name;
	const char	*pattern[2];
} gen_carriers[] = {
	{ "DHL", { "999999999999", "JJD999999999999999999" } },
	{ "UPS", { "1ZXXXXXX0999999999", "1ZXXXXXX6999999999" } },
	{ "DPD", { "09999999999999", NULL } },
	{ "GLS", { "99999999999", NULL } },
	{ "FedEx", { "999999999999", NULL } },
	{ "Royal Mail", { "S", NULL } },
	{ "PostNL", { "3SAAAA999999999", NULL } },
	{ "Colissimo", { "6A99999999999", NULL } },
	{ "Correos", { "S", NULL } },
	{ "PostNord", { "S", NULL } },
	{ "InPost", { "999999999999999999999999", NULL } },
	{ "USPS", { "9400999999999999999999", NULL } },
	{ "Hermes", { "9999999999999999", NULL } },
};
#define CAR_COUNT	((int)nitems(gen_carriers))

/* Split a copy of line at '|' into n fields; the copy is returned. */
static char *
gen_fields(const char *line, char **f, int n, const char *what)
{
	char	*copy = xstrdup(line), *p = copy;
	int	 i;

	for (i = 0; i < n; i++) {
		f[i] = p;
		if ((p = strchr(p, '|')) == NULL && i != n - 1)
			fatalx("gen: bad %s line: %s", what, line);
		if (p != NULL)
			*p++ = '\0';
	}
	return (copy);
}

/* A money amount "12.90" in cents (or thousandths with scale 1000). */
static int64_t
gen_decimal(const char *s, int scale)
{
	int64_t	 v = 0, frac = 0;
	int	 digits = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9' && digits < 3; s++, digits++)
			frac = frac * 10 + (*s - '0');
	}
	for (; digits < 3; digits++)
		frac *= 10;
	return (v * scale + frac * scale / 1000);
}

/* Read a country line (see data/demo/countries.txt). */
static void
gen_country_parse(struct gen_country *c, const char *line)
{
	static const char *const langs[] = { "en", "de", "fr", "es" };
	char	*f[8], *name, *next;
	int	 i, k;

	c->line = gen_fields(line, f, 8, "country");
	c->cc = f[0];
	c->dial = f[1];
	c->mobile = f[2];
	c->digits = atoi(f[3]);
	c->currency = f[4];
	c->rate = (int)gen_decimal(f[5], 1000);
	c->lang = GEN_LANG_EN;
	for (i = 0; i < (int)nitems(langs); i++) {
		if (strcmp(f[6], langs[i]) == 0)
			c->lang = i;
	}
	k = 0;
	for (name = f[7]; name != NULL && k < 5; name = next) {
		if ((next = strchr(name, ',')) != NULL)
			*next++ = '\0';
		for (i = 0; i < CAR_COUNT; i++) {
			if (strcmp(gen_carriers[i].name, name) == 0)
				break;
		}
		if (i == CAR_COUNT)
			fatalx("gen: unknown carrier: %s", name);
		c->carriers[k++] = (signed char)i;
	}
	c->carriers[k] = -1;
	if (k == 0 || c->digits <= 0 || c->rate <= 0)
		fatalx("gen: bad country line: %s", line);
}

/* The country with this ISO code; the first one if unknown. */
static const struct gen_country *
gen_country_find(struct gen *g, const char *cc)
{
	size_t	 i;

	for (i = 0; i < g->ncountries; i++) {
		if (strcmp(g->countries[i].cc, cc) == 0)
			return (&g->countries[i]);
	}
	return (&g->countries[0]);
}

/* A carrier for a parcel to this country: the first ones are the usual. */
int
gen_country_carrier(struct rng *r, const struct gen_country *c)
{
	static const double	 share[] = { 0.5, 0.5, 0.6, 0.6, 1.0 };
	int			 i;

	for (i = 0; c->carriers[i + 1] != -1 && i < 4; i++) {
		if (rng_chance(r, share[i]))
			break;
	}
	return (c->carriers[i]);
}

/* The carrier's name. */
const char *
gen_carrier_name(int carrier)
{
	if (carrier < 0 || carrier >= CAR_COUNT)
		return ("?");
	return (gen_carriers[carrier].name);
}

/* Append n random decimal digits. */
static void
gen_digits(struct rng *r, struct buf *b, int n)
{
	char	 d[32];
	int	 i;

	if (n > (int)sizeof d)
		n = sizeof d;
	for (i = 0; i < n; i++)
		d[i] = (char)('0' + rng_below(r, 10));
	buf_append(b, d, (size_t)n);
}

/* A mobile number in E.164 form for this country. */
void
gen_text_phone(struct rng *r, const struct gen_country *c, struct buf *b)
{
	const char	*p = c->mobile, *q;
	uint32_t	 n = 1, k;

	for (q = p; *q != '\0'; q++)
		n += *q == ',';
	for (k = rng_below(r, n); k > 0; k--)
		p = strchr(p, ',') + 1;
	q = strchr(p, ',');
	buf_putc(b, '+');
	buf_puts(b, c->dial);
	buf_append(b, p, q != NULL ? (size_t)(q - p) : strlen(p));
	gen_digits(r, b, c->digits);
}

/* A UPU S10 item number (two letters, 8 digits, check digit, country). */
static void
gen_s10(struct rng *r, const char *cc, struct buf *b)
{
	static const int	 w[8] = { 8, 6, 4, 2, 3, 5, 9, 7 };
	size_t			 at;
	int			 i, sum = 0, check;

	buf_putc(b, 'A' + (int)rng_below(r, 26));
	buf_putc(b, 'A' + (int)rng_below(r, 26));
	at = b->len;
	gen_digits(r, b, 8);
	for (i = 0; i < 8; i++)
		sum += (b->data[at + i] - '0') * w[i];
	check = 11 - sum % 11;
	buf_putc(b, '0' + (check == 10 ? 0 : check == 11 ? 5 : check));
	buf_puts(b, cc);
}

/* A tracking number in the carrier's own format. */
void
gen_text_tracking(struct rng *r, int carrier, const char *cc, struct buf *b)
{
	static const char	 alnum[] = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
	const char *const	*pat = gen_carriers[carrier].pattern;
	const char		*p;

	p = pat[1] != NULL && rng_chance(r, 0.4) ? pat[1] : pat[0];
	for (; *p != '\0'; p++) {
		if (*p == '9')
			buf_putc(b, '0' + (int)rng_below(r, 10));
		else if (*p == 'A')
			buf_putc(b, alnum[rng_below(r, 23)]);
		else if (*p == 'X')
			buf_putc(b, alnum[rng_below(r, sizeof alnum - 1)]);
		else if (*p == 'S')
			gen_s10(r, strcmp(gen_carriers[carrier].name,
			    "Royal Mail") == 0 ? "GB" : cc, b);
		else
			buf_putc(b, *p);
	}
}

/* A catalogue price in EUR cents converted to this country's currency. */
int64_t
gen_price_in(int64_t eur, const struct gen_country *c)
{
	int64_t	 units;

	if (c->rate == 1000)
		return (eur);
	units = (eur * c->rate / 1000 + 50) / 100;
	if (c->rate >= 3000) {
		/* Kronor, złoty, koruny: whole amounts ending in 9. */
		units = (units + 5) / 10 * 10 - 1;
		return ((units < 9 ? 9 : units) * 100);
	}
	return (units < 1 ? 90 : units * 100 - 10);
}

/* Decimal digits of v into out (which must hold 21 bytes); the length. */
size_t
gen_text_uint(char *out, uint64_t v)
{
	char	 tmp[21];
	size_t	 n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return (n);
}

/* An amount of money as a customer would write it: "€49.90", "SEK 549.00". */
void
gen_text_money(struct buf *b, int64_t cents, const char *currency)
{
	char	 num[24];

	if (cents < 0) {
		buf_putc(b, '-');
		cents = -cents;
	}
	if (strcmp(currency, "EUR") == 0)
		buf_puts(b, "€");
	else if (strcmp(currency, "GBP") == 0)
		buf_puts(b, "£");
	else if (strcmp(currency, "USD") == 0)
		buf_puts(b, "$");
	else {
		buf_puts(b, currency);
		buf_putc(b, ' ');
	}
	gen_text_uint(num, (uint64_t)(cents / 100));
	buf_puts(b, num);
	buf_putc(b, '.');
	buf_putc(b, '0' + (int)(cents % 100 / 10));
	buf_putc(b, '0' + (int)(cents % 10));
}

/*
 * A day as text: numeric is "12.03.2025", otherwise "12 March".
 * Civil-from-days after Howard Hinnant's algorithm.
 */
void
gen_text_date(char *out, size_t size, int64_t ms, int numeric)
{
	static const char *const months[12] = {
		"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"
	};
	int64_t		 z, era, doe, yoe, y, doy, mp, d, m;

	z = (ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000) + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	if (numeric)
		snprintf(out, size, "%02d.%02d.%04d", (int)d, (int)m, (int)y);
	else
		snprintf(out, size, "%d %s", (int)d, months[m - 1]);
}

/* n random lower-case hex digits and a terminator into out (n + 1 bytes). */
void
gen_text_hex(struct rng *r, char *out, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	uint64_t		 v = 0;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (i % 16 == 0)
			v = rng_next(r);
		out[i] = hex[v & 0xf];
		v >>= 4;
	}
	out[n] = '\0';
}

/* Where customers without a company address get their mail. */
static const char *const gen_mail_domains[] = {
	"example.com", "example.net", "example.org", "mail.example",
	"post.example", "inbox.example", "web.example"
};

/* A mail provider's domain, for customers' private addresses. */
const char *
gen_text_mail_domain(struct rng *r)
{
	return (gen_mail_domains[rng_below(r, nitems(gen_mail_domains))]);
}

/* Read the product catalogue and the cities from the word lists. */
void
gen_words_load(struct gen *g)
{
	char	*f[3];
	size_t	 i;

	g->countries = xcalloc(demo_words_countries_n, sizeof *g->countries);
	for (i = 0; i < demo_words_countries_n; i++)
		gen_country_parse(&g->countries[g->ncountries++],
		    demo_words_countries[i]);
	g->products = xcalloc(demo_words_products_n, sizeof *g->products);
	for (i = 0; i < demo_words_products_n; i++) {
		g->products[i].line = gen_fields(demo_words_products[i], f, 3,
		    "product");
		g->products[i].sku = f[0];
		g->products[i].price = gen_decimal(f[1], 100);
		g->products[i].title = f[2];
	}
	g->nproducts = demo_words_products_n;
	g->cities = xcalloc(demo_words_cities_n, sizeof *g->cities);
	for (i = 0; i < demo_words_cities_n; i++) {
		g->cities[i].line = gen_fields(demo_words_cities[i], f, 2,
		    "city");
		g->cities[i].name = f[0];
		g->cities[i].country = gen_country_find(g, f[1]);
	}
	g->ncities = demo_words_cities_n;
	if (g->nproducts == 0 || g->ncities == 0 || g->ncountries == 0)
		fatalx("gen: empty word lists");
}

/* Free what gen_words_load() read. */
void
gen_words_free(struct gen *g)
{
	size_t	 i;

	for (i = 0; i < g->ncountries; i++)
		free(g->countries[i].line);
	for (i = 0; i < g->nproducts; i++)
		free(g->products[i].line);
	for (i = 0; i < g->ncities; i++)
		free(g->cities[i].line);
	free(g->countries);
	free(g->products);
	free(g->cities);
}

/* Make up the customer: name, country, addresses, company. */
void
gen_text_customer(struct gen *g, uint32_t c)
{
	const char	*dom;
	char		 num[24];
	int		 tries;

	g->cvip = g->tier[c] == 2 || rng_chance(&g->rng,
	    g->tier[c] == 1 ? 0.1 : 0.02);
	g->ccompany = rng_chance(&g->rng, g->tier[c] == 2 ? 0.8 : 0.25) ?
	    demo_words_companies[rng_below(&g->rng,
	    (uint32_t)demo_words_companies_n)] : NULL;
	g->ccity = &g->cities[rng_below(&g->rng, (uint32_t)g->ncities)];
	gen_text_person(&g->rng, 0, &g->cname, &g->cfirst, &g->clocal);
	g->clang = GEN_LANG_EN;
	if (g->ccity->country->lang != GEN_LANG_EN &&
	    (uint8_t)g->cfirst.data[0] < 0xe0 && rng_chance(&g->rng, 0.3))
		g->clang = g->ccity->country->lang;

	for (tries = 0; ; tries++) {
		buf_reset(&g->cemail);
		buf_puts(&g->cemail, g->clocal.data);
		if (tries > 0) {
			gen_text_uint(num, rng_below(&g->rng, 10000));
			buf_puts(&g->cemail, num);
		}
		buf_putc(&g->cemail, '@');
		if (g->ccompany != NULL && rng_chance(&g->rng, 0.5)) {
			gen_text_ascii(&g->cemail, g->ccompany);
			buf_puts(&g->cemail, ".example");
		} else {
			dom = gen_mail_domains[rng_below(&g->rng,
			    nitems(gen_mail_domains))];
			buf_puts(&g->cemail, dom);
		}
		if (gen_seen(g, g->cemail.data) == 0)
			break;
	}
	buf_reset(&g->cphone);
	if (rng_chance(&g->rng, 0.85)) {
		do {
			buf_reset(&g->cphone);
			gen_text_phone(&g->rng, g->ccity->country, &g->cphone);
		} while (gen_seen(g, g->cphone.data) != 0);
	}

	/* Sometimes a second address (work, or an alias) and a shop id. */
	buf_reset(&g->cemail2);
	if (rng_chance(&g->rng, 0.15)) {
		buf_puts(&g->cemail2, g->clocal.data);
		if (g->ccompany != NULL) {
			buf_putc(&g->cemail2, '@');
			gen_text_ascii(&g->cemail2, g->ccompany);
			buf_puts(&g->cemail2, ".example");
		} else {
			buf_puts(&g->cemail2, "+shop@");
			buf_puts(&g->cemail2, gen_text_mail_domain(&g->rng));
		}
		if (gen_seen(g, g->cemail2.data) != 0)
			buf_reset(&g->cemail2);
	}
	buf_reset(&g->cext);
	if (rng_chance(&g->rng, 0.2)) {
		buf_puts(&g->cext, rng_chance(&g->rng, 0.5) ? "legacy-crm:" :
		    "marketplace:");
		gen_text_uint(num, 100000 + rng_below(&g->rng, 900000));
		buf_puts(&g->cext, num);
	}
}

/* A tag for the situation, when agents bother to add one. */
static const char *const gen_sit_tags[GEN_CAT_COUNT][GEN_SIT_COUNT] = {
	{ "return", "cancellation", "wrong-item", NULL, NULL },
	{ "late-delivery", "tracking", "lost-parcel", "backorder",
	    "not-received" },
	{ "transit-damage", "warranty", "missing-part", NULL, NULL },
	{ NULL, "double-charge", NULL, NULL, NULL },
	{ "password-reset", "2fa", NULL, "gdpr", "locked-out" },
	{ NULL, NULL, "restock", NULL, NULL }
};

/* Append s to b as a JSON string. */
static void
gen_json_str(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";

	buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, *s);
		} else if ((unsigned char)*s < 0x20) {
			buf_puts(b, "\\u00");
			buf_putc(b, hex[(unsigned char)*s >> 4]);
			buf_putc(b, hex[*s & 0xf]);
		} else
			buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

/* Add a tag to the JSON array being built in b (without its ']'). */
static void
gen_tag(struct buf *b, const char *tag)
{
	if (b->len > 1)
		buf_putc(b, ',');
	gen_json_str(b, tag);
}

/*
 * The ticket's language and tags (a JSON array; tags_old lacks "escalated",
 * for the event that added it).
 */
void
gen_text_tags(struct gen *g, const struct gen_tk *tk, const struct gen_tplan *p,
    int repeat)
{
	static const char *const lang_tags[GEN_LANG_COUNT] = {
		NULL, "lang-de", "lang-fr", "lang-es"
	};
	const char	*sit_tag = gen_sit_tags[p->cat][p->sit];
	int		 i;

	/* In the customer's language if there are words for it. */
	g->tlang = g->clang;
	if (!gen_text_has(g->db, g->clang, p->cat, p->sit, GEN_K_OPEN))
		g->tlang = GEN_LANG_EN;

	buf_reset(&g->tags);
	buf_putc(&g->tags, '[');
	gen_tag(&g->tags, gen_cat_name(p->cat));
	if (sit_tag != NULL && rng_chance(&g->rng, 0.7))
		gen_tag(&g->tags, sit_tag);
	if (g->cvip)
		gen_tag(&g->tags, "vip");
	if (repeat)
		gen_tag(&g->tags, "repeat");
	if (g->ccompany != NULL && rng_chance(&g->rng, 0.5))
		gen_tag(&g->tags, "b2b");
	if (lang_tags[g->tlang] != NULL)
		gen_tag(&g->tags, lang_tags[g->tlang]);
	if ((p->cat == GEN_CAT_REFUND || (p->cat == GEN_CAT_INVOICE &&
	    p->sit == GEN_INVOICE_DOUBLE)) && rng_chance(&g->rng, 0.05))
		gen_tag(&g->tags, "chargeback");
	if (p->dup_of >= 0)
		gen_tag(&g->tags, "duplicate");
	buf_reset(&g->tags_old);
	buf_append(&g->tags_old, g->tags.data, g->tags.len);
	buf_putc(&g->tags_old, ']');
	if (tk->escalation)
		gen_tag(&g->tags, "escalated");
	buf_putc(&g->tags, ']');
	for (i = 0; i < g->nevs; i++) {
		if (strcmp(g->evs[i].field, "tags") == 0) {
			g->evs[i].oldv = g->tags_old.data;
			g->evs[i].newv = g->tags.data;
		}
	}
}

/* Set the values templates may use for this ticket. */
void
gen_text_ticket(struct gen *g, const struct gen_tk *tk,
    const struct gen_tplan *p)
{
	struct gen_text		*x = &g->tx;
	const struct gen_order	*o = NULL;
	int			 item;
	int64_t			 amount;

	memset(x, 0, sizeof *x);
	x->cat = p->cat;
	x->sit = p->sit;
	x->lang = g->tlang;
	x->channel = tk->channel;
	x->urgent = tk->prio == PRIORITY_URGENT;
	x->v[GEN_V_FIRST] = g->cfirst.data;
	x->v[GEN_V_NAME] = g->cname.data;
	x->v[GEN_V_EMAIL] = g->cemail.data;
	x->v[GEN_V_PHONE] = g->cphone.len != 0 ? g->cphone.data : NULL;
	x->v[GEN_V_COMPANY] = g->ccompany;
	x->v[GEN_V_CITY] = g->ccity->name;
	x->v[GEN_V_ORG] = g->org_name;
	x->v[GEN_V_TOPIC] = gen_cat_topic(p->cat);
	g->v_ticket[0] = '#';
	gen_text_uint(g->v_ticket + 1, p->ix + 1);
	x->v[GEN_V_TICKET] = g->v_ticket;
	memcpy(g->v_ref, "CLM-", 4);
	gen_text_uint(g->v_ref + 4, 1000000 + rng_below(&g->rng, 9000000));
	x->v[GEN_V_REF] = g->v_ref;
	gen_text_uint(g->v_last4, 1000 + rng_below(&g->rng, 9000));
	x->v[GEN_V_LAST4] = g->v_last4;
	if (tk->a1 >= 0)
		x->v[GEN_V_COLLEAGUE] =
		    g->users[gen_colleague(g, tk->a1)].first;
	if (p->order >= 0)
		o = &g->orders[p->order];
	if (o == NULL) {
		item = (int)rng_below(&g->rng, (uint32_t)g->nproducts);
		x->v[GEN_V_PRODUCT] = g->products[item].title;
		x->v[GEN_V_SKU] = g->products[item].sku;
		return;
	}
	item = (int)rng_below(&g->rng, (uint32_t)o->nitems);
	x->v[GEN_V_ORDER] = o->number;
	x->v[GEN_V_PRODUCT] = g->products[o->product[item]].title;
	x->v[GEN_V_SKU] = g->products[o->product[item]].sku;
	gen_text_uint(g->v_qty, (uint64_t)o->qty[item]);
	x->v[GEN_V_QTY] = g->v_qty;
	gen_text_date(g->v_date, sizeof g->v_date, o->placed, 0);
	x->v[GEN_V_DATE] = g->v_date;
	gen_text_date(g->v_dnum, sizeof g->v_dnum, o->placed, 1);
	x->v[GEN_V_DNUM] = g->v_dnum;
	gen_text_uint(g->v_days,
	    (uint64_t)((tk->created - o->placed) / GEN_DAY + 1));
	x->v[GEN_V_DAYS] = g->v_days;
	snprintf(g->v_invoice, sizeof g->v_invoice, "INV-%.4s-%s",
	    g->v_dnum + 6, o->number + 3);
	x->v[GEN_V_INVOICE] = g->v_invoice;
	amount = p->cat == GEN_CAT_INVOICE || p->sit == GEN_REFUND_CANCEL ?
	    o->total : o->qty[item] * o->price[item];
	buf_reset(&g->v_amount);
	gen_text_money(&g->v_amount, amount, g->ccity->country->currency);
	x->v[GEN_V_AMOUNT] = g->v_amount.data;
	if (o->ship_status != NULL && o->shipped <= tk->created) {
		x->v[GEN_V_CARRIER] = gen_carrier_name(o->carrier);
		x->v[GEN_V_TRACKING] = o->tracking;
	}
}

/* A system message's text. */
void
gen_text_system(struct gen *g, const struct gen_tk *tk,
    const struct gen_tplan *p, int kind, struct buf *b)
{
	static const char *const complaints[] = {
		"Took far too long.", "I had to write three times.",
		"The problem isn't really solved.",
		"Nobody read my first email."
	};
	const char	*prio = ticket_priority_name(tk->prio);

	switch (kind) {
	case GEN_SYS_ACK:
		buf_printf(b, "Automatic reply sent to %s: \"Thank you for "
		    "contacting %s. We have received your request (%s) and "
		    "will get back to you within %d hours.\"",
		    g->cemail.data, g->org_name, g->v_ticket,
		    gen_sla_first[tk->prio] / 60);
		break;
	case GEN_SYS_FIRST_BREACH:
		buf_printf(b, "SLA breached: no first response within %d h "
		    "(%s priority).", gen_sla_first[tk->prio] / 60, prio);
		break;
	case GEN_SYS_RESOLVE_BREACH:
		buf_printf(b, "SLA breached: not resolved within %d h (%s "
		    "priority).", gen_sla_resolve[tk->prio] / 60, prio);
		break;
	case GEN_SYS_MERGED:
		buf_printf(b, "Merged into #%u as a duplicate of the "
		    "customer's earlier request. Replies continue there.",
		    g->tp[p->dup_of].ix + 1);
		break;
	case GEN_SYS_CSAT_GOOD:
		buf_puts(b, "Satisfaction survey: the customer rated this "
		    "conversation Good 👍");
		break;
	default:
		buf_printf(b, "Satisfaction survey: the customer rated this "
		    "conversation Bad 👎\nComment: \"%s\"",
		    complaints[rng_below(&g->rng, nitems(complaints))]);
		break;
	}
}

/* A message's body: the customer's, an agent's or the system's words. */
void
gen_text_message(struct gen *g, const struct gen_tk *tk,
    const struct gen_tplan *p, const struct gen_msg *m, int first_reply,
    struct buf *b)
{
	struct gen_text	*x = &g->tx;
	int		 u = m->user;

	if (m->role == GEN_ROLE_SYSTEM) {
		gen_text_system(g, tk, p, m->kind, b);
		return;
	}
	if (m->role == GEN_ROLE_CUSTOMER) {
		/* They write to whoever answered them last. */
		u = -1;
		if (tk->fr_at != 0 && m->at > tk->fr_at)
			u = tk->transfer_at != 0 && m->at > tk->transfer_at ?
			    tk->a1 : tk->a0;
	}
	x->v[GEN_V_AGENT] = u >= 0 ? g->users[u].first : NULL;
	x->v[GEN_V_AGENT_NAME] = u >= 0 ? g->users[u].name : NULL;
	x->attach = m->natt != 0;
	x->first_reply = first_reply;
	gen_text_body(g->db, &g->rng, x, m->kind, b);
}

/* An attachment's name, type and size: photos from customers, PDFs from us. */
void
gen_text_attachment(struct gen *g, const struct gen_tplan *p, int role,
    struct gen_att *a)
{
	const char	*num = "";
	int64_t		 r = (int64_t)(rng_next(&g->rng) >> 1);

	if (p->order >= 0)
		num = g->orders[p->order].number;
	if (role == GEN_ROLE_AGENT) {
		a->mime = "application/pdf";
		snprintf(a->name, sizeof a->name, "%s-%s.pdf",
		    p->cat == GEN_CAT_INVOICE ? "invoice" : "return-label",
		    num);
		a->size = 40000 + r % 140000;
	} else if (p->cat == GEN_CAT_SHIPPING) {
		a->mime = "image/png";
		snprintf(a->name, sizeof a->name, "tracking-screenshot.png");
		a->size = 120000 + r % 780000;
	} else {
		a->mime = "image/jpeg";
		snprintf(a->name, sizeof a->name, "IMG_%04d.jpg",
		    (int)(1000 + r % 9000));
		a->size = 800000 + (r >> 16) % 3700000;
	}
}

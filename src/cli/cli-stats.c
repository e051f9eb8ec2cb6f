/* cli-stats.c: `triage stats`: the dashboard's figures as text or JSON. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define STATS_USAGE	"usage: triage stats [--json]"

/* "2026-11-21" for a UTC day number. */
static void
stats_day_name(int64_t day, char out[TIME_RFC3339_SIZE])
{
	time_format_rfc3339(day * 86400000, out);
	out[10] = '\0';
}

/* {counted, met, percent} of a window; percent null without data. */
static json_t *
stats_json_sla(const struct stats_sla *sla)
{
	int64_t	 p = replica_stats_permille(sla);

	return (json_pack("{s:I, s:I, s:o}", "counted",
	    (json_int_t)sla->counted, "met", (json_int_t)sla->met, "percent",
	    p < 0 ? json_null() : json_real((double)p / 10.0)));
}

/* {tickets, median_ms, p90_ms}; the times null without data. */
static json_t *
stats_json_times(const struct stats_times *t)
{
	return (json_pack("{s:I, s:o, s:o}", "tickets", (json_int_t)t->count,
	    "median_ms", t->count > 0 ? json_integer(t->median) : json_null(),
	    "p90_ms", t->count > 0 ? json_integer(t->p90) : json_null()));
}

/* The JSON form; its field names are in the manual (JSON OUTPUT). */
static json_t *
stats_json(const struct replica_stats *st, const char *me)
{
	json_t		*j, *o, *a;
	char		 s[TIME_RFC3339_SIZE];
	size_t		 i;
	int		 k;

	j = json_object();
	json_object_set_new(j, "as_of", cli_json_time(st->now));
	stats_day_name(st->today, s);
	json_object_set_new(j, "today", json_string(s));

	o = json_object();
	json_object_set_new(o, "total", json_integer(st->open));
	a = json_object();
	for (k = 0; k < STATS_OPEN_STATUSES; k++)
		json_object_set_new(a, ticket_status_name(k),
		    json_integer(st->by_status[k]));
	json_object_set_new(o, "by_status", a);
	a = json_object();
	for (k = 0; k < TICKET_PRIORITY_COUNT; k++)
		json_object_set_new(a, ticket_priority_name(k),
		    json_integer(st->by_priority[k]));
	json_object_set_new(o, "by_priority", a);
	json_object_set_new(j, "open", o);

	json_object_set_new(j, "sla", json_pack("{s:{s:o, s:o}, s:{s:o, s:o}}",
	    "first_response",
	    "last_7_days", stats_json_sla(&st->first_response[STATS_7_DAYS]),
	    "last_30_days", stats_json_sla(&st->first_response[STATS_30_DAYS]),
	    "resolution",
	    "last_7_days", stats_json_sla(&st->resolution[STATS_7_DAYS]),
	    "last_30_days", stats_json_sla(&st->resolution[STATS_30_DAYS])));
	json_object_set_new(j, "times", json_pack("{s:o, s:o}",
	    "first_response", stats_json_times(&st->first_response_time),
	    "resolution", stats_json_times(&st->resolution_time)));

	a = json_array();
	for (k = 0; k < STATS_SPARK_DAYS; k++) {
		stats_day_name(st->today - (STATS_SPARK_DAYS - 1) + k, s);
		json_array_append_new(a, json_pack("{s:s, s:I}", "day", s,
		    "tickets", (json_int_t)st->new_per_day[k]));
	}
	json_object_set_new(j, "new_per_day", a);

	if (st->have_me) {
		o = json_object();
		cli_json_set_text(o, "user_id", me);
		json_object_set_new(o, "assigned", json_integer(st->mine));
		json_object_set_new(o, "due_soon", json_integer(st->mine_soon));
		json_object_set_new(o, "breached",
		    json_integer(st->mine_breached));
		json_object_set_new(j, "my_queue", o);
	} else
		json_object_set_new(j, "my_queue", json_null());

	a = json_array();
	for (i = 0; i < st->nteams; i++) {
		o = json_object();
		cli_json_set_text(o, "id", st->teams[i].id);
		cli_json_set_text(o, "name", st->teams[i].name);
		json_object_set_new(o, "open", json_integer(st->teams[i].open));
		json_object_set_new(o, "weighted",
		    json_integer(st->teams[i].weighted));
		json_array_append_new(a, o);
	}
	json_object_set_new(j, "teams", a);
	return (j);
}

/* "71.3% (283 of 397)" or "no data". */
static void
stats_text_sla(struct buf *b, const struct stats_sla *sla)
{
	int64_t	 p = replica_stats_permille(sla);
	char	 pc[64], met[32], counted[32];

	if (p < 0)
		buf_puts(b, _("no data"));
	else
		buf_printf(b, _("%s (%s of %s)"), num_permille(pc, sizeof pc,
		    p), num_count(met, sizeof met, sla->met),
		    num_count(counted, sizeof counted, sla->counted));
}

/*
 * Print a row of columns: each cell padded to its width in terminal cells
 * (a negative width right-aligns), the last one as it is.
 */
static void
stats_row(const int *widths, size_t n, ...)
{
	struct buf	 b = BUF_INIT;
	va_list		 ap;
	size_t		 i;
	int		 w;

	va_start(ap, n);
	for (i = 0; i < n; i++) {
		w = widths[i];
		if (i > 0)
			buf_putc(&b, ' ');
		cli_pad(&b, va_arg(ap, const char *), w < 0 ? -w : w,
		    w < 0 ? CLI_PAD_RIGHT : 0);
	}
	va_end(ap);
	puts(buf_cstr(&b));
	buf_free(&b);
}

/* The columns of the sections: a label, then figures. */
static const int stats_sla_cols[] = { 22, 26, 0 };
static const int stats_times_cols[] = { 22, 10, 10, 0 };
static const int stats_team_cols[] = { 22, -8, -9 };

/* One row of times: median and p90 as "4h17m", or "no data". */
static void
stats_text_times(const char *label, const struct stats_times *t)
{
	char	 med[32], p90[32], n[32], *l;

	l = xprintf("  %s", label);
	if (t->count == 0) {
		stats_row(stats_times_cols, 2, l, _("no data"));
		free(l);
		return;
	}
	time_format_countdown(t->median, med, sizeof med);
	time_format_countdown(t->p90, p90, sizeof p90);
	stats_row(stats_times_cols, 4, l, med, p90,
	    num_count(n, sizeof n, t->count));
	free(l);
}

/* "  by status     new 266, open 891, ...": a label, then counts. */
static void
stats_text_counts(const char *label, int nk, const char *(*name)(int),
    const int64_t *counts)
{
	struct buf	 b = BUF_INIT, l = BUF_INIT;
	char		 n[32];
	int		 k;

	buf_printf(&l, "  %s", label);
	for (k = 0; k < nk; k++)
		buf_printf(&b, "%s%s %s", k ? ", " : "", name(k),
		    num_count(n, sizeof n, counts[k]));
	stats_row((const int []){ 15, 0 }, 2, buf_cstr(&l), buf_cstr(&b));
	buf_free(&l);
	buf_free(&b);
}

/* The text form: a few short sections. */
static void
stats_text(struct replica *r, const struct replica_stats *st, const char *me)
{
	struct buf	 b = BUF_INIT, c = BUF_INIT;
	char		 s[TIME_RFC3339_SIZE], *name, n[32], n2[32], n3[32];
	char		*l;
	size_t		 i;
	int		 k;

	time_format_rfc3339(st->now, s);
	printf(_("Dashboard as of %s (days are UTC days)\n\n"), s);

	printf(_("Open tickets: %s\n"), num_count(n, sizeof n, st->open));
	stats_text_counts(_("by status"), STATS_OPEN_STATUSES,
	    ticket_status_label, st->by_status);
	stats_text_counts(_("by priority"), TICKET_PRIORITY_COUNT,
	    ticket_priority_label, st->by_priority);
	putchar('\n');

	stats_row(stats_sla_cols, 3, _("SLA compliance"), _("last 7 days"),
	    _("last 30 days"));
	for (k = 0; k < 2; k++) {
		const struct stats_sla	*sla = k == 0 ? st->first_response :
					    st->resolution;

		buf_reset(&b);
		buf_reset(&c);
		stats_text_sla(&b, &sla[STATS_7_DAYS]);
		stats_text_sla(&c, &sla[STATS_30_DAYS]);
		l = xprintf("  %s", k == 0 ? _("first response") :
		    _("resolution"));
		stats_row(stats_sla_cols, 3, l, buf_cstr(&b), buf_cstr(&c));
		free(l);
	}
	putchar('\n');
	stats_row(stats_times_cols, 4, _("Times (30 days)"), _("median"),
	    _("p90"), _("tickets"));
	stats_text_times(_("first response"), &st->first_response_time);
	stats_text_times(_("resolution"), &st->resolution_time);

	printf("\n%s\n", _("New tickets per day"));
	for (k = 0; k < STATS_SPARK_DAYS; k++) {
		stats_day_name(st->today - (STATS_SPARK_DAYS - 1) + k, s);
		buf_reset(&b);
		buf_printf(&b, "  %s ", s);
		cli_pad(&b, num_count(n, sizeof n, st->new_per_day[k]), 7,
		    CLI_PAD_RIGHT);
		if (k == STATS_SPARK_DAYS - 1)
			buf_puts(&b, _("  (today so far)"));
		puts(buf_cstr(&b));
	}

	if (st->have_me) {
		buf_reset(&b);
		name = replica_user_name(r, me);
		sanitize_line(&b, name != NULL ? name : me,
		    strlen(name != NULL ? name : me), 0);
		free(name);
		printf(_("\nMy queue (%s): %s open, %s due within 2 hours, "
		    "%s breached\n"), buf_cstr(&b), num_count(n, sizeof n,
		    st->mine), num_count(n2, sizeof n2, st->mine_soon),
		    num_count(n3, sizeof n3, st->mine_breached));
	} else
		printf("\n%s\n", _("My queue: no current user (triage login "
		    "sets one)"));

	putchar('\n');
	stats_row(stats_team_cols, 3, _("Teams"), _("open"), _("weighted"));
	for (i = 0; i < st->nteams; i++) {
		buf_reset(&b);
		buf_puts(&b, "  ");
		cli_fit(&b, st->teams[i].id == NULL ? _("no team") :
		    st->teams[i].name != NULL ? st->teams[i].name :
		    st->teams[i].id, 20);
		stats_row(stats_team_cols, 3, buf_cstr(&b),
		    num_count(n, sizeof n, st->teams[i].open),
		    num_count(n2, sizeof n2, st->teams[i].weighted));
	}
	buf_free(&b);
	buf_free(&c);
}

/* triage stats [--json] */
int
cli_stats(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "replica", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct replica		*r = NULL;
	struct replica_stats	 st;
	char			*cause = NULL, *me;
	int			 c, json = 0, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'R':
			env->replica = optarg;
			break;
		case 'h':
			printf("%s\n\n%s\n", _(STATS_USAGE), _("The "
			    "dashboard's figures, computed from the replica: "
			    "open tickets by status,\npriority and team, SLA "
			    "compliance over the last 7 and 30 days, median "
			    "and\np90 first response and resolution times, new "
			    "tickets per day for 14 days\nand your queue. Days "
			    "are UTC days. --json prints them as JSON (see\n"
			    "triage(1), JSON OUTPUT)."));
			return (0);
		default:
			return (EXIT_USAGE);
		}
	}
	if (optind != argc)
		return (cli_error(EXIT_USAGE, "%s", _(STATS_USAGE)));
	if ((rc = cli_open(env, 0, &r)) != 0)
		return (rc);
	me = replica_me(r);
	if (replica_stats(r, time_now_ms(), me, &st, &cause) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
	} else if (json)
		rc = cli_json_print(stats_json(&st, me));
	else {
		stats_text(r, &st, me);
		if (fflush(stdout) != 0 || ferror(stdout))
			rc = cli_error(EXIT_FAILURE, "%s",
			    _("writing output failed"));
	}
	replica_stats_free(&st);
	free(me);
	replica_close(r);
	return (rc);
}

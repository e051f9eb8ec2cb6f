/* timeutil.c: UTC times as epoch milliseconds, durations and their text forms. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base.h"

/* A frozen "now" for tests; 0 means the real clock. */
static int64_t	 time_frozen;

/* The current UTC time in milliseconds since the epoch. */
int64_t
time_now_ms(void)
{
	struct timespec	 ts;

	if (time_frozen != 0)
		return (time_frozen);
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Monotonic nanoseconds, for measuring intervals. */
int64_t
time_mono_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

/* Freeze time_now_ms() at ms (0 thaws). Tests use this. */
void
time_set_now_ms(int64_t ms)
{
	time_frozen = ms;
}

static int
parse_digits(const char **p, int n, int *out)
{
	int	 v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return (-1);
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return (0);
}

/* Parse an RFC 3339 timestamp ("2026-11-21T10:00:00.5+01:00") into UTC ms. */
int
time_parse_rfc3339(const char *s, int64_t *out)
{
	struct tm	 tm;
	const char	*p = s;
	int		 y, mo, d, h, mi, sec, oh, om, frac = 0, digits = 0;
	int64_t		 t, off = 0;

	memset(&tm, 0, sizeof tm);
	if (parse_digits(&p, 4, &y) || *p++ != '-' ||
	    parse_digits(&p, 2, &mo) || *p++ != '-' ||
	    parse_digits(&p, 2, &d))
		return (-1);
	if (*p != 'T' && *p != 't' && *p != ' ')
		return (-1);
	p++;
	if (parse_digits(&p, 2, &h) || *p++ != ':' ||
	    parse_digits(&p, 2, &mi) || *p++ != ':' ||
	    parse_digits(&p, 2, &sec))
		return (-1);
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return (-1);
		while (isdigit((unsigned char)*p)) {
			if (digits < 3) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
			p++;
		}
		while (digits++ < 3)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		int	 sign = *p++ == '-' ? -1 : 1;

		if (parse_digits(&p, 2, &oh) || *p++ != ':' ||
		    parse_digits(&p, 2, &om) || oh > 23 || om > 59)
			return (-1);
		off = sign * ((int64_t)oh * 3600 + om * 60);
	} else
		return (-1);
	if (*p != '\0')
		return (-1);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return (-1);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec > 59 ? 59 : sec;
	t = (int64_t)timegm(&tm);
	if (tm.tm_mday != d)	/* 31 February and friends */
		return (-1);
	*out = (t - off) * 1000 + frac;
	return (0);
}

/* Format UTC ms as RFC 3339 with milliseconds ("2026-11-21T10:00:00.000Z"). */
void
time_format_rfc3339(int64_t ms, char out[TIME_RFC3339_SIZE])
{
	struct tm	 tm;
	time_t		 t;
	int64_t		 rem;

	t = (time_t)(ms / 1000);
	rem = ms % 1000;
	if (rem < 0) {
		rem += 1000;
		t--;
	}
	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	snprintf(out, TIME_RFC3339_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)rem);
}

/* Parse a duration such as "7d", "2h", "90m", "1h30m", "2w", "45s" into ms. */
int
time_parse_duration(const char *s, int64_t *out)
{
	int64_t		 total = 0, n, unit;
	const char	*p = s;

	if (*p == '\0')
		return (-1);
	while (*p != '\0') {
		if (!isdigit((unsigned char)*p))
			return (-1);
		n = 0;
		while (isdigit((unsigned char)*p)) {
			n = n * 10 + (*p++ - '0');
			if (n > 100000000)
				return (-1);
		}
		switch (*p++) {
		case 's':
			unit = 1000;
			break;
		case 'm':
			unit = 60 * 1000;
			break;
		case 'h':
			unit = 3600 * 1000;
			break;
		case 'd':
			unit = 86400 * 1000;
			break;
		case 'w':
			unit = 7 * 86400 * 1000LL;
			break;
		default:
			return (-1);
		}
		if (n * unit > INT64_MAX - total)
			return (-1);
		total += n * unit;
	}
	*out = total;
	return (0);
}

/*
 * A date for people, UTC, in the language's own format: "2026-11-22";
 * with TIME_DATE_HOURS "2026-11-22 14:05" (German "22.11.2026 14:05");
 * TIME_DATE_UTC adds " UTC".
 */
void
time_format_date(int64_t ms, int flags, char *out, size_t len)
{
	struct tm	 tm;
	time_t		 s = (time_t)(ms / 1000);
	size_t		 n;

	if (len == 0)
		return;
	if (gmtime_r(&s, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	/* TRANSLATORS: strftime formats of a date, then a date and time. */
	n = strftime(out, len, (flags & TIME_DATE_HOURS) ?
	    _("%Y-%m-%d %H:%M") : _("%Y-%m-%d"), &tm);
	out[n] = '\0';
	if ((flags & TIME_DATE_UTC) && n > 0 && n + 4 < len)
		memcpy(out + n, " UTC", 5);
}

/* A short age: "now", "42s", "5m", "3h", "2d", "6w", "3y". */
void
time_format_relative(int64_t ms, char *out, size_t len)
{
	int64_t	 s = ms / 1000;

	if (s < 0)
		s = -s;
	if (s < 5)
		snprintf(out, len, "%s", _("now"));
	else if (s < 60)
		/* TRANSLATORS: an age in seconds, as short as can be. */
		snprintf(out, len, _("%llds"), (long long)s);
	else if (s < 3600)
		snprintf(out, len, _("%lldm"), (long long)(s / 60));
	else if (s < 86400)
		snprintf(out, len, _("%lldh"), (long long)(s / 3600));
	else if (s < 86400 * 7 * 8)
		/* TRANSLATORS: an age in days (then weeks, years). */
		snprintf(out, len, _("%lldd"), (long long)(s / 86400));
	else if (s < 86400 * 365)
		snprintf(out, len, _("%lldw"), (long long)(s / (86400 * 7)));
	else
		snprintf(out, len, _("%lldy"), (long long)(s / (86400 * 365)));
}

/* A countdown with two units: "45m", "1h20m", "2d03h"; negative gets '-'. */
void
time_format_countdown(int64_t ms, char *out, size_t len)
{
	const char	*sign = ms < 0 ? "-" : "";
	int64_t		 m = ms / 60000;

	if (m < 0)
		m = -m;

	if (m < 60)
		snprintf(out, len, _("%s%lldm"), sign, (long long)m);
	else if (m < 1440)
		snprintf(out, len, _("%s%lldh%02lldm"), sign, (long long)(m / 60),
		    (long long)(m % 60));
	else
		/* TRANSLATORS: a due time: sign, days, hours ("2d03h"). */
		snprintf(out, len, _("%s%lldd%02lldh"), sign, (long long)(m / 1440),
		    (long long)((m % 1440) / 60));
}

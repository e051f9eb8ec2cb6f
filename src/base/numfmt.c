/* numfmt.c: numbers for people in their locale's format (grouping, decimal mark), while the program's own LC_NUMERIC stays "C". */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base.h"

/*
 * main() keeps LC_NUMERIC at "C": numbers the program reads and writes
 * (PostgreSQL's answers, traces, JSON, SQL) must not turn into "1,5".
 * What is shown to people uses the environment's LC_NUMERIC through a
 * locale of its own.
 */
static pthread_once_t	 numfmt_once = PTHREAD_ONCE_INIT;
static locale_t		 numfmt_locale;

static void
numfmt_init(void)
{
	numfmt_locale = newlocale(LC_NUMERIC_MASK, "", (locale_t)0);
	if (numfmt_locale == (locale_t)0)
		numfmt_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* n with the locale's thousands grouping: "12,345", German "12.345". */
const char *
num_count(char *out, size_t len, long long n)
{
	locale_t	 old;

	pthread_once(&numfmt_once, numfmt_init);
	old = uselocale(numfmt_locale);
	snprintf(out, len, "%'lld", n);
	uselocale(old);
	return (out);
}

/*
 * A percentage from per mille, one decimal: "70.5%", German "70,5 %"
 * (the sign's place is the translation's).
 */
const char *
num_permille(char *out, size_t len, long long permille)
{
	char		 n[32], num[64];
	const char	*mark;
	locale_t	 old;

	pthread_once(&numfmt_once, numfmt_init);
	mark = nl_langinfo_l(RADIXCHAR, numfmt_locale);
	if (mark == NULL || *mark == '\0')
		mark = ".";
	old = uselocale(numfmt_locale);
	snprintf(n, sizeof n, "%'lld", permille / 10);
	uselocale(old);
	snprintf(num, sizeof num, "%s%s%lld", n, mark,
	    (permille < 0 ? -permille : permille) % 10);
	/* TRANSLATORS: a percentage; %s is the number ("70.5"). */
	snprintf(out, len, _("%s%%"), num);
	return (out);
}

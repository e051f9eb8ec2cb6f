/* testutil.h: what every Check suite shares: running a suite and finding test data. */
#ifndef TRIAGE_TESTUTIL_H
#define TRIAGE_TESTUTIL_H

#include <check.h>
#include <locale.h>
#include <stdlib.h>

/* Run one suite with every test in a forked child; exit status for make check. */
static inline int
testutil_run(Suite *s)
{
	SRunner	*sr;
	int	 failed;

	setlocale(LC_ALL, "C.UTF-8");
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

/* The source tree's top directory ($TRIAGE_SRCDIR, set by make check). */
static inline const char *
testutil_srcdir(void)
{
	const char	*d = getenv("TRIAGE_SRCDIR");

	return (d != NULL ? d : ".");
}

/* The triage binary under test ($TRIAGE, set by make check). */
static inline const char *
testutil_triage(void)
{
	const char	*t = getenv("TRIAGE");

	return (t != NULL ? t : "./triage");
}

#endif

/* enums.c: names and labels of ticket statuses and priorities. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "model.h"

static const struct {
	const char	*name;
	const char	*label;
} statuses[TICKET_STATUS_COUNT] = {
	{ "new", N_("new") },
	{ "open", N_("open") },
	{ "pending", N_("pending") },
	{ "on_hold", N_("on hold") },
	{ "solved", N_("solved") },
	{ "closed", N_("closed") },
}, priorities[TICKET_PRIORITY_COUNT] = {
	{ "low", N_("low") },
	{ "normal", N_("normal") },
	{ "high", N_("high") },
	{ "urgent", N_("urgent") },
};

/* The wire name of a status. */
const char *
ticket_status_name(int s)
{
	if (s < 0 || s >= TICKET_STATUS_COUNT)
		return ("?");
	return (statuses[s].name);
}

/* The translated display label of a status. */
const char *
ticket_status_label(int s)
{
	if (s < 0 || s >= TICKET_STATUS_COUNT)
		return ("?");
	return (_(statuses[s].label));
}

/* A status from its name ("on_hold", "on-hold" and "hold" all work), or -1. */
int
ticket_status_parse(const char *s)
{
	int	 i;

	if (strcasecmp(s, "on-hold") == 0 || strcasecmp(s, "hold") == 0 ||
	    strcasecmp(s, "onhold") == 0)
		return (TICKET_ON_HOLD);
	for (i = 0; i < TICKET_STATUS_COUNT; i++)
		if (strcasecmp(s, statuses[i].name) == 0)
			return (i);
	return (-1);
}

/* The wire name of a priority. */
const char *
ticket_priority_name(int p)
{
	if (p < 0 || p >= TICKET_PRIORITY_COUNT)
		return ("?");
	return (priorities[p].name);
}

/* The translated display label of a priority. */
const char *
ticket_priority_label(int p)
{
	if (p < 0 || p >= TICKET_PRIORITY_COUNT)
		return ("?");
	return (_(priorities[p].label));
}

/* A priority from its name, or -1. */
int
ticket_priority_parse(const char *s)
{
	int	 i;

	for (i = 0; i < TICKET_PRIORITY_COUNT; i++)
		if (strcasecmp(s, priorities[i].name) == 0)
			return (i);
	return (-1);
}

/* uuid.c: time-ordered UUIDs (RFC 9562 version 7) as lowercase strings. */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include "base.h"

/* Format 16 bytes as 8-4-4-4-12 hex. */
static void
uuid_format(const uint8_t b[16], char out[UUID_STRLEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	int			 i, j = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hex[b[i] >> 4];
		out[j++] = hex[b[i] & 0xf];
	}
	out[j] = '\0';
}

/* Build a version 7 UUID from a millisecond time and 10 random bytes. */
void
uuid_v7_from(char out[UUID_STRLEN + 1], int64_t ms, const uint8_t rnd[10])
{
	uint8_t	 b[16];
	int	 i;

	for (i = 0; i < 6; i++)
		b[i] = (uint8_t)((uint64_t)ms >> (40 - 8 * i));
	memcpy(b + 6, rnd, 10);
	b[6] = (uint8_t)(0x70 | (b[6] & 0x0f));
	b[8] = (uint8_t)(0x80 | (b[8] & 0x3f));
	uuid_format(b, out);
}

/*
 * A fresh version 7 UUID. Within one millisecond the 12-bit rand_a field is
 * a counter, so ids made by one process sort in creation order.
 */
void
uuid_v7(char out[UUID_STRLEN + 1])
{
	static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
	static int64_t		 last_ms;
	static uint16_t		 counter;
	uint8_t			 rnd[10];
	int64_t			 ms;

	random_bytes(rnd, sizeof rnd);
	ms = time_now_ms();
	pthread_mutex_lock(&lock);
	if (ms <= last_ms) {
		ms = last_ms;
		if (++counter > 0x0fff) {
			counter = 0;
			ms = ++last_ms;
		}
	} else {
		last_ms = ms;
		counter = rnd[0] & 0x03;	/* leave room to count up */
	}
	rnd[0] = (uint8_t)(counter >> 8);
	rnd[1] = (uint8_t)(counter & 0xff);
	pthread_mutex_unlock(&lock);
	uuid_v7_from(out, ms, rnd);
}

/* Is s a UUID string (any version) in canonical 8-4-4-4-12 form? */
int
uuid_valid(const char *s)
{
	int	 i;

	if (s == NULL || strlen(s) != UUID_STRLEN)
		return (0);
	for (i = 0; i < UUID_STRLEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return (0);
		} else if (!isxdigit((unsigned char)s[i]))
			return (0);
	}
	return (1);
}

/* The millisecond time inside a version 7 UUID, or -1. */
int64_t
uuid_v7_time(const char *s)
{
	int64_t	 ms = 0;
	int	 i, n = 0;
	char	 c;

	if (!uuid_valid(s) || s[14] != '7')
		return (-1);
	for (i = 0; n < 12; i++) {
		c = s[i];
		if (c == '-')
			continue;
		ms = (ms << 4) | (isdigit((unsigned char)c) ? c - '0' :
		    (tolower((unsigned char)c) - 'a' + 10));
		n++;
	}
	return (ms);
}

/* auth.c: passwords (argon2id), bearer tokens and roles. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server-int.h"

static const char *const role_names[] = { "viewer", "agent", "admin" };

int
role_parse(const char *s)
{
	size_t	 i;

	for (i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
		if (strcmp(s, role_names[i]) == 0)
			return ((int)i);
	return (-1);
}

const char *
role_name(enum role r)
{
	return (role_names[r]);
}

/* Hash a password with argon2id at libsodium's interactive cost. */
int
auth_hash_password(const char *password, char **hash, char **cause)
{
	char	 out[crypto_pwhash_STRBYTES];

	if (sodium_init() < 0) {
		*cause = xstrdup(_("libsodium cannot start"));
		return (-1);
	}
	if (crypto_pwhash_str_alg(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE,
	    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		*cause = xstrdup(_("out of memory hashing the password"));
		return (-1);
	}
	*hash = xstrdup(out);
	return (0);
}

/* 1 if the password matches the stored hash, else 0. */
int
auth_verify_password(const char *hash, const char *password)
{
	if (sodium_init() < 0 || hash == NULL)
		return (0);
	return (crypto_pwhash_str_verify(hash, password,
	    strlen(password)) == 0);
}

/* A new token: 32 random bytes as 64 hex digits. */
void
auth_new_token(char hex[AUTH_TOKEN_HEX + 1])
{
	unsigned char	 raw[32];

	if (sodium_init() < 0)
		fatalx("libsodium cannot start");
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(hex, AUTH_TOKEN_HEX + 1, raw, sizeof raw);
	sodium_memzero(raw, sizeof raw);
}

/* What the database keeps of a token: its SHA-256, in hex. */
void
auth_token_hash(const char *token, char hashhex[65])
{
	unsigned char	 h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(hashhex, 65, h, sizeof h);
}

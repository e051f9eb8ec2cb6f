/* sync-http.c: requests to the server with libcurl. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "sync-int.h"

static size_t
sync_collect(char *p, size_t sz, size_t n, void *arg)
{
	struct buf	*b = arg;

	/* A page is at most a few megabytes; refuse a runaway answer. */
	if (b->len + sz * n > (size_t)256 << 20)
		return (0);
	buf_append(b, p, sz * n);
	return (sz * n);
}

/*
 * One request: GET, or POST of a JSON body. TLS is verified (with the
 * private CA when given), answers are gzipped when the server can, and a
 * connect and an overall timeout apply. The token goes in a header built
 * here, never on a command line. 0 with the answer's status and body (any
 * status), or SYNC_ERR_OFFLINE with cause when no answer came.
 */
void
sync_cancel_init(struct sync_cancel *c)
{
	memset(c, 0, sizeof *c);
	if ((c->multi = curl_multi_init()) == NULL)
		fatalx("libcurl cannot start");
}

void
sync_cancel_free(struct sync_cancel *c)
{
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	c->multi = NULL;
}

void
sync_cancel_poke(struct sync_cancel *c, int stop)
{
	__atomic_store_n(stop ? &c->stopped : &c->poked, 1, __ATOMIC_SEQ_CST);
	curl_multi_wakeup(c->multi);
}

/*
 * Run a transfer on the cancel's multi handle, checking the flags each
 * time curl_multi_poll returns (a wakeup returns it at once).
 */
static CURLcode
sync_perform(CURL *h, struct sync_cancel *c, int flags, int *cut)
{
	CURLMsg		*msg;
	CURLcode	 rc = CURLE_OK;
	int		 running = 1, left;

	*cut = 0;
	curl_multi_add_handle(c->multi, h);
	while (running) {
		if (__atomic_load_n(&c->stopped, __ATOMIC_SEQ_CST) ||
		    ((flags & SYNC_HTTP_WAITING) &&
		    __atomic_load_n(&c->poked, __ATOMIC_SEQ_CST))) {
			*cut = 1;
			break;
		}
		if (curl_multi_perform(c->multi, &running) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(c->multi, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == h)
				rc = msg->data.result;
		if (running)
			curl_multi_poll(c->multi, NULL, 0, 1000, NULL);
	}
	curl_multi_remove_handle(c->multi, h);
	return (rc);
}

int
sync_http(const char *server, const char *token, const char *path,
    const char *post, const struct sync_opts *o, long timeout, int flags,
    struct sync_http *out, char **cause)
{
	struct curl_slist	*hdr = NULL;
	char			 err[CURL_ERROR_SIZE] = "";
	char			*url, *auth = NULL;
	CURL			*h;
	CURLcode		 rc;
	int			 cut = 0;

	memset(out, 0, sizeof *out);
	buf_init(&out->body);
	if ((h = curl_easy_init()) == NULL) {
		*cause = xstrdup(_("libcurl cannot start"));
		return (SYNC_ERR_LOCAL);
	}
	url = xprintf("%s%s", server, path);
	if (token != NULL) {
		auth = xprintf("Authorization: Bearer %s", token);
		hdr = curl_slist_append(hdr, auth);
	}
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, o != NULL &&
	    o->connect_timeout > 0 ? o->connect_timeout : 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sync_collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out->body);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	if (o != NULL && o->cacert != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, o->cacert);
	if (post != NULL)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
	if (o != NULL && o->cancel != NULL)
		rc = sync_perform(h, o->cancel, flags, &cut);
	else
		rc = curl_easy_perform(h);
	if (rc == CURLE_OK && !cut)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(hdr);
	if (auth != NULL) {
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	free(url);
	curl_easy_cleanup(h);
	if (cut) {
		*cause = xstrdup(_("cut short"));
		buf_free(&out->body);
		return (SYNC_ERR_STOPPED);
	}
	if (rc == CURLE_BAD_CONTENT_ENCODING) {
		/* A checksum or a stream that does not decode. */
		*cause = xprintf(_("%s: the server's answer was damaged on the "
		    "way (its compressed body does not decode: %s)"), server,
		    *err != '\0' ? err : curl_easy_strerror(rc));
		buf_free(&out->body);
		return (SYNC_ERR_SERVER);
	}
	if (rc != CURLE_OK) {
		*cause = xprintf(_("%s: %s"), server, *err != '\0' ? err :
		    curl_easy_strerror(rc));
		buf_free(&out->body);
		return (SYNC_ERR_OFFLINE);
	}
	return (0);
}

/* The answer as a JSON object, or NULL with cause. */
json_t *
sync_json_body(struct sync_http *h, char **cause)
{
	json_error_t	 e;
	json_t		*j;

	j = json_loadb(h->body.data, h->body.len, 0, &e);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		*cause = xprintf(_("the server's answer is not valid JSON "
		    "(%s)"), e.text);
		return (NULL);
	}
	return (j);
}

/* The "message" of an error answer, or a stand-in; allocated. */
char *
sync_http_message(struct sync_http *h)
{
	json_t		*j = json_loadb(h->body.data, h->body.len, 0, NULL);
	const char	*msg = json_string_value(json_object_get(j, "message"));
	char		*out;

	out = xstrdup(msg != NULL ? msg : _("no reason given"));
	json_decref(j);
	return (out);
}

/* A non-200 answer as a failure kind and a cause naming the error. */
int
sync_http_error(struct sync_http *h, char **cause)
{
	char	*msg = sync_http_message(h);

	*cause = xprintf(_("the server answered %ld: %s"), h->status, msg);
	free(msg);
	if (h->status == 401)
		return (SYNC_ERR_AUTH);
	if (h->status >= 500)
		return (SYNC_ERR_SERVER);
	return (SYNC_ERR_REFUSED);
}

/*
 * POST a JSON body and read a JSON answer (triage mailgate --server).
 * 0 with *reply (Caller decrefs), or a SYNC_ERR_* with *cause.
 */
int
sync_post_json(const char *server, const char *token, const char *path,
    const char *body, const struct sync_opts *o, long *status,
    json_t **reply, char **cause)
{
	struct sync_http	 h;
	int			 rc;

	*reply = NULL;
	if ((rc = sync_http(server, token, path, body, o, 120, 0, &h,
	    cause)) != 0)
		return (rc);
	*status = h.status;
	if (h.status < 200 || h.status > 299) {
		rc = sync_http_error(&h, cause);
		buf_free(&h.body);
		return (rc);
	}
	*reply = sync_json_body(&h, cause);
	buf_free(&h.body);
	return (*reply != NULL ? 0 : SYNC_ERR_SERVER);
}

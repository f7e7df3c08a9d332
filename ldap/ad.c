/* SPDX-License-Identifier: ISC */
/* ad.c - Active Directory over LDAP: failover connect, bind, read, CAS flip */
#include <sys/socket.h>
#include <sys/time.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <ldap.h>

#include "ad.h"

struct ad_conn {
	LDAP		*ld;
	char		*uri;
	int		 timeout;
	int		 fd;		/* the socket, once connected */
	int		 fired;		/* the watchdog cut the last call */
	int		 armed;		/* a call is under the watchdog */
	int		 has_timer;
	timer_t		 timer;
	uint64_t	 id;		/* the timer's key in live_conns */
	struct ad_conn	*next_live;
	ldap_conncb	 cb;		/* must live as long as ld */
};

/*
 * The watchdog runs in a thread of its own and timer_delete() does not wait
 * for one already started, so the timer carries an id, never the pointer:
 * watchdog_fire looks the connection up among the live ones, under
 * wd_lock, and acts only while a call is armed.  Once conn_free has taken
 * the connection off the list, or watchdog_disarm has returned, a late
 * watchdog does nothing.
 */
static pthread_mutex_t	 wd_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ad_conn	*live_conns;
static uint64_t		 last_id;

#ifdef BG_FAULT_HOOKS
void	(*ad_fault_hook)(const char *);
#define AD_FAULT(name)	do { if (ad_fault_hook != NULL) ad_fault_hook(name); } while (0)
#else
#define AD_FAULT(name)	do { } while (0)
#endif

static const char *ad_attrs[] = {
	"userAccountControl", "objectGUID", "sAMAccountName", "whenChanged",
	"pwdLastSet", NULL
};

/* 100 ns ticks since 1601 (AD's FILETIME) -> ms since 1970; 0 stays 0 */
#define FILETIME_EPOCH_MS	11644473600000LL

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "Invalid credentials (49); server says: ..." */
static void
ldap_why(LDAP *ld, int rc, char *buf, size_t size)
{
	char	*diag = NULL;

	if (ld != NULL)
		ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	if (diag != NULL && *diag != '\0')
		snprintf(buf, size, "%s (%d): %s", ldap_err2string(rc), rc,
		    diag);
	else
		snprintf(buf, size, "%s (%d)", ldap_err2string(rc), rc);
	ldap_memfree(diag);
}

static int
is_connect_error(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR ||
	    rc == LDAP_TIMEOUT || rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY;
}

/*
 * libldap's network timeout covers connect() only: a DC that accepts TCP and
 * then says nothing would hang a TLS handshake or a read forever.  Each
 * blocking call runs under a watchdog that shuts the socket down at the
 * deadline, so the read sees EOF and the call fails at once.  (Socket
 * timeouts do not work: GnuTLS retries EAGAIN in a busy loop.)
 */
static void
watchdog_fire(union sigval sv)
{
	uint64_t	 id = (uint64_t)(uintptr_t)sv.sival_ptr;
	struct ad_conn	*c;

	pthread_mutex_lock(&wd_lock);
	for (c = live_conns; c != NULL && c->id != id; c = c->next_live)
		;
	if (c != NULL && c->armed) {
		int fd = __atomic_load_n(&c->fd, __ATOMIC_SEQ_CST);

		__atomic_store_n(&c->fired, 1, __ATOMIC_SEQ_CST);
		if (fd >= 0)
			shutdown(fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&wd_lock);
}

static void
watchdog_arm(struct ad_conn *c)
{
	struct itimerspec its = { .it_value = { .tv_sec = c->timeout } };

	__atomic_store_n(&c->fired, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&wd_lock);
	c->armed = 1;
	pthread_mutex_unlock(&wd_lock);
	if (c->has_timer)
		timer_settime(c->timer, 0, &its, NULL);
}

static void
watchdog_disarm(struct ad_conn *c)
{
	struct itimerspec its = { 0 };

	if (c->has_timer)
		timer_settime(c->timer, 0, &its, NULL);
	pthread_mutex_lock(&wd_lock);
	c->armed = 0;
	pthread_mutex_unlock(&wd_lock);
}

/* libldap tells us the socket as soon as it is connected */
static int
conn_add(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv, struct sockaddr *addr,
    struct ldap_conncb *ctx)
{
	struct ad_conn	*c = ctx->lc_arg;
	ber_socket_t	 fd = -1;

	(void)ld;
	(void)srv;
	(void)addr;
	if (ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) == 1)
		__atomic_store_n(&c->fd, (int)fd, __ATOMIC_SEQ_CST);
	return 0;
}

static void
conn_del(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx)
{
	struct ad_conn	*c = ctx->lc_arg;

	(void)ld;
	(void)sb;
	__atomic_store_n(&c->fd, -1, __ATOMIC_SEQ_CST);
}

static struct ad_conn *
conn_new(int timeout)
{
	struct ad_conn	*c;
	struct sigevent	 sev;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->fd = -1;
	c->timeout = timeout;
	c->cb.lc_add = conn_add;
	c->cb.lc_del = conn_del;
	c->cb.lc_arg = c;
	pthread_mutex_lock(&wd_lock);
	c->id = ++last_id;
	c->next_live = live_conns;
	live_conns = c;
	pthread_mutex_unlock(&wd_lock);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = watchdog_fire;
	sev.sigev_value.sival_ptr = (void *)(uintptr_t)c->id;
	c->has_timer = timer_create(CLOCK_MONOTONIC, &sev, &c->timer) == 0;
	return c;
}

static void
conn_free(struct ad_conn *c)
{
	struct ad_conn	**pp;

	if (c == NULL)
		return;
	pthread_mutex_lock(&wd_lock);
	for (pp = &live_conns; *pp != NULL; pp = &(*pp)->next_live)
		if (*pp == c) {
			*pp = c->next_live;
			break;
		}
	pthread_mutex_unlock(&wd_lock);
	if (c->has_timer)
		timer_delete(c->timer);
	if (c->ld != NULL)
		ldap_unbind_ext_s(c->ld, NULL, NULL);
	free(c->uri);
	free(c);
}

static int
set_options(struct ad_conn *c, const struct ad_params *p, char *why,
    size_t size)
{
	LDAP			*ld = c->ld;
	struct timeval	tv = { .tv_sec = p->timeout, .tv_usec = 0 };
	int		v3 = LDAP_VERSION3, hard = LDAP_OPT_X_TLS_HARD;
	int		tlsmin = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2, zero = 0;
	/*
	 * Not LDAP_OPT_NETWORK_TIMEOUT: it makes libldap poll a stalled TLS
	 * handshake in a busy loop.  TCP_USER_TIMEOUT bounds connect(); the
	 * watchdog bounds everything after it.
	 */
	unsigned int	tcp_ms = (unsigned int)p->timeout * 1000;

	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) ||
	    ldap_set_option(ld, LDAP_OPT_CONNECT_CB, &c->cb) ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) ||
	    ldap_set_option(ld, LDAP_OPT_TCP_USER_TIMEOUT, &tcp_ms) ||

	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &hard) ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &tlsmin) ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, p->ca_file)) {
		snprintf(why, size, "cannot set LDAP options");
		return -1;
	}
	/* a context of this handle's own: our CA, not ldap.conf's */
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero)) {
		snprintf(why, size, "cannot set up TLS with CA file %s",
		    p->ca_file);
		return -1;
	}
	return 0;
}

static void
append(char *err, size_t errlen, const char *msg)
{
	size_t	len = strlen(err);

	if (len > 0 && len + 2 < errlen) {
		strcat(err, "; ");
		len += 2;
	}
	if (len < errlen)
		snprintf(err + len, errlen - len, "%s", msg);
}

/* after a failed call: say it was the deadline, not a lost connection */
static void
call_why(struct ad_conn *c, int rc, char *why, size_t size)
{
	if (__atomic_load_n(&c->fired, __ATOMIC_SEQ_CST))
		snprintf(why, size, "no answer within %ds (timeout)",
		    c->timeout);
	else
		ldap_why(c->ld, rc, why, size);
}

struct ad_conn *
ad_connect(const struct ad_params *p, char *err, size_t errlen)
{
	struct ad_conn	*c;
	struct berval	 cred;
	char		 why[512], msg[768];
	int		 rc;

	if (errlen > 0)
		err[0] = '\0';
	if (p->nuris == 0) {
		seterr(err, errlen, "no LDAP URI configured");
		return NULL;
	}
	for (size_t i = 0; i < p->nuris; i++) {
		const char *uri = p->uris[i];

		if (ad_uri_allowed(uri, p->starttls, why, sizeof(why)) == -1) {
			snprintf(msg, sizeof(msg), "%s: %s", uri, why);
			append(err, errlen, msg);
			continue;
		}
		if ((c = conn_new(p->timeout)) == NULL ||
		    (c->uri = strdup(uri)) == NULL) {
			conn_free(c);
			seterr(err, errlen, "out of memory");
			return NULL;
		}
		if ((rc = ldap_initialize(&c->ld, uri)) != LDAP_SUCCESS) {
			snprintf(msg, sizeof(msg), "%s: %s", uri,
			    ldap_err2string(rc));
			append(err, errlen, msg);
			conn_free(c);
			continue;
		}
		if (set_options(c, p, why, sizeof(why)) == -1) {
			snprintf(msg, sizeof(msg), "%s: %s", uri, why);
			append(err, errlen, msg);
			conn_free(c);
			continue;
		}
		if (p->starttls) {
			watchdog_arm(c);
			rc = ldap_start_tls_s(c->ld, NULL, NULL);
			watchdog_disarm(c);
			if (rc != LDAP_SUCCESS) {
				call_why(c, rc, why, sizeof(why));
				snprintf(msg, sizeof(msg), "%s: StartTLS: %s",
				    uri, why);
				append(err, errlen, msg);
				conn_free(c);
				continue;
			}
		}
		cred.bv_val = (char *)p->password;
		cred.bv_len = strlen(p->password);
		watchdog_arm(c);
		rc = ldap_sasl_bind_s(c->ld, p->bind_dn, LDAP_SASL_SIMPLE,
		    &cred, NULL, NULL, NULL);
		watchdog_disarm(c);
		if (rc != LDAP_SUCCESS) {
			call_why(c, rc, why, sizeof(why));
			if (is_connect_error(rc)) {
				snprintf(msg, sizeof(msg), "%s: %s", uri, why);
				append(err, errlen, msg);
				conn_free(c);
				continue;
			}
			/* the next DC would say the same: stop here */
			seterr(err, errlen, "%s: bind as %s: %s", uri,
			    p->bind_dn, why);
			conn_free(c);
			return NULL;
		}
		return c;
	}
	return NULL;
}

void
ad_close(struct ad_conn *c)
{
	conn_free(c);
}

const char *
ad_uri(const struct ad_conn *c)
{
	return c->uri;
}

unsigned int
ad_uac_with_disabled(unsigned int uac, int disabled)
{
	return disabled ? (uac | UAC_ACCOUNTDISABLE) :
	    (uac & ~UAC_ACCOUNTDISABLE);
}

int
ad_uac_is_disabled(unsigned int uac)
{
	return (uac & UAC_ACCOUNTDISABLE) != 0;
}

void
ad_guid_format(const unsigned char b[16], char out[AD_GUID_LEN + 1])
{
	/* first three fields little-endian on the wire, as Windows shows */
	snprintf(out, AD_GUID_LEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9],
	    b[10], b[11], b[12], b[13], b[14], b[15]);
}

int
ad_guid_equal(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

int
ad_dn_valid(const char *dn)
{
	LDAPDN	ldn = NULL;
	int	ok;

	if (dn == NULL || *dn == '\0')
		return 0;
	ok = ldap_str2dn(dn, &ldn, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS &&
	    ldn != NULL;
	ldap_dnfree(ldn);
	return ok;
}

enum ad_uri_kind
ad_uri_parse(const char *uri, char *why, size_t size)
{
	LDAPURLDesc		*lud = NULL;
	enum ad_uri_kind	 kind = AD_URI_BAD;

	/*
	 * ldap_initialize() splits its argument at blanks and commas and
	 * tries every piece: "ldaps://a ldap://b" or "ldaps://a/,ldap://b"
	 * would be plain LDAP behind an ldaps:// prefix.
	 */
	if (uri[strcspn(uri, " \t\r\n,")] != '\0') {
		snprintf(why, size, "holds a blank or a comma: give one URI "
		    "per entry of the list");
		return AD_URI_BAD;
	}
	if (ldap_url_parse(uri, &lud) != LDAP_URL_SUCCESS) {
		snprintf(why, size, "is not an LDAP URI like "
		    "ldaps://dc1.example.com[:port]");
		return AD_URI_BAD;
	}
	if (lud->lud_next != NULL || lud->lud_host == NULL ||
	    *lud->lud_host == '\0')
		snprintf(why, size, "names no server: give ldaps://host[:port]");
	else if ((lud->lud_dn != NULL && *lud->lud_dn != '\0') ||
	    lud->lud_attrs != NULL || lud->lud_filter != NULL ||
	    lud->lud_exts != NULL || lud->lud_scope != LDAP_SCOPE_BASE)
		snprintf(why, size, "has a DN, attributes, scope, filter or "
		    "extensions: give only ldaps://host[:port]");
	else if (strcasecmp(lud->lud_scheme, "ldaps") == 0)
		kind = AD_URI_LDAPS;
	else if (strcasecmp(lud->lud_scheme, "ldap") == 0)
		kind = AD_URI_LDAP;
	else
		snprintf(why, size, "is not an ldaps:// or ldap:// URI");
	ldap_free_urldesc(lud);
	return kind;
}

int
ad_uri_allowed(const char *uri, int starttls, char *why, size_t size)
{
	switch (ad_uri_parse(uri, why, size)) {
	case AD_URI_LDAPS:
		if (!starttls)
			return 0;
		snprintf(why, size, "is already TLS; StartTLS needs ldap:// "
		    "URIs");
		return -1;
	case AD_URI_LDAP:
		if (starttls)
			return 0;
		snprintf(why, size, "is plain unencrypted LDAP, which is "
		    "refused: use ldaps:// or StartTLS");
		return -1;
	case AD_URI_BAD:
		break;
	}
	return -1;
}

static int
parse_uac(const struct berval *bv, unsigned int *out)
{
	char		 buf[24];
	char		*end;
	long long	 v;

	if (bv->bv_len == 0 || bv->bv_len >= sizeof(buf))
		return -1;
	memcpy(buf, bv->bv_val, bv->bv_len);
	buf[bv->bv_len] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || *end != '\0' || v < INT32_MIN || v > UINT32_MAX)
		return -1;
	*out = (unsigned int)v;	/* AD writes it as a signed 32-bit int */
	return 0;
}

static void
copy_bv(const struct berval *bv, char *out, size_t size)
{
	size_t	n = bv->bv_len < size - 1 ? bv->bv_len : size - 1;

	memcpy(out, bv->bv_val, n);
	out[n] = '\0';
}

/* a base search of dn for attrs: the entry, or NULL with err and *r set */
static LDAPMessage *
read_entry(struct ad_conn *c, const char *dn, const char *const *attrs,
    LDAPMessage **res, enum ad_result *r, char *err, size_t errlen)
{
	struct timeval	 tv = { .tv_sec = c->timeout, .tv_usec = 0 };
	LDAPMessage	*e;
	char		 why[512];
	int		 rc;

	*res = NULL;
	*r = AD_ERR;
	watchdog_arm(c);
	rc = ldap_search_ext_s(c->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    (char **)attrs, 0, NULL, NULL, &tv, 2, res);
	watchdog_disarm(c);
	if (rc == LDAP_NO_SUCH_OBJECT) {
		seterr(err, errlen, "%s: %s: no such object", c->uri, dn);
		*r = AD_ENOTFOUND;
		return NULL;
	}
	if (rc != LDAP_SUCCESS) {
		call_why(c, rc, why, sizeof(why));
		seterr(err, errlen, "%s: read %s: %s", c->uri, dn, why);
		return NULL;
	}
	if ((e = ldap_first_entry(c->ld, *res)) == NULL) {
		seterr(err, errlen, "%s: %s: not found or not readable by the "
		    "bind account", c->uri, dn);
		*r = AD_ENOTFOUND;
		return NULL;
	}
	*r = AD_OK;
	return e;
}

enum ad_result
ad_read_values(struct ad_conn *c, const char *dn, const char *attr,
    char ***out, size_t *n, char *err, size_t errlen)
{
	const char	 *attrs[] = { attr, NULL };
	LDAPMessage	 *res = NULL, *e;
	struct berval	**v = NULL;
	enum ad_result	  r;
	size_t		  i, k;

	*out = NULL;
	*n = 0;
	if ((e = read_entry(c, dn, attrs, &res, &r, err, errlen)) == NULL)
		goto out;
	if ((v = ldap_get_values_len(c->ld, e, attr)) == NULL)
		goto out;		/* no value: an empty list */
	for (i = 0; v[i] != NULL; i++)
		;
	if ((*out = calloc(i + 1, sizeof(char *))) == NULL) {
		seterr(err, errlen, "out of memory");
		r = AD_ERR;
		goto out;
	}
	for (k = 0; k < i; k++) {
		if (((*out)[k] = malloc(v[k]->bv_len + 1)) == NULL) {
			/* a short list would read as values removed */
			while (k > 0)
				free((*out)[--k]);
			free(*out);
			*out = NULL;
			seterr(err, errlen, "out of memory");
			r = AD_ERR;
			goto out;
		}
		memcpy((*out)[k], v[k]->bv_val, v[k]->bv_len);
		(*out)[k][v[k]->bv_len] = '\0';
	}
	*n = k;
 out:
	ldap_value_free_len(v);
	ldap_msgfree(res);
	return r;
}

enum ad_result
ad_read_joined(struct ad_conn *c, const char *dn, const char *const *attrs,
    size_t nattrs, char (*out)[AD_JOINED_MAX], char *err, size_t errlen)
{
	LDAPMessage	 *res = NULL, *e;
	struct berval	**v;
	enum ad_result	  r;

	if ((e = read_entry(c, dn, attrs, &res, &r, err, errlen)) != NULL)
		for (size_t i = 0; i < nattrs; i++) {
			size_t len = 0;

			out[i][0] = '\0';
			if ((v = ldap_get_values_len(c->ld, e, attrs[i])) == NULL)
				continue;
			for (size_t k = 0; v[k] != NULL; k++) {
				len = strlen(out[i]);
				snprintf(out[i] + len, AD_JOINED_MAX - len,
				    "%s%.*s", k ? "; " : "", (int)v[k]->bv_len,
				    v[k]->bv_val);
			}
			ldap_value_free_len(v);
		}
	ldap_msgfree(res);
	return r;
}

void
ad_values_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

enum ad_result
ad_read_account(struct ad_conn *c, const char *dn, struct ad_account *a,
    char *err, size_t errlen)
{
	LDAPMessage	 *res = NULL, *e;
	struct berval	**v;
	enum ad_result	  r;

	memset(a, 0, sizeof(*a));
	if ((e = read_entry(c, dn, ad_attrs, &res, &r, err, errlen)) == NULL)
		goto out;
	r = AD_ERR;
	v = ldap_get_values_len(c->ld, e, "userAccountControl");
	if (v == NULL || v[0] == NULL || parse_uac(v[0], &a->uac) == -1) {
		seterr(err, errlen, "%s: %s: userAccountControl missing or not "
		    "readable by the bind account", c->uri, dn);
		ldap_value_free_len(v);
		goto out;
	}
	ldap_value_free_len(v);
	v = ldap_get_values_len(c->ld, e, "objectGUID");
	if (v == NULL || v[0] == NULL || v[0]->bv_len != 16) {
		seterr(err, errlen, "%s: %s: objectGUID missing or malformed",
		    c->uri, dn);
		ldap_value_free_len(v);
		goto out;
	}
	ad_guid_format((const unsigned char *)v[0]->bv_val, a->guid);
	ldap_value_free_len(v);
	if ((v = ldap_get_values_len(c->ld, e, "sAMAccountName")) != NULL &&
	    v[0] != NULL)
		copy_bv(v[0], a->sam, sizeof(a->sam));
	ldap_value_free_len(v);
	if ((v = ldap_get_values_len(c->ld, e, "whenChanged")) != NULL &&
	    v[0] != NULL)
		copy_bv(v[0], a->when_changed, sizeof(a->when_changed));
	ldap_value_free_len(v);
	/* read with the rest: the review after use needs no read of its own */
	if ((v = ldap_get_values_len(c->ld, e, "pwdLastSet")) != NULL &&
	    v[0] != NULL) {
		char		buf[32];
		long long	ft;

		copy_bv(v[0], buf, sizeof(buf));
		ft = strtoll(buf, NULL, 10);
		a->pwd_last_set_ms = ft > 0 ? ft / 10000 - FILETIME_EPOCH_MS : 0;
	}
	ldap_value_free_len(v);
	r = AD_OK;
 out:
	ldap_msgfree(res);
	return r;
}

/* delete the value we read, add the new one: fails if someone was faster */
static int
cas_modify(struct ad_conn *c, const char *dn, unsigned int oldv,
    unsigned int newv)
{
	char		 so[16], sn[16];
	char		 attr[] = "userAccountControl";
	struct berval	 bo, bn;
	struct berval	*vo[2] = { &bo, NULL }, *vn[2] = { &bn, NULL };
	LDAPMod		 mdel, madd;
	LDAPMod		*mods[3] = { &mdel, &madd, NULL };
	int		 rc;

	/* AD's syntax is a signed 32-bit integer */
	snprintf(so, sizeof(so), "%d", (int)oldv);
	snprintf(sn, sizeof(sn), "%d", (int)newv);
	bo.bv_val = so;
	bo.bv_len = strlen(so);
	bn.bv_val = sn;
	bn.bv_len = strlen(sn);
	memset(&mdel, 0, sizeof(mdel));
	memset(&madd, 0, sizeof(madd));
	mdel.mod_op = LDAP_MOD_DELETE | LDAP_MOD_BVALUES;
	mdel.mod_type = attr;
	mdel.mod_bvalues = vo;
	madd.mod_op = LDAP_MOD_ADD | LDAP_MOD_BVALUES;
	madd.mod_type = attr;
	madd.mod_bvalues = vn;
	watchdog_arm(c);
	rc = ldap_modify_ext_s(c->ld, dn, mods, NULL, NULL);
	watchdog_disarm(c);
	return rc;
}

enum ad_result
ad_set_disabled(struct ad_conn *c, const char *dn, const char *pin_guid,
    int disabled, struct ad_change *ch, char *err, size_t errlen)
{
	struct ad_account	a;
	enum ad_result		r;
	char			why[512];
	int			rc;

	memset(ch, 0, sizeof(*ch));
	for (;;) {
		if ((r = ad_read_account(c, dn, &a, err, errlen)) != AD_OK)
			return r;
		if (pin_guid != NULL && !ad_guid_equal(a.guid, pin_guid)) {
			seterr(err, errlen, "%s: %s has objectGUID %s, not the "
			    "pinned %s: refusing to touch another object",
			    c->uri, dn, a.guid, pin_guid);
			return AD_EGUID;
		}
		ch->old_uac = a.uac;	/* what the write replaces */
		ch->new_uac = ad_uac_with_disabled(a.uac, disabled);
		if (ch->new_uac == a.uac)
			return AD_OK;	/* already so: nothing to write */
		if (ch->tries >= AD_CAS_TRIES) {
			seterr(err, errlen, "%s: %s: userAccountControl kept "
			    "changing under us (%d attempts)", c->uri, dn,
			    ch->tries);
			return AD_ERR;
		}
		ch->tries++;
		AD_FAULT("before-modify");
		rc = cas_modify(c, dn, a.uac, ch->new_uac);
		if (rc == LDAP_SUCCESS)
			break;
		if (rc == LDAP_NO_SUCH_ATTRIBUTE ||
		    rc == LDAP_TYPE_OR_VALUE_EXISTS)
			continue;	/* changed since our read: again */
		call_why(c, rc, why, sizeof(why));
		if (rc == LDAP_INSUFFICIENT_ACCESS)
			seterr(err, errlen, "%s: modify userAccountControl of "
			    "%s: %s; the bind account needs Write Property on "
			    "userAccountControl of this user", c->uri, dn, why);
		else
			seterr(err, errlen, "%s: modify userAccountControl of "
			    "%s: %s", c->uri, dn, why);
		return AD_ERR;
	}
	AD_FAULT("after-modify");
	/* the read-back is the proof: some servers take a stale delete */
	if ((r = ad_read_account(c, dn, &a, err, errlen)) != AD_OK)
		return r;
	if (ad_uac_is_disabled(a.uac) != (disabled != 0)) {
		seterr(err, errlen, "%s: %s: modify accepted but "
		    "userAccountControl reads back %u", c->uri, dn, a.uac);
		return AD_ERR;
	}
	ch->new_uac = a.uac;
	ch->changed = 1;
	ch->pwd_last_set_ms = a.pwd_last_set_ms;
	return AD_OK;
}

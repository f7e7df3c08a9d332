/* SPDX-License-Identifier: ISC */
/* ad.h - Active Directory over LDAP: failover connect, bind, read, CAS flip */
#ifndef BG_AD_H
#define BG_AD_H

#include <stddef.h>
#include <stdint.h>

#define UAC_ACCOUNTDISABLE	0x0002u
#define AD_GUID_LEN		36
#define AD_CAS_TRIES		3

/* results: AD_OK, or why not; err always says more */
enum ad_result {
	AD_OK = 0,
	AD_ERR = -1,		/* directory unreachable, refused, failed */
	AD_EGUID = -2,		/* object GUID differs from the pin: refused */
	AD_ENOTFOUND = -3,	/* no such DN */
};

struct ad_params {
	const char *const	*uris;		/* tried in order */
	size_t			 nuris;
	int			 starttls;	/* ldap:// + StartTLS */
	const char		*ca_file;
	const char		*bind_dn;
	const char		*password;	/* borrowed, never copied */
	int			 timeout;	/* seconds, each operation */
};

struct ad_account {
	unsigned int	uac;
	char		guid[AD_GUID_LEN + 1];	/* Windows string form */
	char		sam[257];
	char		when_changed[32];	/* generalized time as read */
	int64_t		pwd_last_set_ms;	/* pwdLastSet, ms since the
						   epoch; 0: never or not read */
};

struct ad_change {
	unsigned int	old_uac;	/* as the last read found it */
	unsigned int	new_uac;
	int		changed;	/* 0: already in the wanted state */
	int		tries;		/* modify attempts made */
	int64_t		pwd_last_set_ms; /* as the read-back found it */
};

struct ad_conn;

/*
 * Connect to the first ldap URI that answers, TLS verified, and bind.
 * Connection failures move on to the next URI; a bind or TLS failure is
 * reported with the server named.  Returns NULL with err set.
 */
struct ad_conn	*ad_connect(const struct ad_params *, char *err, size_t errlen);
void		 ad_close(struct ad_conn *);
const char	*ad_uri(const struct ad_conn *);

enum ad_result	 ad_read_account(struct ad_conn *, const char *dn,
		    struct ad_account *, char *err, size_t errlen);
/*
 * Every value of one attribute of dn (NUL-terminated copies; none: *n = 0,
 * AD_OK).  ad_values_free() them.  For allowedAttributesEffective and the
 * on-prem watch (badPwdCount, lockoutTime, ...).
 */
enum ad_result	 ad_read_values(struct ad_conn *, const char *dn,
		    const char *attr, char ***out, size_t *n, char *err,
		    size_t errlen);
void		 ad_values_free(char **, size_t);
/*
 * Several attributes of dn in one search: out[i] gets every value of
 * attrs[i] (a NULL-terminated list of nattrs names) joined by "; ",
 * cut at AD_JOINED_MAX; "" when it has none.
 */
#define AD_JOINED_MAX	2048
enum ad_result	 ad_read_joined(struct ad_conn *, const char *dn,
		    const char *const *attrs, size_t nattrs,
		    char (*out)[AD_JOINED_MAX], char *err, size_t errlen);
/*
 * Set or clear ACCOUNTDISABLE and nothing else, as a compare-and-swap
 * (delete old value, add new one in one modify), retried on conflict,
 * then read back.  With pin_guid set, refuse unless the object's GUID
 * is that one.
 */
enum ad_result	 ad_set_disabled(struct ad_conn *, const char *dn,
		    const char *pin_guid, int disabled, struct ad_change *,
		    char *err, size_t errlen);

/* pure helpers, unit-tested */
unsigned int	 ad_uac_with_disabled(unsigned int uac, int disabled);
int		 ad_uac_is_disabled(unsigned int uac);
void		 ad_guid_format(const unsigned char bytes[16],
		    char out[AD_GUID_LEN + 1]);
int		 ad_guid_equal(const char *a, const char *b);
/*
 * A whole DN as the config gives it.  No DN or filter is ever built from
 * input (every search is a base search of a configured DN for
 * "(objectClass=*)"), so there is no escaping to do.
 */
int		 ad_dn_valid(const char *dn);
/*
 * One ldap.uri entry, as libldap will read it: exactly one URL (libldap
 * takes blank- or comma-separated lists), a host, nothing after it.
 * AD_URI_LDAPS or AD_URI_LDAP (StartTLS only); AD_URI_BAD with why.
 * The check of the scheme against StartTLS is the caller's
 * (ad_uri_allowed).
 */
enum ad_uri_kind { AD_URI_BAD = -1, AD_URI_LDAPS, AD_URI_LDAP };
enum ad_uri_kind ad_uri_parse(const char *uri, char *why, size_t size);
/* ad_uri_parse, and the scheme is ldaps:// without, ldap:// with StartTLS */
int		 ad_uri_allowed(const char *uri, int starttls, char *why,
		    size_t size);

#ifdef BG_FAULT_HOOKS
/*
 * The fault build only (make fault-build; never shipped): called with
 * "before-modify" between the read and each compare-and-swap write, and
 * with "after-modify" once a write was accepted, before the read-back.
 * A pointer, so that ldap/ needs nothing of agent/ (main.c sets it).
 */
extern void	(*ad_fault_hook)(const char *point);
#endif

#endif

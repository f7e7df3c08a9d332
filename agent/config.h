/* SPDX-License-Identifier: ISC */
/* config.h - the one struct config; nothing else parses the file */
#ifndef BG_CONFIG_H
#define BG_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_DEFAULT_PATH	"/etc/breakglass/breakglass.conf"

enum bg_mode { MODE_AUTO, MODE_MONITOR, MODE_MANUAL };
enum bg_drift { DRIFT_ALERT, DRIFT_REVERT };


/*
 * "Strong authentication required" interrupts (AADSTS50074, 50076): Entra
 * logs one whenever it asks a user for the second factor.  They count the
 * MFA attempts (source_signin_failures.c), never as failures.
 */
#define SIGNIN_INTERRUPTS	{ 50074, 50076 }

struct strlist {
	char	**v;
	size_t	  n;
};

#define ACCOUNTS_MAX		16	/* account sections in one config */
#define ACCOUNT_NAME_MAX	32	/* bytes of an account's name */
#define ACCOUNT_DEFAULT		"default"	/* the untitled account { } */

/* one break-glass account: account NAME { } (issue 15) */
struct account_cfg {
	char	*name;		/* [a-z][a-z0-9_-]*, unique */
	char	*dn;
	char	*object_guid;	/* NULL: no pin */
	char	*upn;
	int	 automatic;	/* auto: automatic mode toggles it */
	size_t	 index;		/* in accounts[]: 0 is the first */
};

struct config {
	char		*path;
	char		*state_dir;
	struct account_cfg	*accounts;	/* in the file's order */
	size_t			 naccounts;	/* 1 .. ACCOUNTS_MAX */
	/*
	 * The account this config acts on: &accounts[0] as loaded; a view
	 * made by config_view() points at another.  Everything that touches
	 * one account reads it here (issue 15).
	 */
	const struct account_cfg *account;
	struct {
		struct strlist	 uri;
		int		 starttls;
		char		*bind_dn;
		char		*bind_password_file;
		char		*ca_file;
		int64_t		 timeout;
	} ldap;
	struct {
		char	*tenant_id;
		char	*client_id;
		char	*client_secret_file;
		char	*client_cert_file;
		char	*client_key_file;
		char	*authority;
		char	*endpoint;
		char	*ca_file;
		int64_t	 timeout;
	} graph;
	struct {
		enum bg_mode	 mode;
		int64_t		 poll_interval;
		long		 rise;
		long		 fall;
		int64_t		 manual_for;
		enum bg_drift	 on_drift;
		struct strlist	 services;
		struct strlist	 features;
		struct strlist	 keywords;
		struct strlist	 statuses;
		struct strlist	 classifications;
		long		 unreachable_after;
		char		*probe_url;
		int		 token_probe_acts;	/* "act": may enable
							   alone; "warn" */
		/* policy.sources: whether each source may act alone */
		int		 service_health_acts;
		int		 signin_acts;		/* signin-failures */
		int64_t		 signin_every;		/* read this often */
		int64_t		 signin_window;		/* this far back */
		long		*signin_codes;		/* MFA-step failures */
		size_t		 signin_ncodes;
		long		 signin_min_users;
		double		 signin_ratio;
		int64_t		 drill_every;	/* 0: no drill reminder */
		long		 takeover_hold;	/* polls an adopted state is
						   held; 0: max(rise, fall) */
	} policy;
	struct {
		int		 signins;	/* cloud sign-ins of account.upn */
		int		 directory;	/* badPwdCount, lockoutTime, ... */
		int64_t		 every;		/* sign-ins read this often */
	} watch;
	struct {
		char		*command;	/* after each account change */
		int64_t		 timeout;
		int64_t		 confirm_within;	/* cloud confirmation */
	} sync;
	struct {
		int		 revoke_sessions;	/* after a window (with
							   graph and upn) */
	} recovery;
	struct {
		int64_t	 remind_every;
		struct {
			char		*url;
			char		*starttls;
			char		*username;
			char		*password_file;
			char		*ca_file;
			char		*from;
			struct strlist	 to;
		} smtp;
		struct {
			char	*url;		/* or url_file, not both */
			char	*url_file;	/* holds the URL: a secret */
			char	*ca_file;
			int64_t	 timeout;
		} webhook;
		char	*command;
	} notify;
	struct {
		char	*peer_name;	/* this host, in audit lines and
					   mails; NULL: a single host */
	} ha;
};

/* -c FILE, else $BREAKGLASS_CONF, else the default */
const char	*config_path(const char *opt);
/*
 * Parse and validate.  Returns a config to release with config_free(), or
 * NULL with err set to one line naming the file, line and key.
 */
struct config	*config_load(const char *path, char *err, size_t errlen);
void		 config_free(struct config *);
/* the secret files it names exist, are regular, 0600 or stricter */
/* the rules between keys, after the file parsed (config_rules.c) */
int		 config_check_keys(const struct config *, char *err,
		    size_t errlen);
int		 config_check_secrets(const struct config *, char *err,
		    size_t errlen);
/* the graph section is complete enough to get a token */
int		 config_graph_ready(const struct config *, char *err,
		    size_t errlen);
/* recovery.revoke_sessions, with Graph and the account's upn set */
int		 config_revoke_applies(const struct config *);
/* a webhook is configured: notify.webhook.url or url_file */
int		 config_has_webhook(const struct config *);
/*
 * The webhook URL: notify.webhook.url, or the one in url_file read under
 * the secret-file rules and checked like url.  0 with *url to release with
 * secret_free(); -1 with err, which never quotes the URL.
 */
int		 config_webhook_url(const struct config *, char **url,
		    char *err, size_t errlen);
/* secrets masked: the webhook URL shows scheme://host[:port]/ only */
void		 config_print(const struct config *, FILE *);
/*
 * A view of c acting on accounts[i]: a shallow copy sharing c's strings,
 * valid while c is; never passed to config_free().
 */
void		 config_view(const struct config *c, size_t i,
		    struct config *view);
/* the account named name, NULL if none */
const struct account_cfg *config_account(const struct config *,
		    const char *name);
/* "a, b, c": the accounts' names, for messages */
void		 config_accounts_list(const struct config *, char *buf,
		    size_t size);
const char	*mode_name(enum bg_mode);
const char	*drift_name(enum bg_drift);

#endif

/* SPDX-License-Identifier: ISC */
/* privdrop.h - a command run as root becomes the owner of state_dir */
#ifndef BG_PRIVDROP_H
#define BG_PRIVDROP_H

#include <stddef.h>

#include "config.h"

/*
 * Open and check state_dir (statedir_open); when root and state_dir is
 * another user's, hold the secret files open and become that user for good
 * (groups, gid, uid; verified).  Call it once the config is read and the
 * actor known.  -1 with err: state_dir refused, or the change of user failed.
 */
int	privdrop(const struct config *, char *err, size_t errlen);

#endif

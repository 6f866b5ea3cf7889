/* lib/source_name.h: the name of a user's crontab as a schedule source.
 *
 * crond's scheduler names each crontab it holds (a "source"): a user's
 * crontab is "user:OWNER", a system crontab is its absolute path, so the two
 * can never collide. The name is also what a crontab's '~' seed is derived
 * from (crontab_random_seed), so crond and the crontab CLI must spell it the
 * same way: both build and read it only through this module.
 */
#ifndef CROND_LIB_SOURCE_NAME_H
#define CROND_LIB_SOURCE_NAME_H

#include <stddef.h>

#define SOURCE_USER_PREFIX "user:"

/* Bytes a buffer needs for the source name of any owner of at most
 * OWNER_MAX bytes, the terminating NUL included. */
#define SOURCE_NAME_SIZE(owner_max) (sizeof(SOURCE_USER_PREFIX) + (owner_max))

/* Writes "user:OWNER" into BUF (LEN bytes, NUL-terminated). Returns 0, or -1
 * when OWNER is empty or the name would not fit in LEN bytes: BUF then holds
 * "" (never a cut-off name, which could be another user's). */
int source_name_user(char *buf, size_t len, const char *owner);

/* The owner named by NAME when it is a user's crontab ("user:OWNER" with a
 * non-empty OWNER): a pointer into NAME. NULL for anything else (a system
 * crontab's path). */
const char *source_name_owner(const char *name);

#endif

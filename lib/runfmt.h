/* lib/runfmt.h: how the commands show a run from the history.
 *
 * `crontab --history` and `atq --history` print the same columns the same
 * way: times in the local zone, a short duration, the result, the flags,
 * and the first line of a text cut to a width. Pure formatting: nothing
 * here reads the clock or the environment (the zone is passed in), and the
 * print function writes only to stdout.
 */
#ifndef CROND_LIB_RUNFMT_H
#define CROND_LIB_RUNFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/tz.h"

/* "YYYY-MM-DD HH:MM", or with ":SS" when WITH_SECONDS, of instant T. */
void runfmt_time(const struct tz *zone, int64_t t, bool with_seconds, char *buf, size_t len);

/* "1.2s", "42s", "12m03s", "3h04m"; "running" while END_MS is 0; "-" for a
 * run that never started or has no status (RUNF_* FLAGS), unless it was
 * interrupted: then the time until crond noticed. */
void runfmt_duration(uint32_t flags, int64_t start_ms, int64_t end_ms, char *buf, size_t len);

/* "exit N", "signal N", or "-" (never started, no status, still running). */
void runfmt_result(uint32_t flags, int64_t end_ms, uint32_t status, uint32_t signal, char *buf,
                   size_t len);

/* The RUNF_* flags as "skipped,timed-out,...", or "-" when none. */
void runfmt_flags(uint32_t flags, char *buf, size_t len);

/* Prints the first line of S (N bytes) in at most WIDTH characters (a UTF-8
 * sequence counts as one), tabs as spaces, control bytes (a CR included)
 * and anything else a terminal would obey escaped (lib/safetext.h: "\e",
 * "\r", "\x9b", each character of an escape counting as one), "..." when
 * cut or when more than newlines follows that line; padded with spaces to
 * WIDTH when PAD. */
void runfmt_print_cut(const void *s, size_t n, size_t width, bool pad);

#endif

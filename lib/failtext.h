/* lib/failtext.h: the line that says why a start failed, "WHAT: REASON",
 * cut so that the reason always shows.
 *
 * WHAT names the thing that failed and may hold a path of any length
 * ("cannot execute /home/...", "cannot chdir to ..."); REASON is short
 * (strerror's text). Cut at its end, such a line lost its reason first: a
 * user saw "cannot execute /home/ann/very/long/..." and never "No such file
 * or directory". Here WHAT gives way instead, and says so with "...".
 *
 * Plain string work: no allocation, no locale, safe in any thread.
 */
#ifndef CROND_LIB_FAILTEXT_H
#define CROND_LIB_FAILTEXT_H

#include <stddef.h>

/* Writes "WHAT: REASON" into BUF (LEN bytes, NUL-terminated when LEN > 0).
 * When it does not fit, WHAT is cut and ends in "..." so that all of REASON
 * fits; a REASON too long for BUF by itself is cut at its end. */
void failtext(char *buf, size_t len, const char *what, const char *reason);

#endif

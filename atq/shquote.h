/* atq/shquote.h: writing arbitrary bytes as one word of /bin/sh.
 *
 * `at -c` prints a job as a shell script: the captured environment, the
 * working directory, the umask. Values come from the user's environment and
 * may hold any byte but NUL (quotes, `$`, backquotes, newlines, control
 * characters, invalid UTF-8), so each is written in a form that sh reads
 * back as exactly those bytes and never expands: as is when every byte is
 * in a small safe set, else in single quotes, with each ' written as '\''.
 * Inside single quotes sh gives every byte, newlines included, its literal
 * meaning. Pure: no globals, no allocation.
 */
#ifndef CROND_ATQ_SHQUOTE_H
#define CROND_ATQ_SHQUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* True when S[0..LEN) must be quoted to be read back as itself: it is
 * empty, or holds a byte outside A-Z a-z 0-9 and _ @ % + = : , . / -
 * (none of which sh treats specially in a word, in an assignment's value
 * or in a command's operand). */
bool shquote_needed(const char *s, size_t len);

/* Writes S[0..LEN) to OUT as one sh word (see above). Returns 0, or -1 when
 * writing failed (ferror(OUT) is then set). */
int shquote_write(FILE *out, const char *s, size_t len);

/* True when S[0..LEN) is a shell identifier: a letter or '_', then letters,
 * digits and '_'. Only such names can be exported by sh. */
bool shquote_is_name(const char *s, size_t len);

#endif

/* lib/safetext.h: text from users, made safe to show on a terminal or to
 * write into a log.
 *
 * A command, a job's output or a crontab line may hold any bytes. Shown raw
 * on root's terminal, ESC and the other control characters are commands to
 * the terminal (move the cursor, rewrite the screen, set the title, on some
 * terminals even answer back as typed input); written raw into a log, a
 * newline forges another line. Everything that shows users' text (the
 * daemon's log lines, `crontab --history`, `atq --history`; another
 * user's crontab or at job shown on a terminal) passes it through here.
 *
 * What is kept: printable ASCII, and valid UTF-8 sequences of printable
 * code points. What is escaped, C-style:
 *   - \a \b \t \n \v \f \r and \e for BEL, BS, TAB, LF, VT, FF, CR, ESC;
 *   - \xNN for the other C0 controls, DEL, and every byte that is not
 *     part of a valid UTF-8 sequence (a lone 0x9b, the 8-bit CSI, included);
 *   - \uNNNN for the C1 controls encoded in UTF-8 (U+0080-U+009F), the line
 *     and paragraph separators (U+2028, U+2029) and the invisible
 *     direction marks and overrides that reorder what a reader sees
 *     (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and U+FEFF.
 * A backslash is kept as it is: the result is for reading, not for parsing
 * back (crontab commands are full of backslashes; doubling them would make
 * every log line harder to read and buy nothing for safety).
 * Pure functions: no allocation, no locale.
 */
#ifndef CROND_LIB_SAFETEXT_H
#define CROND_LIB_SAFETEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The longest showing of one character ("\u202e"), plus the NUL. */
#define SAFETEXT_CHAR_MAX 8

/* Reads the character at S (N >= 1 bytes) and writes how to show it into
 * OUT, NUL-terminated: the character's own bytes when it is kept, else its
 * escape. Returns the bytes of S it took (1 to 4). */
size_t safetext_char(const void *s, size_t n, char out[SAFETEXT_CHAR_MAX]);

/* True when the character at S (N >= 1 bytes) is kept as it is. *LEN gets
 * the bytes it takes (1 to 4). */
bool safetext_is_kept(const void *s, size_t n, size_t *len);

/* Escapes LEN bytes of S into BUF of SIZE (>= 1) bytes, NUL-terminated.
 * When it does not fit, it is cut before the first character whose showing
 * does not fit, never inside one. Returns the length written. */
size_t safetext_escape(const void *s, size_t len, char *buf, size_t size);

/* Writes LEN bytes of S to OUT, escaped, whole (no cut). Returns 0, or -1
 * when OUT fails. */
int safetext_fputs(const void *s, size_t len, FILE *out);

/* As safetext_fputs, but newlines and tabs are written as they are: for
 * a whole file (a crontab, an at job's script) shown on a terminal. */
int safetext_fputs_lines(const void *s, size_t len, FILE *out);

/* The offset of the first byte of S (LEN bytes) that would be escaped, or
 * LEN when there is none. */
size_t safetext_find_unsafe(const void *s, size_t len);

#endif

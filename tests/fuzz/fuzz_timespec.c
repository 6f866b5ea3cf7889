/* tests/fuzz/fuzz_timespec.c: libFuzzer target for the at time language.
 *
 * The input is what a user types after `at`: it is split at every space into
 * words, as a shell would hand them over, and parsed twice, once as those
 * words and once as one word, in two zones with DST (one with a 30-minute
 * change) and at one of four fixed instants. It also goes through the POSIX
 * `at -t` parser. Beyond "no crash, no undefined behaviour", each answer is
 * held to what atq/timespec.h promises:
 *   - words joined by one space mean the same as the joined text;
 *   - an accepted time is whole minutes, not before NOW's minute, and not
 *     beyond the year 9999;
 *   - an error names a word that exists (or NWORDS, or -1), an offset inside
 *     it, and a non-empty message.
 * A broken promise aborts, so libFuzzer keeps the input as a crash.
 * Build and run with `make fuzz` (clang, ASan+UBSan).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atq/timespec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 512
#define MAX_WORDS 64
/* 9999-12-31T23:59:59Z plus the largest UTC offset: the latest instant a
 * local time in the year 9999 can be. */
#define LATEST_INSTANT (253402300799LL + 14 * 3600)

static const char *const zones[] = { "America/New_York", "Australia/Lord_Howe" };
static const time_t nows[] = {
	1772884830,   /* 2026-03-07 11:59:30Z, the day before a US DST change */
	1775318399,   /* 2026-04-04 15:59:59Z, hours before Lord Howe's change */
	1798761599,   /* 2026-12-31 23:59:59Z, the last second of a year */
	946684800,    /* 2000-01-01 00:00:00Z */
};

static void check_error(const struct at_timespec_error *err, const char *const *words,
                        size_t nwords)
{
	if (err->msg[0] == '\0' || memchr(err->msg, '\0', sizeof err->msg) == NULL)
		abort();
	if (err->word < -1 || (size_t)(err->word + 1) > nwords + 1)
		abort();
	if (err->word >= 0 && (size_t)err->word < nwords
	    && (err->offset < 0 || (size_t)err->offset > strlen(words[err->word])))
		abort();
}

static void check_ok(time_t out, time_t now)
{
	if (out % 60 != 0 || out < now - now % 60 || (long long)out > LATEST_INSTANT)
		abort();
}

static enum at_timespec_status parse(const char *const *words, size_t nwords, time_t now,
                                     time_t *out)
{
	struct at_timespec_error err;
	memset(&err, 0x5a, sizeof err);
	enum at_timespec_status st = at_timespec_parse(words, nwords, now, out, &err);
	if (st == AT_TIMESPEC_OK)
		check_ok(*out, now);
	else
		check_error(&err, words, nwords);
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[MAX_INPUT + 1], split[MAX_INPUT + 1];
	if (size > MAX_INPUT)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	/* Split at each space; an embedded NUL simply ends the text. */
	const char *words[MAX_WORDS];
	size_t nwords = 0;
	memcpy(split, text, size + 1);
	char *p = split;
	words[nwords++] = p;
	while ((p = strchr(p, ' ')) != NULL && nwords < MAX_WORDS) {
		*p++ = '\0';
		words[nwords++] = p;
	}
	if (p != NULL)        /* too many words: not a case for the join check */
		return 0;

	unsigned sum = 0;
	for (size_t i = 0; i < size; i++)
		sum += data[i];
	time_t now = nows[sum % (sizeof nows / sizeof nows[0])];
	const char *whole[1] = { text };

	for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
		if (setenv("TZ", zones[z], 1) != 0)
			abort();
		time_t out_words = 0, out_whole = 0;
		enum at_timespec_status a = parse(words, nwords, now, &out_words);
		enum at_timespec_status b = parse(whole, 1, now, &out_whole);
		if (a != b || (a == AT_TIMESPEC_OK && out_words != out_whole))
			abort();

		struct at_timespec_error err;
		time_t out_posix;
		if (at_timespec_parse_posix(text, now, &out_posix, &err) != AT_TIMESPEC_OK)
			check_error(&err, whole, 1);
	}
	return 0;
}

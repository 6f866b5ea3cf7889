/* tests/unit/support/fds.h: how many descriptors this process has open,
 * for tests that check nothing leaks (test_mail.c, test_runner.c). */
#ifndef CROND_TESTS_SUPPORT_FDS_H
#define CROND_TESTS_SUPPORT_FDS_H

/* The descriptors open now, as /proc/self/fd lists them (the listing's own
 * left out); fails the test (cmocka) if it cannot be read. */
int count_fds(void);

#endif

/* tests/unit/test_readall.c: whole inputs read with a size cap; "-" as
 * standard input (readall) or as a file name (readall_file). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/readall.h"

struct scratch {
	char dir[64];
	int saved_cwd;
	int saved_stdin;
};

/* A scratch directory as the working directory (so that "-" names a file
 * there), and standard input saved. */
static int setup(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	snprintf(s->dir, sizeof(s->dir), "/tmp/test_readall.XXXXXX");
	s->saved_cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	s->saved_stdin = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 10);
	if (!mkdtemp(s->dir) || s->saved_cwd < 0 || s->saved_stdin < 0 || chdir(s->dir) < 0)
		return -1;
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct scratch *s = *state;
	(void)unlink("-");
	(void)unlink("stdin.txt");
	(void)unlink("fifo");
	if (fchdir(s->saved_cwd) < 0 || dup2(s->saved_stdin, STDIN_FILENO) < 0)
		return -1;
	(void)rmdir(s->dir);
	close(s->saved_cwd);
	close(s->saved_stdin);
	free(s);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void redirect_stdin(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
}

static void test_dash_is_standard_input_for_readall_and_a_file_for_readall_file(void **state)
{
	(void)state;
	write_file("-", "the file called dash\n");
	write_file("stdin.txt", "standard input\n");
	redirect_stdin("stdin.txt");
	char *buf = NULL;
	size_t len = 0;
	char err[256];
	assert_int_equal(readall_file("-", 1024, &buf, &len, err, sizeof(err)), 0);
	assert_string_equal(buf, "the file called dash\n");
	assert_int_equal(len, strlen(buf));
	free(buf);
	assert_int_equal(readall("-", 1024, &buf, &len, err, sizeof(err)), 0);
	assert_string_equal(buf, "standard input\n");
	free(buf);
}

static void test_a_missing_dash_file_names_it(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	char err[256];
	assert_int_equal(readall_file("-", 1024, &buf, &len, err, sizeof(err)), READALL_CANNOT_OPEN);
	assert_string_equal(err, "-: No such file or directory");
	assert_null(buf);
}

static void test_named_files_must_be_regular_and_within_the_cap(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	char err[256];
	assert_int_equal(mkfifo("fifo", 0600), 0);
	assert_int_equal(readall("fifo", 1024, &buf, &len, err, sizeof(err)), READALL_REFUSED);
	assert_string_equal(err, "fifo: not a regular file");
	write_file("-", "0123456789");
	assert_int_equal(readall_file("-", 9, &buf, &len, err, sizeof(err)), READALL_REFUSED);
	assert_string_equal(err, "-: file is 10 bytes, larger than 9");
	assert_int_equal(readall_file("-", 10, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 10);
	free(buf);
}

/* at -f reads what Debian's at reads: a FIFO (here with its writer, a
 * child), a device to its end or one byte past the cap; a directory is
 * refused; readall (crontab FILE, the daemon) still refuses a FIFO. */
static void test_readall_file_reads_streams_but_no_directory(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	char err[256];
	assert_int_equal(mkfifo("fifo", 0600), 0);
	pid_t writer = fork();
	assert_true(writer >= 0);
	if (writer == 0) {
		int fd = open("fifo", O_WRONLY);
		_exit(fd >= 0 && write(fd, "echo from a fifo\n", 17) == 17 ? 0 : 1);
	}
	assert_int_equal(readall_file("fifo", 1024, &buf, &len, err, sizeof(err)), 0);
	assert_string_equal(buf, "echo from a fifo\n");
	free(buf);
	int status;
	assert_int_equal(waitpid(writer, &status, 0), writer);
	assert_int_equal(status, 0);
	assert_int_equal(readall_file("/dev/null", 1024, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 0);
	free(buf);
	buf = NULL;
	assert_int_equal(readall_file("/dev/zero", 4096, &buf, &len, err, sizeof(err)),
	                 READALL_REFUSED);
	assert_string_equal(err, "/dev/zero: input is larger than 4096 bytes");
	assert_null(buf);
	assert_int_equal(readall_file(".", 1024, &buf, &len, err, sizeof(err)), READALL_REFUSED);
	assert_string_equal(err, ".: Is a directory");
	assert_int_equal(readall(".", 1024, &buf, &len, err, sizeof(err)), READALL_REFUSED);
	assert_string_equal(err, ".: not a regular file");   /* crontab DIR, as before */
	assert_int_equal(readall("/dev/null", 1024, &buf, &len, err, sizeof(err)), READALL_REFUSED);
	assert_string_equal(err, "/dev/null: not a regular file");
}

static void test_standard_input_stops_one_byte_past_the_cap(void **state)
{
	(void)state;
	write_file("stdin.txt", "0123456789");
	redirect_stdin("stdin.txt");
	char *buf = NULL;
	size_t len = 0;
	char err[256];
	assert_int_equal(readall("-", 9, &buf, &len, err, sizeof(err)), READALL_REFUSED);
	assert_string_equal(err, "standard input: input is larger than 9 bytes");
	assert_null(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		        test_dash_is_standard_input_for_readall_and_a_file_for_readall_file, setup,
		        teardown),
		cmocka_unit_test_setup_teardown(test_readall_file_reads_streams_but_no_directory, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_a_missing_dash_file_names_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_files_must_be_regular_and_within_the_cap,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_standard_input_stops_one_byte_past_the_cap,
		                                setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

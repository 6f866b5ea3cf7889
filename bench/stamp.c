/* bench/stamp.c: the job the daemon benchmark schedules.
 *
 *   stamp FILE [WORD...]
 *
 * Reads CLOCK_REALTIME first thing and appends it to FILE as one line
 * "SECONDS.NANOSECONDS\n", with a single write on an O_APPEND descriptor, so
 * a thousand jobs started at once never interleave their lines. The WORDs are
 * ignored: they only make otherwise identical crontab entries differ.
 *
 * Exit status: 0, 1 if FILE cannot be written, 2 on a usage error. It prints
 * nothing, so no daemon has output to mail.
 */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec now;
	char line[64];
	int len, fd;

	if (clock_gettime(CLOCK_REALTIME, &now) != 0 || argc < 2)
		return 2;
	len = snprintf(line, sizeof(line), "%lld.%09ld\n", (long long)now.tv_sec, now.tv_nsec);
	fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return 1;
	if (write(fd, line, (size_t)len) != len) {
		close(fd);
		return 1;
	}
	return close(fd) == 0 ? 0 : 1;
}

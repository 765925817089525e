/*
 * newlib's system calls. The console is the only file: fd 0 reads it, fds
 * 1 and 2 write it. Everything else fails honestly with errno set, so a
 * program that calls open() learns that there is no file system rather than
 * crashing.
 */
#include <errno.h>
#include <kernel/board.h>
#include <kernel/console.h>
#include <kernel/mem.h>
#include <kernel/panic.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <sys/time.h>
#include <stdint.h>
#include <stdlib.h>
#include <arch/cpu.h>

/* newlib declares these in <sys/unistd.h> only under some configurations. */
int _write(int fd, const void *buf, size_t len);
int _read(int fd, void *buf, size_t len);
void *_sbrk(ptrdiff_t incr);
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
off_t _lseek(int fd, off_t off, int whence);
int _open(const char *path, int flags, ...);
int _kill(int pid, int sig);
int _getpid(void);
int _gettimeofday(struct timeval *tv, void *tz);
clock_t _times(struct tms *t);
int _unlink(const char *path);
int _link(const char *old, const char *new);
int _stat(const char *path, struct stat *st);
int _fork(void);
int _execve(const char *path, char *const argv[], char *const envp[]);
int _wait(int *status);
noreturn void _exit(int status);

static bool is_console(int fd) { return fd >= 0 && fd <= 2; }

int _write(int fd, const void *buf, size_t len)
{
	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	console_write(buf, len);
	return (int)len;
}

int _read(int fd, void *buf, size_t len)
{
	if (fd != 0) {
		errno = EBADF;
		return -1;
	}
	if (len == 0)
		return 0;
	/* Wait for one byte, then take whatever else has already arrived. */
	char *out = buf;
	int c;
	while ((c = console_getc()) < 0)
		arch_cpu_relax();
	size_t n = 0;
	do {
		out[n++] = (char)c;
	} while (n < len && c != '\n' && (c = console_getc()) >= 0);
	return (int)n;
}

void *_sbrk(ptrdiff_t incr)
{
	void *old = mem_sbrk(incr);
	if (!old) {
		errno = ENOMEM;
		return (void *)-1;
	}
	return old;
}

int _close(int fd)
{
	if (is_console(fd))
		return 0;
	errno = EBADF;
	return -1;
}

int _fstat(int fd, struct stat *st)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	*st = (struct stat){ .st_mode = S_IFCHR };	/* a terminal: stdout is line-buffered */
	return 0;
}

int _isatty(int fd)
{
	if (is_console(fd))
		return 1;
	errno = EBADF;
	return 0;
}

off_t _lseek(int fd, off_t off, int whence)
{
	errno = is_console(fd) ? ESPIPE : EBADF;
	return -1;
}

int _gettimeofday(struct timeval *tv, void *tz)
{
	/* No wall clock: time since reset, so differences are meaningful. */
	uint64_t ticks = arch_counter(), hz = arch_counter_hz();
	tv->tv_sec = (time_t)(ticks / hz);
	tv->tv_usec = (suseconds_t)((ticks % hz) * 1000000 / hz);
	return 0;
}

int _getpid(void) { return 1; }

/* No processes, signals or file system on a bare board. */
int _open(const char *path, int flags, ...) { errno = ENOSYS; return -1; }
int _kill(int pid, int sig) { errno = ENOSYS; return -1; }
clock_t _times(struct tms *t) { errno = ENOSYS; return (clock_t)-1; }
int _unlink(const char *path) { errno = ENOSYS; return -1; }
int _link(const char *old, const char *new) { errno = ENOSYS; return -1; }
int _stat(const char *path, struct stat *st) { errno = ENOSYS; return -1; }
int _fork(void) { errno = ENOSYS; return -1; }
int _execve(const char *path, char *const argv[], char *const envp[]) { errno = ENOSYS; return -1; }
int _wait(int *status) { errno = ENOSYS; return -1; }

noreturn void _exit(int status)
{
	board_poweroff(status);
}

/* assert() */
noreturn void __assert_func(const char *file, int line, const char *func, const char *expr)
{
	panic("assertion '%s' failed in %s at %s:%d", expr, func ? func : "?", file, line);
}

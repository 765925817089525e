/*
 * selftest: runs the in-image tests (tests/target/). `test=pattern` on the
 * command line runs only the tests whose names match (a trailing * matches
 * any suffix); manual tests run only when named. The exit status is 0 when
 * every test passed, so QEMU's exit code carries the result.
 */
#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <kernel/log.h>
#include <kernel/test.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

extern const struct test __tests_start[], __tests_end[];

static unsigned failures;	/* in the running test, from any CPU */

void test_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kprintf("  %s:%d: %s\n", file, line, msg);
	__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
}

static bool selected(const struct test *t, const char *pattern)
{
	if (!pattern)
		return !t->manual;
	size_t n = strlen(pattern);
	if (n && pattern[n - 1] == '*')
		return !t->manual && strncmp(t->name, pattern, n - 1) == 0;
	return strcmp(t->name, pattern) == 0;
}

static int selftest_main(void)
{
	char buf[64];
	const char *pattern = cmdline_get("test", buf, sizeof buf);
	unsigned passed = 0, failed = 0;
	for (const struct test *t = __tests_start; t < __tests_end; t++) {
		if (!selected(t, pattern))
			continue;
		__atomic_store_n(&failures, 0, __ATOMIC_RELAXED);
		kprintf("test %s\n", t->name);
		t->fn();
		fflush(stdout);
		if (__atomic_load_n(&failures, __ATOMIC_RELAXED)) {
			kprintf("FAIL %s\n", t->name);
			failed++;
		} else {
			kprintf("ok %s\n", t->name);
			passed++;
		}
	}
	if (pattern && passed + failed == 0) {
		kprintf("selftest: no test matches '%s'\n", pattern);
		failed = 1;
	}
	kprintf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
APP("selftest", selftest_main, "run the in-image test suites");

/*
 * Boot command line parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "fakes.h"
#include <kernel/cmdline.h>
#include <string.h>

static void key_value_and_bare_keys(void **state)
{
	char buf[32];
	cmdline_set("app=selftest  cpus=4 boottime test=smp_*");
	assert_string_equal(cmdline_get("app", buf, sizeof buf), "selftest");
	assert_string_equal(cmdline_get("cpus", buf, sizeof buf), "4");
	assert_string_equal(cmdline_get("test", buf, sizeof buf), "smp_*");
	assert_string_equal(cmdline_get("boottime", buf, sizeof buf), "");
	assert_null(cmdline_get("boot", buf, sizeof buf));	/* prefix of a key */
	assert_null(cmdline_get("ap", buf, sizeof buf));
	assert_null(cmdline_get("missing", buf, sizeof buf));
}

static void first_occurrence_wins(void **state)
{
	char buf[8];
	cmdline_set("apple=1 app=a app=b");
	assert_string_equal(cmdline_get("app", buf, sizeof buf), "a");
}

static void value_that_does_not_fit_is_refused(void **state)
{
	char buf[4];
	cmdline_set("app=selftest");
	assert_null(cmdline_get("app", buf, sizeof buf));
	char exact[9];
	assert_string_equal(cmdline_get("app", exact, sizeof exact), "selftest");
}

static void empty_and_null_lines(void **state)
{
	char buf[8];
	cmdline_set(NULL);
	assert_string_equal(cmdline_text(), "");
	assert_null(cmdline_get("app", buf, sizeof buf));
	cmdline_set("   ");
	assert_null(cmdline_get("app", buf, sizeof buf));
}

static void overlong_line_is_cut_and_reported(void **state)
{
	char big[CMDLINE_MAX + 100];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "app=hello ", 10);
	fake_log_take();
	cmdline_set(big);
	assert_int_equal(strlen(cmdline_text()), CMDLINE_MAX - 1);
	assert_non_null(strstr(fake_log_take(), "cut to"));
	char buf[8];
	assert_string_equal(cmdline_get("app", buf, sizeof buf), "hello");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_value_and_bare_keys),
		cmocka_unit_test(first_occurrence_wins),
		cmocka_unit_test(value_that_does_not_fit_is_refused),
		cmocka_unit_test(empty_and_null_lines),
		cmocka_unit_test(overlong_line_is_cut_and_reported),
	};
	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}

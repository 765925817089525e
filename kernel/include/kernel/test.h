/*
 * In-image tests. TEST(name) { ... } registers a test through the .tests
 * linker section; the selftest app runs them in name order and prints one
 * line per test and a closing "N passed, N failed".
 *
 * EXPECT*() may be called from any CPU; a failure prints where and why and
 * fails the running test. MANUAL_TEST() registers a test that runs only when
 * named on the command line (test=name), for deliberate faults and hangs.
 */
#pragma once

#include <stdbool.h>

struct test {
	const char *name;
	void (*fn)(void);
	bool manual;
};

#define TEST_RECORD(tname, manual_)                                            \
	static void test_##tname(void);                                        \
	static const struct test test_record_##tname                           \
		__attribute__((used, section(".tests." #tname), aligned(8))) = {  \
			.name = #tname, .fn = test_##tname, .manual = manual_ };   \
	static void test_##tname(void)

#define TEST(name) TEST_RECORD(name, false)
#define MANUAL_TEST(name) TEST_RECORD(name, true)

void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define EXPECT(cond)                                                           \
	do {                                                                   \
		if (!(cond))                                                   \
			test_fail(__FILE__, __LINE__, "expected %s", #cond);   \
	} while (0)

#define EXPECT_EQ(a, b)                                                        \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (a_ != b_)                                                  \
			test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", \
				  #a, #b, a_, b_);                             \
	} while (0)

/*
 * newlib from every CPU at once: printf lines stay whole, malloc hands out
 * disjoint memory that nobody else scribbles on, errno and strtok belong to
 * the CPU that uses them.
 */
#include "on_all_cpus.h"
#include <errno.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/mem.h>
#include <kernel/test.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- printf ---------------------------------------------------------------- */

#define LINES_PER_CPU 200
#define CAPTURE_SIZE (64 * 1024)

static char capture[CAPTURE_SIZE];
static size_t captured;
static bool capture_overflow;

static void tap(const char *s, size_t len)
{
	if (captured + len > sizeof capture) {
		capture_overflow = true;
		return;
	}
	memcpy(capture + captured, s, len);
	captured += len;
}

static void print_lines(void *arg)
{
	unsigned cpu = this_cpu()->index;
	for (unsigned seq = 0; seq < LINES_PER_CPU; seq++)
		printf("hammer cpu=%u seq=%u check=%u\n", cpu, seq, cpu * 100000 + seq * 7);
	fflush(stdout);
}

TEST(printf_lines_whole_from_all_cpus)
{
	unsigned next_seq[MAX_CPUS] = { 0 };
	captured = 0;
	capture_overflow = false;
	console_set_tap(tap);
	on_all_cpus(print_lines, NULL);
	console_set_tap(NULL);
	EXPECT(!capture_overflow);

	/* Every captured line must parse whole, and each CPU's lines must
	 * arrive complete and in order. */
	unsigned lines = 0;
	for (char *line = capture; line < capture + captured;) {
		char *end = memchr(line, '\n', (size_t)(capture + captured - line));
		if (!end) {
			test_fail(__FILE__, __LINE__, "capture ends mid-line");
			break;
		}
		*end = '\0';
		unsigned cpu, seq, check;
		char tail;
		if (sscanf(line, "hammer cpu=%u seq=%u check=%u%c", &cpu, &seq, &check, &tail) != 3 ||
		    cpu >= MAX_CPUS || check != cpu * 100000 + seq * 7) {
			test_fail(__FILE__, __LINE__, "mangled line: '%.60s'", line);
			break;
		}
		EXPECT_EQ(seq, next_seq[cpu]);
		next_seq[cpu] = seq + 1;
		lines++;
		line = end + 1;
	}
	EXPECT_EQ(lines, LINES_PER_CPU * online_cpus());
}

/* --- malloc ---------------------------------------------------------------- */

#define LIVE 64
#define MALLOC_ROUNDS 3000

static unsigned bad_blocks, failed_allocs;

static uint32_t next_rand(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

/* Each block is filled with a byte that names its CPU and slot; it must
 * still hold that byte when freed. */
static void churn(void *arg)
{
	unsigned cpu = this_cpu()->index;
	unsigned char *block[LIVE] = { 0 };
	size_t size[LIVE] = { 0 };
	uint32_t seed = 12345 + cpu;
	for (int round = 0; round < MALLOC_ROUNDS; round++) {
		unsigned slot = next_rand(&seed) % LIVE;
		unsigned char mark = (unsigned char)(cpu * 16 + slot % 16 + 1);
		if (block[slot]) {
			for (size_t i = 0; i < size[slot]; i++)
				if (block[slot][i] != mark) {
					__atomic_fetch_add(&bad_blocks, 1, __ATOMIC_RELAXED);
					break;
				}
			free(block[slot]);
			block[slot] = NULL;
			continue;
		}
		size[slot] = 1 + next_rand(&seed) % 2000;
		block[slot] = malloc(size[slot]);
		if (!block[slot]) {
			__atomic_fetch_add(&failed_allocs, 1, __ATOMIC_RELAXED);
			continue;
		}
		memset(block[slot], mark, size[slot]);
	}
	for (unsigned slot = 0; slot < LIVE; slot++)
		free(block[slot]);
}

TEST(malloc_from_all_cpus_keeps_blocks_intact)
{
	bad_blocks = failed_allocs = 0;
	on_all_cpus(churn, NULL);
	EXPECT_EQ(bad_blocks, 0);
	EXPECT_EQ(failed_allocs, 0);
}

TEST(malloc_exhaustion_returns_null)
{
	/* Larger than the whole heap: must fail cleanly with ENOMEM. */
	errno = 0;
	void *p = malloc((size_t)mem_heap_free() + (64u << 20));
	EXPECT(p == NULL);
	EXPECT_EQ(errno, ENOMEM);
	void *q = malloc(100);	/* and the heap still works */
	EXPECT(q != NULL);
	free(q);
}

/* --- per-CPU state ------------------------------------------------------- */

static unsigned errno_mismatch, strtok_mismatch;
static unsigned errno_set;

static void own_errno(void *arg)
{
	int mine = 1000 + (int)this_cpu()->index;
	errno = mine;
	/* Wait until every CPU has written its own value. */
	__atomic_fetch_add(&errno_set, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&errno_set, __ATOMIC_ACQUIRE) < online_cpus())
		arch_cpu_relax();
	if (errno != mine)
		__atomic_fetch_add(&errno_mismatch, 1, __ATOMIC_RELAXED);

	char text[64];
	unsigned cpu = this_cpu()->index;
	snprintf(text, sizeof text, "a%u,b%u,c%u", cpu, cpu, cpu);
	char expect[3][16];
	snprintf(expect[0], sizeof expect[0], "a%u", cpu);
	snprintf(expect[1], sizeof expect[1], "b%u", cpu);
	snprintf(expect[2], sizeof expect[2], "c%u", cpu);
	char *tok = strtok(text, ",");
	for (int i = 0; i < 3; i++) {
		if (!tok || strcmp(tok, expect[i]) != 0)
			__atomic_fetch_add(&strtok_mismatch, 1, __ATOMIC_RELAXED);
		tok = strtok(NULL, ",");
	}
}

TEST(errno_and_strtok_are_per_cpu)
{
	errno_mismatch = strtok_mismatch = errno_set = 0;
	on_all_cpus(own_errno, NULL);
	EXPECT_EQ(errno_mismatch, 0);
	EXPECT_EQ(strtok_mismatch, 0);
}

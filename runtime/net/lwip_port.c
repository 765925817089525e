/*
 * What lwIP asks of its platform under NO_SYS=1: the time in milliseconds,
 * random numbers, and where its diagnostics and assertions go.
 */
#include <kernel/dev/rng.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/time.h>
#include <lwip/sys.h>
#include <stdarg.h>
#include <stdint.h>

u32_t sys_now(void)
{
	return (u32_t)(time_now() / 1000000u);
}

/*
 * xorshift64*, seeded from the entropy device at start-up (net_rand_seed).
 * lwIP uses it for TCP initial sequence numbers, ports and DHCP ids: it
 * must not repeat across boots, and need not be cryptographic.
 */
static uint64_t rand_state = 0x9e3779b97f4a7c15ull;

void net_rand_seed(uint64_t seed)
{
	rand_state ^= seed;
	if (!rand_state)
		rand_state = 1;
}

uint32_t net_lwip_rand(void)
{
	uint64_t x = rand_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rand_state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

void net_lwip_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void net_lwip_assert(const char *msg, const char *file, int line)
{
	panic("lwip: %s (%s:%d)", msg, file, line);
}

/*
 * The console. Output written before the board registers a device is kept
 * in a small buffer and sent once it does, so early boot messages are not
 * lost.
 */
#include <kernel/console.h>
#include <kernel/spinlock.h>
#include <stdbool.h>

static const struct console_ops *dev;
static struct spinlock console_lock = SPINLOCK_INIT("console");

static char early[2048];
static size_t early_len;
static size_t early_dropped;
static bool panicking;
static void (*tap)(const char *s, size_t len);

static void put_all(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			dev->putc('\r');
		dev->putc(s[i]);
	}
}

static void emit(const char *s, size_t len)
{
	if (tap)
		tap(s, len);
	if (dev) {
		put_all(s, len);
		return;
	}
	size_t room = sizeof early - early_len;
	size_t n = len < room ? len : room;
	for (size_t i = 0; i < n; i++)
		early[early_len + i] = s[i];
	early_len += n;
	early_dropped += len - n;
}

void console_register(const struct console_ops *ops)
{
	spin_lock(&console_lock);
	dev = ops;
	put_all(early, early_len);
	if (early_dropped) {
		static const char note[] = "\n[console: early messages were cut]\n";
		put_all(note, sizeof note - 1);
	}
	early_len = 0;
	spin_unlock(&console_lock);
}

void console_enter_panic(void)
{
	__atomic_store_n(&panicking, true, __ATOMIC_RELEASE);
}

const struct console_ops *console_device(void) { return dev; }

void console_write(const char *s, size_t len)
{
	if (__atomic_load_n(&panicking, __ATOMIC_ACQUIRE)) {
		console_write_force(s, len);
		return;
	}
	spin_lock(&console_lock);
	emit(s, len);
	spin_unlock(&console_lock);
}

void console_write_force(const char *s, size_t len)
{
	/* The holder may be a CPU that was stopped mid-line; give it a moment,
	 * then write regardless: a panic message must get out. */
	for (int i = 0; i < 1000000; i++) {
		if (spin_trylock(&console_lock)) {
			emit(s, len);
			spin_unlock(&console_lock);
			return;
		}
	}
	emit(s, len);
}

void console_set_tap(void (*fn)(const char *s, size_t len))
{
	spin_lock(&console_lock);
	tap = fn;
	spin_unlock(&console_lock);
}

int console_getc(void)
{
	return dev && dev->getc ? dev->getc() : -1;
}

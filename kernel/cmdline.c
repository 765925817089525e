/*
 * The boot command line, copied out of firmware memory at boot.
 */
#include <kernel/cmdline.h>
#include <kernel/log.h>
#include <string.h>

static char line[CMDLINE_MAX];

void cmdline_set(const char *text)
{
	size_t n = text ? strlen(text) : 0;
	if (n >= sizeof line) {
		/* Said once the console is up (kprintf buffers until then). */
		kprintf("cmdline: %zu bytes cut to %zu\n", n, sizeof line - 1);
		n = sizeof line - 1;
	}
	memcpy(line, text ? text : "", n);
	line[n] = '\0';
}

const char *cmdline_text(void) { return line; }

const char *cmdline_get(const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = line;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *word = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - word);
		if (wlen < klen || memcmp(word, key, klen) != 0)
			continue;
		if (wlen == klen) {		/* bare key */
			if (size == 0)
				return NULL;
			buf[0] = '\0';
			return buf;
		}
		if (word[klen] != '=')
			continue;
		size_t vlen = wlen - klen - 1;
		if (vlen + 1 > size)
			return NULL;		/* does not fit: no silent cut */
		memcpy(buf, word + klen + 1, vlen);
		buf[vlen] = '\0';
		return buf;
	}
	return NULL;
}

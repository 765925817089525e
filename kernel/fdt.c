/*
 * Flattened device tree reader (devicetree specification v0.4, chapter 5).
 *
 * The structure block is a stream of 32-bit big-endian tokens; a node is
 * BEGIN_NODE, its name, its properties, its children, END_NODE. Offsets here
 * are byte offsets into the structure block. Every read is checked against
 * the header's sizes, so a corrupt tree gives an error, not a wild read.
 */
#include <kernel/fdt.h>
#include <string.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u
#define FDT_MAX_DEPTH 32

struct header {
	uint32_t magic, totalsize, off_struct, off_strings, off_rsvmap;
	uint32_t version, last_comp_version, boot_cpuid, size_strings, size_struct;
};

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint32_t hdr(const void *fdt, int field)
{
	return be32((const uint8_t *)fdt + 4 * field);
}
#define H_MAGIC 0
#define H_TOTALSIZE 1
#define H_OFF_STRUCT 2
#define H_OFF_STRINGS 3
#define H_SIZE_STRINGS 8
#define H_SIZE_STRUCT 9

int fdt_check(const void *fdt, size_t max_size)
{
	if (!fdt || max_size < sizeof(struct header))
		return FDT_ERR_TRUNCATED;
	if (hdr(fdt, H_MAGIC) != FDT_MAGIC)
		return FDT_ERR_BADMAGIC;
	uint64_t total = hdr(fdt, H_TOTALSIZE);
	if (total > max_size || total < sizeof(struct header))
		return FDT_ERR_TRUNCATED;
	if ((uint64_t)hdr(fdt, H_OFF_STRUCT) + hdr(fdt, H_SIZE_STRUCT) > total ||
	    (uint64_t)hdr(fdt, H_OFF_STRINGS) + hdr(fdt, H_SIZE_STRINGS) > total ||
	    hdr(fdt, H_OFF_STRUCT) % 4 || hdr(fdt, H_SIZE_STRUCT) < 8)
		return FDT_ERR_TRUNCATED;
	if (be32((const uint8_t *)fdt + hdr(fdt, H_OFF_STRUCT)) != FDT_BEGIN_NODE)
		return FDT_ERR_BADSTRUCT;
	return 0;
}

size_t fdt_total_size(const void *fdt) { return hdr(fdt, H_TOTALSIZE); }

static const uint8_t *sblock(const void *fdt) { return (const uint8_t *)fdt + hdr(fdt, H_OFF_STRUCT); }

/* Length of the NUL-terminated string at p with at most max bytes, or -1. */
static int bounded_strlen(const uint8_t *p, uint32_t max)
{
	for (uint32_t i = 0; i < max; i++)
		if (!p[i])
			return (int)i;
	return -1;
}

/*
 * Read the token at off. Returns it and sets *next to the token after it
 * (past a node's name or a property's value), or returns 0 on a bound or
 * format error.
 */
static uint32_t token(const void *fdt, int off, int *next)
{
	uint32_t size = hdr(fdt, H_SIZE_STRUCT);
	if (off < 0 || (uint32_t)off % 4 || (uint32_t)off + 4 > size)
		return 0;
	const uint8_t *s = sblock(fdt);
	uint32_t tag = be32(s + off);
	uint32_t pos = (uint32_t)off + 4;
	switch (tag) {
	case FDT_BEGIN_NODE: {
		int len = bounded_strlen(s + pos, size - pos);
		if (len < 0)
			return 0;
		pos += (uint32_t)len + 1;
		break;
	}
	case FDT_PROP: {
		if (pos + 8 > size)
			return 0;
		uint32_t len = be32(s + pos);
		if (len > size - pos - 8)
			return 0;
		pos += 8 + len;
		break;
	}
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		break;
	default:
		return 0;
	}
	*next = (int)((pos + 3) & ~3u);
	return tag;
}

/* The first token after node's name and properties: its first child's
 * BEGIN_NODE or its END_NODE. */
static int after_props(const void *fdt, int node)
{
	int off, next;
	if (token(fdt, node, &off) != FDT_BEGIN_NODE)
		return FDT_ERR_BADSTRUCT;
	for (;;) {
		uint32_t tag = token(fdt, off, &next);
		if (tag == FDT_PROP || tag == FDT_NOP)
			off = next;
		else if (tag == FDT_BEGIN_NODE || tag == FDT_END_NODE)
			return off;
		else
			return FDT_ERR_BADSTRUCT;
	}
}

/* The token after node's END_NODE. */
static int skip_node(const void *fdt, int node)
{
	int depth = 0, off = node, next;
	for (;;) {
		uint32_t tag = token(fdt, off, &next);
		if (tag == FDT_BEGIN_NODE)
			depth++;
		else if (tag == FDT_END_NODE && --depth == 0)
			return next;
		else if (tag == 0 || tag == FDT_END)
			return FDT_ERR_BADSTRUCT;
		off = next;
	}
}

/* Skip NOPs; return the next BEGIN_NODE at this level, or NOTFOUND at the
 * parent's END_NODE. */
static int node_at(const void *fdt, int off)
{
	int next;
	for (;;) {
		uint32_t tag = token(fdt, off, &next);
		if (tag == FDT_BEGIN_NODE)
			return off;
		if (tag == FDT_NOP) {
			off = next;
			continue;
		}
		return tag == FDT_END_NODE || tag == FDT_END ? FDT_ERR_NOTFOUND : FDT_ERR_BADSTRUCT;
	}
}

int fdt_root(const void *fdt) { return 0; }

int fdt_first_child(const void *fdt, int node)
{
	int off = after_props(fdt, node);
	return off < 0 ? off : node_at(fdt, off);
}

int fdt_next_sibling(const void *fdt, int node)
{
	int off = skip_node(fdt, node);
	return off < 0 ? off : node_at(fdt, off);
}

const char *fdt_node_name(const void *fdt, int node)
{
	int next;
	if (token(fdt, node, &next) != FDT_BEGIN_NODE)
		return NULL;
	return (const char *)sblock(fdt) + node + 4;
}

/* Name matches a path component: exactly, or up to its unit address. */
static bool name_matches(const char *name, const char *comp, size_t len)
{
	return strncmp(name, comp, len) == 0 && (name[len] == '\0' || name[len] == '@');
}

int fdt_path(const void *fdt, const char *path)
{
	int node = fdt_root(fdt);
	if (*path != '/')
		return FDT_ERR_NOTFOUND;
	while (*path) {
		while (*path == '/')
			path++;
		if (!*path)
			break;
		size_t len = strcspn(path, "/");
		int child = fdt_first_child(fdt, node);
		while (child >= 0 && !name_matches(fdt_node_name(fdt, child), path, len))
			child = fdt_next_sibling(fdt, child);
		if (child < 0)
			return child;
		node = child;
		path += len;
	}
	return node;
}

const void *fdt_prop(const void *fdt, int node, const char *name, int *len)
{
	int off, next;
	if (token(fdt, node, &off) != FDT_BEGIN_NODE)
		return NULL;
	const uint8_t *s = sblock(fdt);
	const char *strings = (const char *)fdt + hdr(fdt, H_OFF_STRINGS);
	uint32_t strings_size = hdr(fdt, H_SIZE_STRINGS);
	for (;;) {
		uint32_t tag = token(fdt, off, &next);
		if (tag == FDT_NOP) {
			off = next;
			continue;
		}
		if (tag != FDT_PROP)
			return NULL;
		uint32_t plen = be32(s + off + 4), nameoff = be32(s + off + 8);
		if (nameoff < strings_size &&
		    bounded_strlen((const uint8_t *)strings + nameoff, strings_size - nameoff) >= 0 &&
		    strcmp(strings + nameoff, name) == 0) {
			if (len)
				*len = (int)plen;
			return s + off + 12;
		}
		off = next;
	}
}

/* A string-list property contains str. */
static bool stringlist_has(const char *list, int len, const char *str)
{
	size_t slen = strlen(str);
	for (int i = 0; i < len;) {
		int n = bounded_strlen((const uint8_t *)list + i, (uint32_t)(len - i));
		if (n < 0)
			return false;
		if ((size_t)n == slen && memcmp(list + i, str, slen) == 0)
			return true;
		i += n + 1;
	}
	return false;
}

bool fdt_is_compatible(const void *fdt, int node, const char *compat)
{
	int len;
	const char *list = fdt_prop(fdt, node, "compatible", &len);
	return list && stringlist_has(list, len, compat);
}

bool fdt_node_enabled(const void *fdt, int node)
{
	int len;
	const char *status = fdt_prop(fdt, node, "status", &len);
	return !status || stringlist_has(status, len, "okay") || stringlist_has(status, len, "ok");
}

int fdt_find_compatible(const void *fdt, int node, const char *compat)
{
	int off = 0, next;
	if (node >= 0 && token(fdt, node, &off) != FDT_BEGIN_NODE)
		return FDT_ERR_BADSTRUCT;
	for (;;) {
		uint32_t tag = token(fdt, off, &next);
		if (tag == 0)
			return FDT_ERR_BADSTRUCT;
		if (tag == FDT_END)
			return FDT_ERR_NOTFOUND;
		if (tag == FDT_BEGIN_NODE && fdt_is_compatible(fdt, off, compat))
			return off;
		off = next;
	}
}

static int cells(const void *fdt, int node, const char *name, int dflt)
{
	int len;
	const void *p = fdt_prop(fdt, node, name, &len);
	return p && len == 4 ? (int)be32(p) : dflt;
}

int fdt_address_cells(const void *fdt, int node) { return cells(fdt, node, "#address-cells", 2); }
int fdt_size_cells(const void *fdt, int node) { return cells(fdt, node, "#size-cells", 1); }

/* The parent of node, found by walking from the root with a stack. */
static int parent_of(const void *fdt, int node)
{
	int stack[FDT_MAX_DEPTH], depth = 0, off = 0, next;
	for (;;) {
		uint32_t tag = token(fdt, off, &next);
		if (tag == FDT_BEGIN_NODE) {
			if (off == node)
				return depth ? stack[depth - 1] : FDT_ERR_NOTFOUND;
			if (depth == FDT_MAX_DEPTH)
				return FDT_ERR_BADSTRUCT;
			stack[depth++] = off;
		} else if (tag == FDT_END_NODE) {
			if (depth-- == 0)
				return FDT_ERR_BADSTRUCT;
		} else if (tag != FDT_PROP && tag != FDT_NOP) {
			return tag == FDT_END ? FDT_ERR_NOTFOUND : FDT_ERR_BADSTRUCT;
		}
		off = next;
	}
}

uint64_t fdt_read_cells(const uint32_t *c, int count)
{
	uint64_t v = 0;
	for (int i = 0; i < count; i++)
		v = v << 32 | be32(&c[i]);
	return v;
}

int fdt_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size)
{
	int parent = parent_of(fdt, node);
	if (parent < 0)
		return FDT_ERR_NOTFOUND;
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	if (ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return FDT_ERR_BADSTRUCT;
	int len;
	const uint32_t *reg = fdt_prop(fdt, node, "reg", &len);
	int stride = (ac + sc) * 4;
	if (!reg || index < 0 || len < (index + 1) * stride)
		return FDT_ERR_NOTFOUND;
	reg += index * (ac + sc);
	*base = fdt_read_cells(reg, ac);
	*size = sc ? fdt_read_cells(reg + ac, sc) : 0;
	return 0;
}

int fdt_by_phandle(const void *fdt, uint32_t ph)
{
	int off = 0, next;
	for (;;) {
		uint32_t tag = token(fdt, off, &next);
		if (tag == 0)
			return FDT_ERR_BADSTRUCT;
		if (tag == FDT_END)
			return FDT_ERR_NOTFOUND;
		if (tag == FDT_BEGIN_NODE) {
			int len;
			const void *p = fdt_prop(fdt, off, "phandle", &len);
			if (!p)
				p = fdt_prop(fdt, off, "linux,phandle", &len);
			if (p && len == 4 && be32(p) == ph)
				return off;
		}
		off = next;
	}
}

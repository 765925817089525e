/*
 * A reader for flattened device trees (devicetree specification v0.4,
 * chapter 5), read in place. No allocation; safe to call before the heap.
 *
 * A node is named by its structure-block offset. All functions check the
 * blob's bounds and return an error (negative) rather than read past it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_ERR_BADMAGIC  (-1)
#define FDT_ERR_TRUNCATED (-2)
#define FDT_ERR_BADSTRUCT (-3)
#define FDT_ERR_NOTFOUND  (-4)

/* Check the header. Returns 0 or a negative FDT_ERR_*. */
int fdt_check(const void *fdt, size_t max_size);
size_t fdt_total_size(const void *fdt);

/* Offset of the root node. */
int fdt_root(const void *fdt);
/* Node at an absolute path such as "/chosen" or "/cpus". Unit addresses may
 * be left off ("/memory" matches "memory@40000000"). */
int fdt_path(const void *fdt, const char *path);
/* First child of node, or next sibling; FDT_ERR_NOTFOUND when none. */
int fdt_first_child(const void *fdt, int node);
int fdt_next_sibling(const void *fdt, int node);
/* Next node anywhere after `node` (depth first) whose "compatible" list holds
 * compat; pass node = -1 to start at the beginning. */
int fdt_find_compatible(const void *fdt, int node, const char *compat);

const char *fdt_node_name(const void *fdt, int node);
/* Property value and length, or NULL when absent. */
const void *fdt_prop(const void *fdt, int node, const char *name, int *len);
/* True when the node's "status" is absent, "okay" or "ok". */
bool fdt_node_enabled(const void *fdt, int node);
/* "compatible" list contains compat. */
bool fdt_is_compatible(const void *fdt, int node, const char *compat);

/* #address-cells / #size-cells that apply to node's children (defaults 2, 1). */
int fdt_address_cells(const void *fdt, int node);
int fdt_size_cells(const void *fdt, int node);
/* The index-th (base, size) pair of node's "reg", decoded with its parent's
 * cell counts. Returns 0 or FDT_ERR_NOTFOUND. */
int fdt_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size);

/* Big-endian cell reader. */
uint64_t fdt_read_cells(const uint32_t *cells, int count);
/* The node whose "phandle" is ph, or FDT_ERR_NOTFOUND. */
int fdt_by_phandle(const void *fdt, uint32_t ph);

/*
 * The device tree reader against a compiled fixture (fixtures/virt.dts), and
 * against every single-byte corruption of it: no corruption may make it read
 * outside the blob (AddressSanitizer watches).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <kernel/fdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *blob;
static size_t blob_size;

static int load_fixture(void **state)
{
	FILE *f = fopen("virt.dtb", "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	blob_size = (size_t)ftell(f);
	rewind(f);
	blob = malloc(blob_size);
	assert_int_equal(fread(blob, 1, blob_size, f), blob_size);
	fclose(f);
	return 0;
}

static int free_fixture(void **state)
{
	free(blob);
	return 0;
}

static void header_is_checked(void **state)
{
	assert_int_equal(fdt_check(blob, blob_size), 0);
	assert_int_equal(fdt_total_size(blob), blob_size);
	assert_int_equal(fdt_check(blob, blob_size - 1), FDT_ERR_TRUNCATED);
	assert_int_equal(fdt_check(blob, 8), FDT_ERR_TRUNCATED);
	assert_int_equal(fdt_check(NULL, 100), FDT_ERR_TRUNCATED);
	uint8_t *copy = malloc(blob_size);
	memcpy(copy, blob, blob_size);
	copy[0] ^= 0xff;
	assert_int_equal(fdt_check(copy, blob_size), FDT_ERR_BADMAGIC);
	free(copy);
}

static void chosen_bootargs(void **state)
{
	int node = fdt_path(blob, "/chosen");
	assert_true(node > 0);
	int len;
	const char *args = fdt_prop(blob, node, "bootargs", &len);
	assert_non_null(args);
	assert_string_equal(args, "app=selftest cpus=4");
	assert_int_equal(len, (int)strlen(args) + 1);
	assert_null(fdt_prop(blob, node, "no-such-prop", &len));
	assert_int_equal(fdt_path(blob, "/nope"), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_path(blob, "chosen"), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_path(blob, "/"), 0);
}

static void memory_by_path_without_unit_address(void **state)
{
	int node = fdt_path(blob, "/memory");
	assert_true(node > 0);
	assert_string_equal(fdt_node_name(blob, node), "memory@40000000");
	uint64_t base, size;
	assert_int_equal(fdt_reg(blob, node, 0, &base, &size), 0);
	assert_int_equal(base, 0x40000000);
	assert_int_equal(size, 0x20000000);
	assert_int_equal(fdt_reg(blob, node, 1, &base, &size), FDT_ERR_NOTFOUND);
}

static void cpus_and_their_status(void **state)
{
	int cpus = fdt_path(blob, "/cpus");
	assert_true(cpus > 0);
	assert_int_equal(fdt_address_cells(blob, cpus), 1);
	assert_int_equal(fdt_size_cells(blob, cpus), 0);
	uint64_t want[] = { 0x0, 0x1, 0x100 };
	bool enabled[] = { true, true, false };
	int n = 0;
	for (int c = fdt_first_child(blob, cpus); c >= 0; c = fdt_next_sibling(blob, c), n++) {
		assert_true(n < 3);
		uint64_t hwid, size;
		assert_int_equal(fdt_reg(blob, c, 0, &hwid, &size), 0);
		assert_int_equal(hwid, want[n]);
		assert_int_equal(size, 0);
		assert_int_equal(fdt_node_enabled(blob, c), enabled[n]);
	}
	assert_int_equal(n, 3);
}

static void compatible_search_and_phandles(void **state)
{
	int uart = fdt_find_compatible(blob, -1, "arm,pl011");
	assert_true(uart > 0);
	assert_true(fdt_is_compatible(blob, uart, "arm,primecell"));
	assert_false(fdt_is_compatible(blob, uart, "arm,prime"));
	assert_int_equal(fdt_find_compatible(blob, uart, "arm,pl011"), FDT_ERR_NOTFOUND);
	uint64_t base, size;
	assert_int_equal(fdt_reg(blob, uart, 0, &base, &size), 0);
	assert_int_equal(base, 0x9000000);

	int len;
	const uint32_t *parent = fdt_prop(blob, uart, "interrupt-parent", &len);
	assert_int_equal(len, 4);
	int gic = fdt_by_phandle(blob, (uint32_t)fdt_read_cells(parent, 1));
	assert_true(gic > 0);
	assert_true(fdt_is_compatible(blob, gic, "arm,gic-v3"));
	assert_int_equal(fdt_reg(blob, gic, 1, &base, &size), 0);
	assert_int_equal(base, 0x80a0000);
	assert_int_equal(size, 0xf60000);
	assert_int_equal(fdt_by_phandle(blob, 0x1234), FDT_ERR_NOTFOUND);
}

static void reg_on_a_32_bit_bus(void **state)
{
	int dev = fdt_find_compatible(blob, -1, "test,dev");
	assert_true(dev > 0);
	uint64_t base, size;
	assert_int_equal(fdt_reg(blob, dev, 1, &base, &size), 0);
	assert_int_equal(base, 0x2000);
	assert_int_equal(size, 0x200);
	assert_int_equal(fdt_reg(blob, dev, 2, &base, &size), FDT_ERR_NOTFOUND);
}

/* Walk everything the kernel would look at; results may be errors. */
static void walk_all(const uint8_t *fdt, size_t size)
{
	if (fdt_check(fdt, size) != 0)
		return;
	int len;
	uint64_t base, sz;
	fdt_prop(fdt, fdt_path(fdt, "/chosen"), "bootargs", &len);
	fdt_reg(fdt, fdt_path(fdt, "/memory"), 0, &base, &sz);
	int cpus = fdt_path(fdt, "/cpus");
	for (int c = fdt_first_child(fdt, cpus), i = 0; c >= 0 && i < 100;
	     c = fdt_next_sibling(fdt, c), i++) {
		fdt_reg(fdt, c, 0, &base, &sz);
		fdt_node_enabled(fdt, c);
		fdt_node_name(fdt, c);
	}
	for (int n = fdt_find_compatible(fdt, -1, "arm,pl011"), i = 0; n >= 0 && i < 100;
	     n = fdt_find_compatible(fdt, n, "arm,pl011"), i++)
		fdt_reg(fdt, n, 0, &base, &sz);
	fdt_by_phandle(fdt, 0x8002);
}

static void every_single_byte_corruption_is_survived(void **state)
{
	uint8_t *copy = malloc(blob_size);
	for (size_t i = 0; i < blob_size; i++) {
		for (int v = 0; v < 3; v++) {
			memcpy(copy, blob, blob_size);
			copy[i] = (uint8_t)(v == 0 ? 0xff : v == 1 ? 0x00 : copy[i] ^ 0x80);
			walk_all(copy, blob_size);
		}
	}
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_is_checked),
		cmocka_unit_test(chosen_bootargs),
		cmocka_unit_test(memory_by_path_without_unit_address),
		cmocka_unit_test(cpus_and_their_status),
		cmocka_unit_test(compatible_search_and_phandles),
		cmocka_unit_test(reg_on_a_32_bit_bus),
		cmocka_unit_test(every_single_byte_corruption_is_survived),
	};
	return cmocka_run_group_tests_name("fdt", tests, load_fixture, free_fixture);
}

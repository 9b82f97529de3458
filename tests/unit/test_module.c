/* test_module.c - the seed's sorting rule: module_pick and module_order,
 * and the parking type check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "module.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_pick_empty_and_none(void **state)
{
	assert_int_equal(module_pick(NULL, 0), -1);
	module_candidate off[] = {
	    {.id = 1, .sorting = 1, .enabled = false, .free = 5},
	    {.id = 2, .sorting = 2, .enabled = true, .free = 0},
	    {.id = 3, .sorting = 3, .enabled = true, .free = -1},
	};
	assert_int_equal(module_pick(off, N(off)), -1);
}

static void test_pick_lowest_sorting_with_free(void **state)
{
	module_candidate c[] = {
	    {.id = 10, .sorting = 20, .enabled = true, .free = 3},
	    {.id = 11, .sorting = 10, .enabled = true, .free = 1},
	    {.id = 12, .sorting = 30, .enabled = true, .free = 9},
	};
	assert_int_equal(module_pick(c, N(c)), 1);
	/* the lower one runs out: the next one in sorting order */
	c[1].free = 0;
	assert_int_equal(module_pick(c, N(c)), 0);
	c[0].free = 0;
	assert_int_equal(module_pick(c, N(c)), 2);
	/* a disabled module is never picked, however low its sorting */
	c[1].free = 4;
	c[1].enabled = false;
	assert_int_equal(module_pick(c, N(c)), 2);
	/* not counted is not free */
	c[2].free = -1;
	assert_int_equal(module_pick(c, N(c)), -1);
}

static void test_pick_tie_by_id(void **state)
{
	module_candidate c[] = {
	    {.id = 7, .sorting = 5, .enabled = true, .free = 1},
	    {.id = 3, .sorting = 5, .enabled = true, .free = 1},
	    {.id = 5, .sorting = 5, .enabled = true, .free = 1},
	};
	assert_int_equal(module_pick(c, N(c)), 1);
	size_t order[3];
	assert_int_equal(module_order(c, N(c), order), 3);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 0);
}

static void test_order_is_the_fall_through(void **state)
{
	module_candidate c[] = {
	    {.id = 1, .sorting = 30, .enabled = true, .free = 0},
	    {.id = 2, .sorting = 10, .enabled = false, .free = 9},
	    {.id = 3, .sorting = 20, .enabled = true, .free = 2},
	    {.id = 4, .sorting = 0, .enabled = true, .free = 0},
	    {.id = 5, .sorting = 2147483647, .enabled = true, .free = 1},
	};
	size_t order[N(c)];
	size_t k = module_order(c, N(c), order);
	/* enabled only, sorted; zero-free kept (a claim may race) */
	assert_int_equal(k, 4);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 0);
	assert_int_equal(order[3], 4);
	assert_int_equal(module_order(c, 0, order), 0);
}

/* module_pick must equal "first in module_order with free > 0" for any
 * input: checked over many generated sets. */
static void test_pick_matches_order(void **state)
{
	unsigned seed = 12345;
	for (int round = 0; round < 5000; round++) {
		module_candidate c[12];
		size_t n = (size_t)(rand_r(&seed) % 13);
		for (size_t i = 0; i < n; i++) {
			c[i].id = 1 + rand_r(&seed) % 40;
			c[i].sorting = rand_r(&seed) % 4;
			c[i].enabled = rand_r(&seed) % 4 != 0;
			c[i].free = (long)(rand_r(&seed) % 4) - 1;
		}
		size_t order[12];
		size_t k = module_order(c, n, order);
		long want = -1;
		for (size_t i = 0; i < k && want < 0; i++)
			if (c[order[i]].free > 0)
				want = (long)order[i];
		long got = module_pick(c, n);
		if (got != want) {
			/* equal keys (same sorting and id) may pick either */
			assert_true(got >= 0 && want >= 0);
			assert_int_equal(c[got].sorting, c[want].sorting);
			assert_int_equal(c[got].id, c[want].id);
		}
		for (size_t i = 1; i < k; i++) {
			const module_candidate *a = &c[order[i - 1]],
			                       *b = &c[order[i]];
			assert_true(
			    a->sorting < b->sorting ||
			    (a->sorting == b->sorting && a->id <= b->id));
		}
	}
}

static void test_parking(void **state)
{
	const char *types[] = {"public", "parking", "guardvlan9"};
	dc_err err;
	assert_int_equal(module_check_parking("parking", types, 3, &err), 0);
	assert_int_equal(module_check_parking("grey", types, 3, &err), -1);
	assert_int_equal(err.cat, DC_E_INVALID);
	assert_string_equal(err.field, "parking_type");
	assert_non_null(strstr(err.msg, "grey"));
	assert_non_null(strstr(err.msg, "public, parking, guardvlan9"));
	assert_int_equal(module_check_parking("parking", NULL, 0, &err), -1);
	assert_non_null(strstr(err.msg, "no IP types"));
	assert_int_equal(module_check_parking("", types, 3, &err), -1);
	assert_string_equal(err.field, "parking_type");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pick_empty_and_none),
	    cmocka_unit_test(test_pick_lowest_sorting_with_free),
	    cmocka_unit_test(test_pick_tie_by_id),
	    cmocka_unit_test(test_order_is_the_fall_through),
	    cmocka_unit_test(test_pick_matches_order),
	    cmocka_unit_test(test_parking),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_tui_list.c - the list widget's logic: column layout, sorting,
 * navigation, and filtering (incremental narrowing gives the same rows as
 * filtering from scratch, at 100 000 rows). */
#include "keys.h"
#include "list.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_layout(void **state)
{
	const list_col cols[] = {
	    {"ID", 6, 0, LIST_COL_RIGHT},
	    {"NAME", 0, 10, 0},
	    {"STATE", 8, 0, 0},
	    {"NOTE", 0, 5, 0},
	};
	int w[4];

	(void)state;
	/* 78 = 6 + 8 fixed + 3 gaps + 61 shared by two flexible columns */
	list_layout(cols, 4, 78, w);
	assert_int_equal(w[0], 6);
	assert_int_equal(w[2], 8);
	assert_int_equal(w[1] + w[3], 61);
	assert_true(w[1] >= 10 && w[3] >= 5);
	/* too narrow: trailing columns are dropped, the rest still fits */
	list_layout(cols, 4, 30, w);
	assert_int_equal(w[3], 0);
	assert_true(w[0] + w[1] + w[2] + 2 <= 30);
	assert_true(w[1] >= 10);
	list_layout(cols, 4, 12, w);
	assert_int_equal(w[0], 6);
	assert_int_equal(w[2], 0);
	assert_int_equal(w[3], 0);
}

typedef struct rows {
	size_t n;
	char (*name)[16];
	int *num;
} rows;

static const char *cell(void *data, size_t row, int col, char *buf, size_t len)
{
	rows *r = data;

	if (col == 0)
		return r->name[row];
	snprintf(buf, len, "%d", r->num[row]);
	return buf;
}

static const list_col cols2[] = {{"NAME", 0, 4, 0},
                                 {"NUM", 6, 0, LIST_COL_NUM | LIST_COL_RIGHT}};

static rows *make_rows(size_t n)
{
	rows *r = calloc(1, sizeof(*r));

	r->n = n;
	r->name = calloc(n, sizeof(*r->name));
	r->num = calloc(n, sizeof(int));
	for (size_t i = 0; i < n; i++) {
		/* names like srv-00042-b: digits and a letter to filter on */
		snprintf(r->name[i], sizeof(r->name[i]), "srv-%05u-%c",
		         (unsigned)(i % 100000), "abcde"[i % 5]);
		r->num[i] = (int)((i * 7919) % 1000);
	}
	return r;
}

static void free_rows(rows *r)
{
	free(r->name);
	free(r->num);
	free(r);
}

static void test_sort_and_navigation(void **state)
{
	rows *r = make_rows(50);
	list l;

	(void)state;
	list_init(&l, cols2, 2, cell, r);
	assert_int_equal(list_set_rows(&l, r->n), 0);
	assert_int_equal(l.nview, 50);
	assert_int_equal(list_selected(&l), 0);
	l.page = 10;
	assert_true(list_key(&l, 'j'));
	assert_true(list_key(&l, UIK_DOWN));
	assert_int_equal(list_selected(&l), 2);
	list_key(&l, UIK_PGDN);
	assert_int_equal(l.sel, 11);
	list_key(&l, UIK_CTRL('u'));
	assert_int_equal(l.sel, 6);
	list_key(&l, 'G');
	assert_int_equal(l.sel, 49);
	list_key(&l, 'j'); /* stays at the end */
	assert_int_equal(l.sel, 49);
	list_key(&l, 'g');
	assert_int_equal(l.sel, 0);
	assert_false(list_key(&l, 'x'));

	/* numeric sort keeps the selected row selected */
	list_key(&l, 'j');
	size_t selrow = list_selected(&l);

	list_sort(&l, 1);
	assert_int_equal(list_selected(&l), selrow);
	for (size_t i = 1; i < l.nview; i++)
		assert_true(r->num[l.view[i - 1]] <= r->num[l.view[i]]);
	list_sort(&l, 1); /* again: descending */
	for (size_t i = 1; i < l.nview; i++)
		assert_true(r->num[l.view[i - 1]] >= r->num[l.view[i]]);
	list_free(&l);
	free_rows(r);
}

static void test_filter_narrowing_matches_full(void **state)
{
	rows *r = make_rows(100000);
	list a, b;
	const char *steps[] = {"1",  "12", "123",      "123-", "123-b",
	                       "12", "",   "SRV-0999", "zzz"};

	(void)state;
	list_init(&a, cols2, 2, cell, r);
	list_init(&b, cols2, 2, cell, r);
	assert_int_equal(list_set_rows(&a, r->n), 0);
	assert_int_equal(list_set_rows(&b, r->n), 0);
	size_t *order_before = a.order, *view_before = a.view;

	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		/* a: typed key by key (incremental); b: set from scratch */
		assert_int_equal(list_set_filter(&a, steps[s]), 0);
		list_set_filter(&b, "");
		list_set_filter(&b, steps[s]);
		assert_int_equal(a.nview, b.nview);
		assert_memory_equal(a.view, b.view, a.nview * sizeof(size_t));
		for (size_t i = 0; i < a.nview; i++) {
			char buf[16];

			assert_true(
			    strcasestr(r->name[a.view[i]], steps[s]) ||
			    strstr(cell(r, a.view[i], 1, buf, 16), steps[s]));
		}
	}
	assert_int_equal(a.nview, 0); /* "zzz" */
	/* filtering reuses the index arrays: no allocation per key */
	assert_ptr_equal(a.order, order_before);
	assert_ptr_equal(a.view, view_before);
	list_free(&a);
	list_free(&b);
	free_rows(r);
}

static void test_filter_keeps_selection(void **state)
{
	rows *r = make_rows(1000);
	list l;

	(void)state;
	list_init(&l, cols2, 2, cell, r);
	list_set_rows(&l, r->n);
	l.sel = 500;
	assert_int_equal(list_selected(&l), 500);
	list_set_filter(&l, "-00500"); /* still matches the selected row */
	assert_int_equal(list_selected(&l), 500);
	list_set_filter(&l, "srv-00999");
	assert_int_equal(list_selected(&l), 999);
	list_set_filter(&l, "nothing");
	assert_int_equal(list_selected(&l), (size_t)-1);
	list_free(&l);
	free_rows(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layout),
	    cmocka_unit_test(test_sort_and_navigation),
	    cmocka_unit_test(test_filter_narrowing_matches_full),
	    cmocka_unit_test(test_filter_keeps_selection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

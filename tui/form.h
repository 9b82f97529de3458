/* form.h - the form widget and a generic form screen.
 *
 * A form is a column of fields: text, password (drawn masked), integer,
 * select (one of a list) and checkbox. Each field may have up to three
 * validators, run in order when the focus leaves the field (and all of
 * them on OK); a refusal's reason is shown beside the field. OK is refused
 * while any field is invalid. The values live in the form struct, so a
 * caller that keeps the struct (a wizard step) keeps what was typed across
 * Esc/back and across resizes.
 *
 * The form screen (form_screen_*) hosts one form described by a
 * form_spec: on OK it turns the values into arguments of spec->cmd (each
 * field's name is an option name of that command) and runs it through
 * cmd_exec() on the jobs worker, so validation, --read-only and the CLI
 * behave the same. A refusal naming a field (err.field) puts the reason
 * beside that field and focuses it.
 *
 * Main thread only. */
#ifndef TUI_FORM_H
#define TUI_FORM_H

#include "lineedit.h"
#include "ui.h"

#define FORM_MAX 24
#define FORM_WHY 160

typedef enum form_kind {
	FF_TEXT,
	FF_PASSWORD,
	FF_INT,
	FF_SELECT,
	FF_CHECK,
} form_kind;

/* Returns 0 if value is fine, else -1 with a reason in why. ctx is the
 * form's ctx. */
typedef int (*form_check_fn)(const char *value, void *ctx, char *why,
                             size_t whylen);

typedef struct form_field {
	const char *name;  /* option name for cmd_args; NULL ends a list */
	const char *label; /* shown left of the field */
	form_kind kind;
	bool required;
	long long min, max;         /* FF_INT: range when min < max */
	const char *const *choices; /* FF_SELECT: NULL-terminated */
	form_check_fn check[3];     /* run in order when leaving */
	const char *help;           /* shown while the field has focus */
} form_field;

enum {
	FORM_HANDLED = 1u << 0,
	FORM_SUBMIT = 1u << 1, /* OK pressed and every field valid */
	FORM_CANCEL = 1u << 2, /* Esc or Cancel: values are kept */
};

typedef struct form {
	const form_field *fields;
	int n;
	void *ctx;
	lineedit val[FORM_MAX];
	int sel[FORM_MAX];
	bool checked[FORM_MAX];
	strv dyn[FORM_MAX]; /* choices set at run time */
	char why[FORM_MAX][FORM_WHY];
	int focus;           /* 0..n-1 fields, n = OK, n+1 = Cancel */
	int top;             /* first field drawn */
	char note[FORM_WHY]; /* form-level message under the buttons */
} form;

/* fields: terminated by name == NULL (at most FORM_MAX used). */
void form_init(form *f, const form_field *fields, void *ctx);
void form_free(form *f); /* wipes password values */

int form_index(const form *f, const char *name); /* -1 if none */
void form_set(form *f, const char *name, const char *value);
/* Text of a field; a select gives its choice ("" if none), a checkbox
 * "yes" or "no". */
const char *form_get(const form *f, const char *name);
/* Choices of a select field at run time (copied). */
int form_set_choices(form *f, const char *name, const char *const *v, size_t n);
/* Marks a field invalid (e.g. a refusal from core) and focuses it. */
void form_set_error(form *f, const char *name, const char *why);

/* Runs field i's checks; true if valid. */
bool form_check_field(form *f, int i);
/* Runs every check; focuses the first invalid field. */
bool form_check_all(form *f);
unsigned form_key(form *f, int key);
void form_draw(form *f, ui_rect r, ui *u);
/* Adds every non-empty value (checkbox: a flag when checked) as an
 * option of a->cmd. */
int form_to_args(const form *f, cmd_args *a, dc_err *err);

/* ---- the generic form screen ---- */

typedef struct form_spec {
	const char *title;
	const form_field *fields;
	const cmd_def *cmd; /* run on OK with the values */
	/* optional: fills choices/defaults when opened; runs on the main
	 * thread with the arguments that opened the screen */
	void (*prepare)(form *f, const cmd_args *args);
} form_spec;

/* ops->data must point to a form_spec. */
int form_screen_open(ui_screen *s, const cmd_args *args, dc_err *err);
void form_screen_draw(ui_screen *s, ui_rect r);
unsigned form_screen_key(ui_screen *s, int key, int action);
void form_screen_close(ui_screen *s);
/* The form of an open form screen. */
form *form_screen_form(ui_screen *s);

extern const ui_key form_keys[];

#define FORM_SCREEN_OPS(title_, spec_ptr)                                      \
	{                                                                      \
		.name = (title_), .keys = form_keys, .open = form_screen_open, \
		.draw = form_screen_draw, .key = form_screen_key,              \
		.close = form_screen_close, .data = (spec_ptr),                \
		.text_input = true,                                            \
	}

#endif

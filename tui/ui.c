/* ui.c - see ui.h. */
#include "ui.h"

#include "app.h"
#include "lineedit.h"
#include "namecache.h"
#include "registry.h"
#include "text.h"
#include "theme.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAX_DEPTH 32
#define MAX_MSGS  500
#define MAX_HIST  200
#define MIN_ROWS  24
#define MIN_COLS  80

enum {
	GA_HELP = 1,
	GA_CMD,
	GA_FILTER,
	GA_BACK,
	GA_QUIT,
	GA_QUIT_ALL,
	GA_FASTER,
	GA_SLOWER,
	GA_PAUSE,
	GA_REDRAW,
	GA_CANCEL,
	GA_REFRESH
};

const ui_key ui_global_keys[] = {
    {'?', "help", "show the keys of this screen and the commands", GA_HELP},
    {UIK_F(1), NULL, "help (also inside forms, where ? is typed text)",
     GA_HELP},
    {':', "cmd", "open the command line (Tab completes, Up/Down history)",
     GA_CMD},
    {'/', "filter", "filter the list (Enter keeps it, Esc clears it)",
     GA_FILTER},
    {UIK_ESC, "back", "go back (clears the filter first)", GA_BACK},
    {'q', "quit", "close this screen; on the dashboard: quit", GA_QUIT},
    {'Q', NULL, "quit dcictl", GA_QUIT_ALL},
    {'+', NULL, "refresh live views less often", GA_SLOWER},
    {'-', NULL, "refresh live views more often", GA_FASTER},
    {'p', NULL, "pause/resume live refresh (PAUSED badge)", GA_PAUSE},
    {UIK_F(5), NULL, "refresh now", GA_REFRESH},
    {UIK_CTRL('l'), NULL, "redraw the screen", GA_REDRAW},
    {UIK_CTRL('c'), NULL, "cancel the running work (where safe)", GA_CANCEL},
    {0, NULL, NULL, 0},
};

const ui_key ui_list_keys[] = {
    {UIK_UP, NULL, "previous row (also k)", 0},
    {UIK_DOWN, NULL, "next row (also j)", 0},
    {UIK_PGUP, NULL, "page up (PgDn: page down)", 0},
    {UIK_CTRL('u'), NULL, "half a page up (Ctrl-D: down)", 0},
    {UIK_HOME, NULL, "first row (also g; End or G: last row)", 0},
    {'<', NULL, "sort by the previous column ('>' next, again: reverse)", 0},
    {0, NULL, NULL, 0},
};

typedef struct ujob {
	ui *u;
	char label[128];
	struct timespec start;
	job_fn fn;
	job_done_fn done;
	void *arg;
	job *j;
	bool background; /* refreshes: no question on quit, quiet spinner */
	struct ujob *next;
} ujob;

typedef struct confirm {
	char title[64], question[512], typed[128];
	lineedit le;
	int focus; /* 0 Cancel, 1 OK, 2 field */
	void (*cb)(ui *u, void *arg, bool yes);
	void *arg;
} confirm;

enum mode { M_NORMAL, M_CMD, M_FILTER };

/* A key from the config's `keys` list: a global action, a list move
 * (as the canonical key), or a command. */
typedef struct ubind {
	int key;
	int action;   /* GA_*, or 0 */
	int list_key; /* canonical list key, or 0 */
	const cmd_def *cmd;
} ubind;

struct ui {
	app *app;
	jobs *jobs;
	ui_screen *stack[MAX_DEPTH];
	int depth;
	ui_msgrec msgs[MAX_MSGS];
	size_t nmsg, msg0; /* ring: msg0 = index of the oldest */
	bool show_msg;
	enum mode mode;
	lineedit le;
	strv hist;
	size_t hist_pos;
	char hist_saved[LINEEDIT_MAX];
	confirm *modal;
	char compl [600]; /* completion candidates shown above the : line */
	bool paused;
	int refresh_ms;
	double next_tick;
	ujob *ujobs;
	bool quit;
	bool closing;     /* in ui_free: done callbacks must not open screens */
	int cur_y, cur_x; /* cursor requested by a draw */
	unsigned long next_id;
	struct {
		const void *key;
		void *data;
		void (*free_fn)(void *);
	} drafts[16];    /* what a closed form held, by form spec */
	ubind binds[64]; /* key overrides from the config */
	int nbinds;
};

static int winch_pipe[2] = {-1, -1};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Signals only write a byte to the pipe; the loop does the work. 'w':
 * the window changed; 'q': SIGTERM/SIGHUP, leave cleanly (the terminal
 * is restored, jobs are cancelled). */
static void on_signal(int sig)
{
	int e = errno;
	ssize_t w = write(winch_pipe[1], sig == SIGWINCH ? "w" : "q", 1);

	(void)w;
	errno = e;
}

struct app *ui_app(ui *u)
{
	return u->app;
}

jobs *ui_jobs(ui *u)
{
	return u->jobs;
}

cmd_ctx ui_cmd_ctx(ui *u)
{
	cmd_ctx c = {.app = u->app,
	             .ui = u,
	             .read_only = u->app->read_only,
	             .json = false,
	             .cancel = NULL};

	return c;
}

void ui_quit(ui *u)
{
	u->quit = true;
}

void ui_set_cursor(ui *u, int y, int x)
{
	u->cur_y = y;
	u->cur_x = x;
}

int ui_refresh_ms(ui *u)
{
	return u->refresh_ms;
}

bool ui_paused(ui *u)
{
	return u->paused;
}

void ui_redraw(ui *u)
{
	(void)u;
	clearok(curscr, TRUE);
}

/* ---- messages ---- */

void ui_msg(ui *u, ui_level lvl, const char *fmt, ...)
{
	ui_msgrec *m;
	va_list ap;

	if (u->nmsg < MAX_MSGS) {
		m = &u->msgs[(u->msg0 + u->nmsg) % MAX_MSGS];
		u->nmsg++;
	} else {
		m = &u->msgs[u->msg0];
		u->msg0 = (u->msg0 + 1) % MAX_MSGS;
	}
	m->t = time(NULL);
	m->level = lvl;
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof(m->text), fmt, ap);
	va_end(ap);
	/* one line only: newlines would break the message line */
	for (char *p = m->text; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	u->show_msg = true;
}

size_t ui_msg_count(ui *u)
{
	return u->nmsg;
}

const ui_msgrec *ui_msg_at(ui *u, size_t i)
{
	return i < u->nmsg ? &u->msgs[(u->msg0 + i) % MAX_MSGS] : NULL;
}

/* ---- screens ---- */

static ui_screen *top(ui *u)
{
	return u->depth ? u->stack[u->depth - 1] : NULL;
}

ui_screen *ui_screen_by_id(ui *u, unsigned long id)
{
	for (int i = 0; i < u->depth; i++)
		if (u->stack[i]->id == id)
			return u->stack[i];
	return NULL;
}

ui_screen *ui_top(ui *u)
{
	return top(u);
}

ui_screen *ui_screen_below(ui *u, const ui_screen *s)
{
	for (int i = 1; i < u->depth; i++)
		if (u->stack[i] == s)
			return u->stack[i - 1];
	return NULL;
}

static list *top_list(ui *u)
{
	ui_screen *s = top(u);

	return s && s->ops->list ? s->ops->list(s) : NULL;
}

int ui_push(ui *u, const ui_screen_ops *ops, const cmd_args *args)
{
	ui_screen *s;
	dc_err err;

	if (u->depth >= MAX_DEPTH) {
		ui_msg(u, UI_ERROR, "too many screens open; press Esc first");
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		ui_msg(u, UI_ERROR, "out of memory");
		return -1;
	}
	s->ops = ops;
	s->ui = u;
	s->id = ++u->next_id;
	snprintf(s->title, sizeof(s->title), "%s", ops->name);
	u->stack[u->depth++] = s;
	err_clear(&err);
	if (ops->open && ops->open(s, args, &err) < 0) {
		char line[700];

		u->depth--;
		free(s);
		ui_msg(u, UI_ERROR, "%s", err_line(&err, line, sizeof(line)));
		return -1;
	}
	u->next_tick = 0; /* a live screen loads at once */
	return 0;
}

static void close_screen(ui_screen *s)
{
	if (s->ops->close)
		s->ops->close(s);
	free(s);
}

void ui_pop(ui *u)
{
	if (u->depth <= 1)
		return;
	close_screen(u->stack[--u->depth]);
	u->next_tick = 0;
}

/* ---- jobs with a spinner ---- */

static void ujob_fn(job *j, void *arg)
{
	ujob *uj = arg;
	app *a = uj->u->app;

	uj->fn(j, uj->arg);
	/* Worker: the store is ours here. A job may have added or renamed
	 * a record; the : line's completion reads the copy (namecache.h). Only
	 * a store a job opened: completion never creates one. */
	if (a->store)
		namecache_refresh(a->names, a->store, NULL);
}

static void ujob_done(job *j, void *arg)
{
	ujob *uj = arg;
	ui *u = uj->u;

	for (ujob **p = &u->ujobs; *p; p = &(*p)->next)
		if (*p == uj) {
			*p = uj->next;
			break;
		}
	if (uj->done)
		uj->done(j, uj->arg);
	free(uj);
}

static job *start_job(ui *u, const char *label, job_fn fn, void *arg,
                      job_done_fn done, bool background)
{
	ujob *uj = calloc(1, sizeof(*uj));

	if (!uj)
		return NULL;
	uj->u = u;
	uj->background = background;
	snprintf(uj->label, sizeof(uj->label), "%s", label);
	clock_gettime(CLOCK_MONOTONIC, &uj->start);
	uj->fn = fn;
	uj->done = done;
	uj->arg = arg;
	uj->j = job_submit(u->jobs, ujob_fn, uj, ujob_done);
	if (!uj->j) {
		free(uj);
		return NULL;
	}
	uj->next = u->ujobs;
	u->ujobs = uj;
	return uj->j;
}

job *ui_job(ui *u, const char *label, job_fn fn, void *arg, job_done_fn done)
{
	return start_job(u, label, fn, arg, done, false);
}

job *ui_job_bg(ui *u, const char *label, job_fn fn, void *arg, job_done_fn done)
{
	return start_job(u, label, fn, arg, done, true);
}

/* ---- commands ---- */

typedef struct cmdjob {
	ui *u;
	cmd_args *args;
	out *o;
	dc_err err;
	int rc;
	cmd_ctx ctx;
	char name[64];
} cmdjob;

static void cmd_result(ui *u, cmdjob *cj)
{
	char line[700];

	if (u->closing)
		return; /* quitting: no screen to show it on */

	if (cj->rc < 0) {
		/* what it wrote before failing (a check's steps) is shown */
		if (out_has_data(cj->o))
			ui_show_out(u, cj->name, cj->o);
		ui_msg(u, cj->err.cat == DC_E_CANCELLED ? UI_WARN : UI_ERROR,
		       "%s: %s", cj->name,
		       err_line(&cj->err, line, sizeof(line)));
		return;
	}
	if (out_has_data(cj->o))
		ui_show_out(u, cj->name, cj->o);
	for (size_t i = 0; i < out_msg_count(cj->o); i++)
		ui_msg(u, UI_OK, "%s", out_msg_get(cj->o, i));
	if (!out_has_data(cj->o) && out_msg_count(cj->o) == 0)
		ui_msg(u, UI_OK, "%s: done", cj->name);
}

static void cmdjob_free(cmdjob *cj)
{
	cmd_args_free(cj->args);
	out_free(cj->o);
	free(cj);
}

static void cmdjob_run(job *j, void *arg)
{
	cmdjob *cj = arg;

	cj->ctx.cancel = job_cancel_flag(j);
	cj->rc = cmd_exec(&cj->ctx, cj->args, cj->o, &cj->err);
}

static void cmdjob_done(job *j, void *arg)
{
	cmdjob *cj = arg;

	if (job_cancelled(j) && cj->rc == 0 && !out_has_data(cj->o) &&
	    !out_msg_count(cj->o)) {
		cj->rc = -1;
		err_set(&cj->err, DC_E_CANCELLED, "cancelled");
	}
	cmd_result(cj->u, cj);
	cmdjob_free(cj);
}

static void hist_add(ui *u, const char *line)
{
	if (u->hist.n && strcmp(u->hist.v[u->hist.n - 1], line) == 0)
		return;
	if (u->hist.n >= MAX_HIST) {
		free(u->hist.v[0]);
		memmove(u->hist.v, u->hist.v + 1,
		        (u->hist.n - 1) * sizeof(char *));
		u->hist.n--;
	}
	strv_push(&u->hist, line);
}

static void run_args(ui *u, cmd_args *a)
{
	const cmd_def *c = cmd_args_cmd(a);
	cmdjob *cj;
	char *hl = cmd_args_line(a);

	if (hl) {
		hist_add(u, hl);
		free(hl);
	}
	if (c->screen) {
		ui_push(u, c->screen, a);
		cmd_args_free(a);
		return;
	}
	cj = calloc(1, sizeof(*cj));
	if (!cj || !(cj->o = out_new())) {
		free(cj);
		cmd_args_free(a);
		ui_msg(u, UI_ERROR, "out of memory");
		return;
	}
	cj->u = u;
	cj->args = a;
	cj->ctx = ui_cmd_ctx(u);
	cmd_name(c, cj->name, sizeof(cj->name));
	if (c->flags & CMD_QUICK) {
		cj->rc = cmd_exec(&cj->ctx, a, cj->o, &cj->err);
		cmd_result(u, cj);
		cmdjob_free(cj);
		return;
	}
	if (!ui_job(u, cj->name, cmdjob_run, cj, cmdjob_done)) {
		ui_msg(u, UI_ERROR, "out of memory");
		cmdjob_free(cj);
	}
}

void ui_run_line(ui *u, const char *line)
{
	strv w = {0};
	dc_err err;
	cmd_args *a;
	char buf[700];

	err_clear(&err);
	if (cmd_split(line, &w, &err) < 0) {
		ui_msg(u, UI_ERROR, "%s", err_line(&err, buf, sizeof(buf)));
		return;
	}
	if (w.n == 0) {
		strv_clear(&w);
		return;
	}
	/* a command with a screen opens it even when options are missing:
	 * the screen asks for them */
	a = cmd_parse_ex((int)w.n, w.v, false, &err);
	if (a && !cmd_args_cmd(a)->screen && cmd_args_check(a, &err) < 0) {
		cmd_args_free(a);
		a = NULL;
	}
	if (!a) {
		hist_add(u, line); /* so a typo can be fixed with Up */
		ui_msg(u, UI_ERROR, "%s", err_line(&err, buf, sizeof(buf)));
	} else {
		run_args(u, a);
	}
	strv_clear(&w);
}

static void run_cmd_def(ui *u, const cmd_def *c)
{
	cmd_args *a = cmd_args_new(c);
	dc_err err;
	char buf[700];

	if (!a)
		return;
	if (!c->screen && cmd_args_check(a, &err) < 0) {
		char cn[64];

		/* needs arguments: prefill the command line instead */
		cmd_args_free(a);
		u->mode = M_CMD;
		le_set(&u->le, cmd_name(c, cn, sizeof(cn)));
		le_insert(&u->le, " ");
		ui_msg(u, UI_INFO, "%s", err_line(&err, buf, sizeof(buf)));
		return;
	}
	run_args(u, a);
}

/* ---- confirm ---- */

void ui_confirm(ui *u, const char *title, const char *question,
                const char *typed, void (*cb)(ui *u, void *arg, bool yes),
                void *arg)
{
	confirm *m = calloc(1, sizeof(*m));

	if (!m) {
		cb(u, arg, false);
		return;
	}
	snprintf(m->title, sizeof(m->title), "%s", title);
	snprintf(m->question, sizeof(m->question), "%s", question);
	if (typed)
		snprintf(m->typed, sizeof(m->typed), "%s", typed);
	m->focus = typed ? 2 : 0;
	m->cb = cb;
	m->arg = arg;
	if (u->modal) { /* one at a time: the older one is cancelled */
		u->modal->cb(u, u->modal->arg, false);
		free(u->modal);
	}
	u->modal = m;
}

static void confirm_end(ui *u, bool yes)
{
	confirm *m = u->modal;

	u->modal = NULL;
	m->cb(u, m->arg, yes);
	le_clear(&m->le);
	free(m);
}

static void confirm_key(ui *u, int key)
{
	confirm *m = u->modal;
	bool typed_ok = !m->typed[0] || strcmp(m->le.buf, m->typed) == 0;

	switch (key) {
	case UIK_ESC:
		confirm_end(u, false);
		return;
	case UIK_TAB:
	case UIK_RIGHT:
	case UIK_DOWN:
		m->focus = (m->focus + 1) % (m->typed[0] ? 3 : 2);
		return;
	case UIK_BTAB:
	case UIK_LEFT:
	case UIK_UP:
		m->focus =
		    (m->focus + (m->typed[0] ? 2 : 1)) % (m->typed[0] ? 3 : 2);
		return;
	case UIK_ENTER:
		if (m->focus == 0) {
			confirm_end(u, false);
		} else if (!typed_ok) {
			ui_msg(u, UI_WARN, "type '%s' exactly to confirm",
			       m->typed);
		} else {
			confirm_end(u, true);
		}
		return;
	}
	if (m->focus == 2)
		le_key(&m->le, key);
}

static void wrap_lines(const char *s, int width,
                       void (*emit)(const char *, void *), void *arg)
{
	char line[512];
	const char *p = s;

	while (*p) {
		size_t best = 0, i = 0;
		int w = 0;

		while (p[i] && p[i] != '\n') {
			size_t l = text_charlen(p + i);
			char c[8] = {0};

			memcpy(c, p + i, l < 8 ? l : 7);
			if (w + text_width(c) > width)
				break;
			w += text_width(c);
			i += l;
			if (p[i] == ' ' || !p[i] || p[i] == '\n')
				best = i;
		}
		if (!p[i] || p[i] == '\n' || best == 0)
			best = i ? i : text_charlen(p);
		snprintf(line, sizeof(line), "%.*s", (int)best, p);
		emit(line, arg);
		p += best;
		while (*p == ' ' || *p == '\n')
			p++;
	}
}

struct wrapdraw {
	int y, x, w, n, max;
};

static void emit_line(const char *l, void *arg)
{
	struct wrapdraw *d = arg;

	if (d->n < d->max)
		draw_text(d->y + d->n, d->x, d->w, ROLE_NORMAL, l, true);
	d->n++;
}

static void count_line(const char *l, void *arg)
{
	(void)l;
	((struct wrapdraw *)arg)->n++;
}

static void confirm_draw(ui *u)
{
	confirm *m = u->modal;
	const draw_glyphs *g = draw_glyphs_get();
	int w = COLS - 10 < 64 ? COLS - 10 : 64;
	struct wrapdraw d = {0, 0, w - 4, 0, 100};
	int h;
	ui_rect r;

	wrap_lines(m->question, w - 4, count_line, &d);
	h = d.n + 5 + (m->typed[0] ? 2 : 0);
	r = (ui_rect){(LINES - h) / 2, (COLS - w) / 2, h, w};
	draw_clear(r, ROLE_NORMAL);
	draw_box(r, ROLE_BORDER, m->title);
	d = (struct wrapdraw){r.y + 2, r.x + 2, w - 4, 0, h - 5};
	wrap_lines(m->question, w - 4, emit_line, &d);
	int y = r.y + 2 + d.n + 1;

	if (m->typed[0]) {
		char p[200];

		snprintf(p, sizeof(p), "Type %s to confirm:", m->typed);
		draw_text(y - 1, r.x + 2, w - 4, ROLE_NORMAL, p, true);
		int cx = le_draw(&m->le, y, r.x + 2, w - 4,
		                 m->focus == 2 ? ROLE_INPUT : ROLE_DIM);

		if (m->focus == 2)
			ui_set_cursor(u, y, cx);
		y += 2;
	}
	char cancel[32], ok[32];

	snprintf(cancel, sizeof(cancel), "%s[ Cancel ]",
	         m->focus == 0 ? g->sel : " ");
	snprintf(ok, sizeof(ok), "%s[ OK ]", m->focus == 1 ? g->sel : " ");
	draw_text(y, r.x + w / 2 - 14, 13,
	          m->focus == 0 ? ROLE_SELECTION : ROLE_NORMAL, cancel, false);
	draw_text(y, r.x + w / 2 + 2, 8,
	          m->focus == 1 ? ROLE_SELECTION : ROLE_NORMAL, ok, false);
}

/* ---- drawing ---- */

static void draw_header(ui *u)
{
	const draw_glyphs *g = draw_glyphs_get();
	char crumb[512] = "", right[256] = "";
	size_t o = 0;
	int x, rw;
	const char *store = strrchr(u->app->store_path, '/');

	store = store ? store + 1 : u->app->store_path;
	o += (size_t)snprintf(crumb, sizeof(crumb), " dcictl");
	for (int i = 0; i < u->depth && o < sizeof(crumb); i++)
		o += (size_t)snprintf(crumb + o, sizeof(crumb) - o, "%s%s",
		                      g->sep, u->stack[i]->title);
	draw_fill(0, 0, COLS, ROLE_HEADER);
	snprintf(right, sizeof(right), "store: %.200s ", store);
	rw = text_width(right);
	int badges = (u->app->read_only ? 12 : 0) + (u->paused ? 9 : 0);

	draw_text(0, 0, COLS - rw - badges - 1, ROLE_HEADER, crumb, false);
	x = COLS - rw - badges;
	if (u->app->read_only) {
		draw_text(0, x, 11, ROLE_BADGE, "[READ-ONLY]", false);
		x += 12;
	}
	if (u->paused) {
		draw_text(0, x, 8, ROLE_BADGE, "[PAUSED]", false);
		x += 9;
	}
	draw_text(0, x, rw, ROLE_HEADER, right, false);
}

static int hint_item(int y, int x, int maxx, int key, const char *label)
{
	char kn[32], lb[64];
	int kw, lw;

	keys_name(key, kn, sizeof(kn));
	snprintf(lb, sizeof(lb), " %s ", label);
	kw = text_width(kn);
	lw = text_width(lb);
	if (x + kw + lw > maxx)
		return -1;
	draw_text(y, x, kw, ROLE_KEY, kn, false);
	draw_text(y, x + kw, lw, ROLE_HINT, lb, false);
	return x + kw + lw;
}

/* The screens in the order an operator needs them: the dashboard's hint
 * bar offers the first ones that fit. A screen command not named here
 * (a new feature) follows in registry order. */
static const char *const screen_order[] = {
    "module list", "tariff list", "service list",
    "server list", "iptype list", "operation list",
    "task list",   "api log",     "addon list",
    NULL,
};

size_t ui_screen_cmds(const cmd_def **v, size_t max)
{
	cmd_iter it = {0, 0};
	const cmd_def *c;
	size_t n = 0, rank[64];
	char cn[64];

	if (max > sizeof(rank) / sizeof(rank[0]))
		max = sizeof(rank) / sizeof(rank[0]);
	for (size_t pos = 0; (c = cmd_next(&it)) && n < max; pos++) {
		size_t r = 1000 + pos, i = n;

		if (!c->key || !c->screen || (c->flags & CMD_HIDDEN))
			continue;
		cmd_name(c, cn, sizeof(cn));
		for (size_t k = 0; screen_order[k]; k++)
			if (!strcmp(screen_order[k], cn))
				r = k;
		/* insertion: ties keep registry order */
		for (; i > 0 && rank[i - 1] > r; i--) {
			v[i] = v[i - 1];
			rank[i] = rank[i - 1];
		}
		v[i] = c;
		rank[i] = r;
		n++;
	}
	return n;
}

const char *ui_screen_label(const cmd_def *c, char *buf, size_t len)
{
	const char *name =
	    c->screen && c->screen->name ? c->screen->name : c->noun;

	snprintf(buf, len, "%s", name);
	/* "Modules" -> "modules", but "IP" and "API log" stay */
	if (buf[0] && buf[1] && isupper((unsigned char)buf[0]) &&
	    islower((unsigned char)buf[1]))
		buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

static int hint_width(int key, const char *label)
{
	char kn[32], lb[64];

	keys_name(key, kn, sizeof(kn));
	snprintf(lb, sizeof(lb), " %s ", label);
	return text_width(kn) + text_width(lb);
}

/* The dashboard's hint bar: help and the command line, then the keys of
 * the screens in order while they fit, then the filter only if every
 * screen fitted; quit always keeps its place at the end. */
static void draw_root_hints(ui *u, int y)
{
	const cmd_def *sc[64];
	size_t n = ui_screen_cmds(sc, 64);
	const ui_key *quit = NULL, *filter = NULL;
	int x = 0, nx, max = COLS;
	bool all = true;
	char lb[64];

	for (const ui_key *k = ui_global_keys; k->key; k++)
		if (k->action == GA_QUIT && k->label) {
			quit = k;
			max = COLS - hint_width(k->key, k->label);
		}
	for (const ui_key *k = ui_global_keys; k->key; k++) {
		if (!k->label || k == quit || k->action == GA_BACK)
			continue;
		if (k->action == GA_FILTER) {
			filter = top_list(u) ? k : NULL;
			continue;
		}
		if ((nx = hint_item(y, x, max, k->key, k->label)) > 0)
			x = nx;
	}
	for (size_t i = 0; i < n && all; i++) {
		nx = hint_item(y, x, max, sc[i]->key,
		               ui_screen_label(sc[i], lb, sizeof(lb)));
		if (nx < 0)
			all = false;
		else
			x = nx;
	}
	if (all && filter &&
	    (nx = hint_item(y, x, max, filter->key, filter->label)) > 0)
		x = nx;
	if (quit)
		hint_item(y, x, COLS, quit->key, quit->label);
}

static void draw_hints(ui *u)
{
	ui_screen *s = top(u);
	int y = LINES - 1, x = 0, nx;

	draw_fill(y, 0, COLS, ROLE_HINT);
	if (u->modal) {
		if ((nx = hint_item(y, x, COLS, UIK_TAB, "next")) > 0)
			x = nx;
		if ((nx = hint_item(y, x, COLS, UIK_ENTER, "choose")) > 0)
			x = nx;
		hint_item(y, x, COLS, UIK_ESC, "cancel");
		return;
	}
	if (u->mode != M_NORMAL) {
		if ((nx = hint_item(y, x, COLS, UIK_ENTER,
		                    u->mode == M_CMD ? "run" : "keep")) > 0)
			x = nx;
		if (u->mode == M_CMD) {
			if ((nx = hint_item(y, x, COLS, UIK_TAB, "complete")) >
			    0)
				x = nx;
			if ((nx = hint_item(y, x, COLS, UIK_UP, "history")) > 0)
				x = nx;
		}
		hint_item(y, x, COLS, UIK_ESC, "cancel");
		return;
	}
	if (u->depth <= 1 && !(s->ops->keys && s->ops->keys->key)) {
		draw_root_hints(u, y);
		return;
	}
	for (const ui_key *k = s->ops->keys; k && k->key; k++)
		if (k->label &&
		    (nx = hint_item(y, x, COLS, k->key, k->label)) > 0)
			x = nx;
	for (const ui_key *k = ui_global_keys; k->key; k++) {
		bool dup = false;

		if (!k->label)
			continue;
		for (const ui_key *sk = s->ops->keys; sk && sk->key; sk++)
			if (sk->key == k->key)
				dup = true;
		/* in a form, printable keys type text */
		if (dup ||
		    (s->ops->text_input && k->key >= ' ' && k->key < UI_KEYFN))
			continue;
		if (k->action == GA_FILTER && !top_list(u))
			continue;
		if (k->action == GA_BACK && u->depth <= 1)
			continue;
		if ((nx = hint_item(y, x, COLS, k->key, k->label)) < 0)
			break;
		x = nx;
	}
}

/* The : line as drawn: the value of a secret option (CMD_OPT_SECRET)
 * shows as one '*' per character, so a password typed there is not on
 * the screen. Words are split at blanks (good enough for display). */
static void mask_secrets(const lineedit *in, lineedit *outle)
{
	const char *b = in->buf;
	char w0[64] = "", w1[64] = "";
	bool masked[LINEEDIT_MAX] = {false};
	const cmd_def *c;
	bool mask_next = false;
	size_t i = 0, o = 0;

	memset(outle, 0, sizeof(*outle));
	outle->scroll = in->scroll;
	sscanf(b, "%63s %63s", w0, w1);
	c = cmd_find(w0, w1);
	if (!c)
		c = cmd_find(w0, NULL);
	/* 1: which bytes belong to secret values */
	while (c && b[i]) {
		size_t start;

		while (b[i] == ' ')
			i++;
		start = i;
		while (b[i] && b[i] != ' ')
			i++;
		if (start == i)
			break;
		if (mask_next) {
			for (size_t k = start; k < i; k++)
				masked[k] = true;
			mask_next = false;
			continue;
		}
		if (b[start] != '-' || b[start + 1] != '-')
			continue;
		const char *nm = b + start + 2;
		const char *e = memchr(nm, '=', (size_t)(b + i - nm));
		size_t nl = e ? (size_t)(e - nm) : (size_t)(b + i - nm);

		for (const cmd_opt *op = c->opts; op && op->name; op++)
			if ((op->flags & CMD_OPT_SECRET) &&
			    strlen(op->name) == nl &&
			    strncmp(op->name, nm, nl) == 0) {
				if (!e)
					mask_next = true;
				else
					for (size_t k = (size_t)(e - b) + 1;
					     k < i; k++)
						masked[k] = true;
			}
	}
	/* 2: copy, one '*' per masked character, mapping the cursor */
	for (i = 0; i < in->len && o + 5 < sizeof(outle->buf);) {
		size_t l = text_charlen(b + i);

		if (!l)
			l = 1;
		if (i == in->cur)
			outle->cur = o;
		if (masked[i]) {
			outle->buf[o++] = '*';
		} else {
			memcpy(outle->buf + o, b + i, l);
			o += l;
		}
		i += l;
	}
	if (in->cur >= in->len)
		outle->cur = o;
	outle->buf[o] = '\0';
	outle->len = o;
}

static void draw_msgline(ui *u)
{
	const draw_glyphs *g = draw_glyphs_get();
	int y = LINES - 2, jw = 0;
	char jobtxt[256] = "";

	draw_fill(y, 0, COLS, ROLE_STATUS);
	if (u->mode == M_CMD) {
		lineedit shown;

		if (u->compl [0])
			draw_text(y - 1, 0, COLS, ROLE_STATUS, u->compl, true);
		draw_text(y, 0, 1, ROLE_STATUS, ":", false);
		mask_secrets(&u->le, &shown);
		int cx = le_draw(&shown, y, 1, COLS - 1, ROLE_INPUT);

		u->le.scroll = shown.scroll;
		explicit_bzero(&shown, sizeof(shown));
		ui_set_cursor(u, y, cx);
		return;
	}
	if (u->ujobs) {
		struct timespec ts;
		int nj = 0, frames = 0;
		ujob *show = NULL;
		double el = 0;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		/* the oldest (last) job the operator started; a background
		 * refresh only once it has taken more than a second */
		for (ujob *j = u->ujobs; j; j = j->next) {
			double e =
			    (double)(ts.tv_sec - j->start.tv_sec) +
			    (double)(ts.tv_nsec - j->start.tv_nsec) / 1e9;

			if (j->background && e < 1.0)
				continue;
			nj++;
			show = j;
			el = e;
		}
		while (g->spin[frames])
			frames++;
		if (show) {
			int frame = (int)(el * 10) % frames;

			snprintf(jobtxt, sizeof(jobtxt),
			         "%s %s %.1fs%s (Ctrl-C cancels)",
			         g->spin[frame], show->label, el,
			         nj > 1 ? " +more" : "");
			jw = text_width(jobtxt);
			if (jw > COLS / 2 + 10)
				jw = COLS / 2 + 10;
			draw_text(y, COLS - jw, jw, ROLE_STATUS, jobtxt, false);
		}
	}
	if (u->show_msg && u->nmsg) {
		const ui_msgrec *m = ui_msg_at(u, u->nmsg - 1);
		static const char *const pre[] = {
		    "", "ok: ", "warning: ", "error: "};
		static const role roles[] = {ROLE_STATUS, ROLE_OK, ROLE_WARN,
		                             ROLE_ERROR};
		char t[600];

		snprintf(t, sizeof(t), "%s%s", pre[m->level], m->text);
		draw_text(y, 0, COLS - jw - 1, roles[m->level], t, false);
	}
}

static void draw_filterline(ui *u, list *l, int y)
{
	char info[64];
	int iw;

	snprintf(info, sizeof(info), " %zu of %zu  ", l->nview, l->nrows);
	iw = text_width(info);
	draw_fill(y, 0, COLS, ROLE_STATUS);
	draw_text(y, 0, 8, ROLE_KEY, "Filter:", false);
	if (u->mode == M_FILTER) {
		int cx = le_draw(&u->le, y, 8, COLS - 8 - iw, ROLE_INPUT);

		ui_set_cursor(u, y, cx);
	} else {
		draw_text(y, 8, COLS - 8 - iw, ROLE_STATUS, l->filter, true);
	}
	draw_text(y, COLS - iw, iw, ROLE_STATUS, info, false);
}

static void draw_too_small(void)
{
	char a[128];
	int y = LINES / 2 - 1;

	snprintf(a, sizeof(a), "terminal too small: need %dx%d, have %dx%d",
	         MIN_COLS, MIN_ROWS, COLS, LINES);
	erase();
	draw_text(y < 0 ? 0 : y, 0, COLS, ROLE_WARN, a, false);
	draw_text(y + 1, 0, COLS, ROLE_NORMAL,
	          "enlarge the window, or press Q to quit", false);
}

static void render(ui *u)
{
	ui_screen *s = top(u);
	list *l = top_list(u);
	ui_rect body = {1, 0, LINES - 3, COLS};

	u->cur_y = -1;
	erase();
	if (LINES < MIN_ROWS || COLS < MIN_COLS) {
		draw_too_small();
		curs_set(0);
		refresh();
		return;
	}
	draw_header(u);
	if (l && (l->filter[0] || u->mode == M_FILTER)) {
		body.h--;
		draw_filterline(u, l, body.y + body.h);
	}
	if (s->ops->draw)
		s->ops->draw(s, body);
	draw_msgline(u);
	draw_hints(u);
	if (u->modal)
		confirm_draw(u);
	if (u->cur_y >= 0) {
		move(u->cur_y, u->cur_x);
		curs_set(1);
	} else {
		curs_set(0);
	}
	refresh();
}

/* ---- keys ---- */

static int getkey(void)
{
	wint_t wc;
	int r = get_wch(&wc);

	if (r == ERR)
		return -1;
	if (r == KEY_CODE_YES) {
		if (wc == KEY_ENTER)
			return UIK_ENTER;
		return UIK((int)wc);
	}
	if (wc == '\r')
		return UIK_ENTER;
	if (wc == 127 || wc == 8)
		return UIK_BACKSPACE;
	return (int)wc;
}

static void complete(ui *u)
{
	strv c = {0};
	size_t start = 0;

	cmd_complete(u->app, u->le.buf, u->le.cur, &c, &start);
	if (c.n > 0) {
		/* longest common prefix of all candidates */
		size_t lcp = strlen(c.v[0]);
		size_t have = u->le.cur - start;

		for (size_t i = 1; i < c.n; i++) {
			size_t k = 0;

			while (k < lcp && c.v[i][k] == c.v[0][k])
				k++;
			lcp = k;
		}
		if (lcp > have) {
			char add[LINEEDIT_MAX];

			snprintf(add, sizeof(add), "%.*s", (int)(lcp - have),
			         c.v[0] + have);
			le_insert(&u->le, add);
		}
		if (c.n == 1) {
			le_insert(&u->le, " ");
		} else {
			char all[600];
			size_t o = 0;

			for (size_t i = 0; i < c.n && o < sizeof(all); i++)
				o += (size_t)snprintf(all + o, sizeof(all) - o,
				                      "%s%s", i ? " " : "",
				                      c.v[i]);
			snprintf(u->compl, sizeof(u->compl ), "%s", all);
		}
	}
	if (c.n == 0)
		snprintf(u->compl, sizeof(u->compl ), "(no completion)");
	strv_clear(&c);
}

static void cmd_key(ui *u, int key)
{
	u->compl [0] = '\0';
	switch (key) {
	case UIK_ESC:
		u->mode = M_NORMAL;
		le_clear(&u->le);
		return;
	case UIK_ENTER: {
		char line[LINEEDIT_MAX];

		snprintf(line, sizeof(line), "%s", u->le.buf);
		u->mode = M_NORMAL;
		le_clear(&u->le);
		ui_run_line(u, line);
		return;
	}
	case UIK_TAB:
		complete(u);
		return;
	case UIK_UP:
		if (u->hist_pos == 0)
			return;
		if (u->hist_pos == u->hist.n)
			snprintf(u->hist_saved, sizeof(u->hist_saved), "%s",
			         u->le.buf);
		le_set(&u->le, u->hist.v[--u->hist_pos]);
		return;
	case UIK_DOWN:
		if (u->hist_pos >= u->hist.n)
			return;
		u->hist_pos++;
		le_set(&u->le, u->hist_pos == u->hist.n
		                   ? u->hist_saved
		                   : u->hist.v[u->hist_pos]);
		return;
	case UIK_BACKSPACE:
		if (u->le.len == 0) {
			u->mode = M_NORMAL;
			return;
		}
		break;
	}
	le_key(&u->le, key);
}

static void filter_key(ui *u, int key)
{
	list *l = top_list(u);

	if (!l) {
		u->mode = M_NORMAL;
		return;
	}
	switch (key) {
	case UIK_ESC:
		le_clear(&u->le);
		list_set_filter(l, "");
		u->mode = M_NORMAL;
		return;
	case UIK_ENTER:
		u->mode = M_NORMAL;
		return;
	case UIK_UP:
	case UIK_DOWN:
	case UIK_PGUP:
	case UIK_PGDN:
		list_key(l, key);
		return;
	}
	le_key(&u->le, key);
	list_set_filter(l, u->le.buf);
}

static const int refresh_steps[] = {500, 1000, 2000, 5000, 10000, 30000, 60000};
#define NSTEPS ((int)(sizeof(refresh_steps) / sizeof(refresh_steps[0])))

static void change_refresh(ui *u, int dir)
{
	int i;

	for (i = 0; i < NSTEPS - 1 && refresh_steps[i] < u->refresh_ms; i++)
		;
	i += dir;
	if (i < 0)
		i = 0;
	if (i >= NSTEPS)
		i = NSTEPS - 1;
	u->refresh_ms = refresh_steps[i];
	u->next_tick = now_s() + u->refresh_ms / 1000.0;
	ui_msg(u, UI_INFO, "refreshing every %g s", u->refresh_ms / 1000.0);
}

extern const ui_screen_ops help_screen;

static void quit_answer(ui *u, void *arg, bool yes)
{
	(void)arg;
	if (yes)
		u->quit = true;
}

/* Quitting cancels running work: ask first if there is any. */
static void ask_quit(ui *u)
{
	char q[300];
	int n = 0;
	const char *label = "";

	for (ujob *j = u->ujobs; j; j = j->next)
		if (!j->background) {
			label = j->label;
			n++;
		}
	if (n == 0) {
		u->quit = true;
		return;
	}
	snprintf(q, sizeof(q),
	         "%d job%s still running (%s). Quit anyway? Running work is "
	         "cancelled where that is safe.",
	         n, n == 1 ? " is" : "s are", label);
	ui_confirm(u, "Quit", q, NULL, quit_answer, NULL);
}

/* Runs a global action; false if `action` is none of them. */
static bool global_action(ui *u, int action)
{
	ui_screen *s = top(u);
	list *l = top_list(u);

	switch (action) {
	case GA_HELP:
		ui_push(u, &help_screen, NULL);
		return true;
	case GA_CMD:
		u->mode = M_CMD;
		le_clear(&u->le);
		u->hist_pos = u->hist.n;
		return true;
	case GA_FILTER:
		if (!l) {
			ui_msg(u, UI_INFO, "nothing to filter on this screen");
			return true;
		}
		u->mode = M_FILTER;
		le_set(&u->le, l->filter);
		return true;
	case GA_BACK:
		if (l && l->filter[0]) {
			list_set_filter(l, "");
			return true;
		}
		ui_pop(u);
		return true;
	case GA_QUIT:
		if (u->depth <= 1)
			ask_quit(u);
		else
			ui_pop(u);
		return true;
	case GA_QUIT_ALL:
		ask_quit(u);
		return true;
	case GA_SLOWER:
		change_refresh(u, 1);
		return true;
	case GA_FASTER:
		change_refresh(u, -1);
		return true;
	case GA_PAUSE:
		u->paused = !u->paused;
		ui_msg(u, UI_INFO,
		       u->paused ? "live refresh paused (p resumes)"
		                 : "live refresh resumed");
		if (!u->paused)
			u->next_tick = 0;
		return true;
	case GA_REFRESH:
		if (s->ops->tick)
			s->ops->tick(s);
		u->next_tick = now_s() + u->refresh_ms / 1000.0;
		return true;
	case GA_REDRAW:
		clearok(curscr, TRUE);
		return true;
	case GA_CANCEL:
		if (u->ujobs) {
			jobs_cancel_all(u->jobs);
			ui_msg(u, UI_WARN, "cancelling...");
		} else {
			ui_msg(u, UI_INFO, "nothing to cancel (Q quits)");
		}
		return true;
	}
	return false;
}

static void global_key(ui *u, int key)
{
	list *l = top_list(u);
	int action = 0;
	const cmd_def *c;

	for (int i = 0; i < u->nbinds; i++)
		if (u->binds[i].key == key) {
			ubind *b = &u->binds[i];

			if (b->action)
				global_action(u, b->action);
			else if (b->list_key && l)
				list_key(l, b->list_key);
			else if (b->cmd)
				run_cmd_def(u, b->cmd);
			return;
		}
	for (const ui_key *k = ui_global_keys; k->key; k++)
		if (k->key == key)
			action = k->action;
	if (global_action(u, action))
		return;
	if (l && (key == '<' || key == '>')) {
		int col = l->sort_col < 0 ? 0 : l->sort_col;

		if (l->sort_col >= 0)
			col += key == '>' ? 1 : -1;
		if (col < 0)
			col = l->ncols - 1;
		if (col >= l->ncols)
			col = 0;
		list_sort(l, col);
		return;
	}
	if ((c = cmd_by_key(key)))
		run_cmd_def(u, c);
}

static void mouse_event(ui *u)
{
	MEVENT ev;
	list *l = top_list(u);

	if (getmouse(&ev) != OK || !l)
		return;
	if (ev.bstate & BUTTON4_PRESSED)
		list_click(l, 0, -1);
	else if (ev.bstate & BUTTON5_PRESSED)
		list_click(l, 0, 1);
	else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
		list_click(l, ev.y - 1, 0);
}

static void handle_key(ui *u, int key)
{
	ui_screen *s = top(u);
	unsigned r = 0;
	int action = 0;

	if (LINES < MIN_ROWS || COLS < MIN_COLS) {
		if (key == 'Q' || key == UIK_CTRL('c'))
			u->quit = true;
		return;
	}
	if (u->modal) {
		confirm_key(u, key);
		return;
	}
	if (u->mode == M_CMD) {
		cmd_key(u, key);
		return;
	}
	if (u->mode == M_FILTER) {
		filter_key(u, key);
		return;
	}
	if (key == UIK_MOUSE) {
		mouse_event(u);
		return;
	}
	for (const ui_key *k = s->ops->keys; k && k->key; k++)
		if (k->key == key)
			action = k->action;
	if (s->ops->key)
		r = s->ops->key(s, key, action);
	if (r & UI_QUIT)
		u->quit = true;
	if (r & UI_BACK) {
		if (u->depth > 1)
			ui_pop(u);
		else
			u->quit = true;
	}
	if (r & (UI_HANDLED | UI_BACK | UI_QUIT))
		return;
	list *l = top_list(u);

	if (l && list_key(l, key))
		return;
	global_key(u, key);
}

/* ---- loop ---- */

static int setup_winch(void)
{
	struct sigaction sa;

	if (pipe2(winch_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0)
		return -1;
	return sigaction(SIGWINCH, &sa, NULL);
}

/* Returns true if a quit signal came. */
static bool do_signals(void)
{
	struct winsize ws;
	char b[64];
	ssize_t n;
	bool quit = false, resize = false;

	while ((n = read(winch_pipe[0], b, sizeof(b))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			if (b[i] == 'q')
				quit = true;
			else
				resize = true;
		}
	if (!resize)
		return quit;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	return quit;
}

static int poll_timeout(ui *u)
{
	ui_screen *s = top(u);
	int t = -1;

	if (u->ujobs)
		t = 100; /* spinner and elapsed time */
	if (s->ops->tick && !u->paused) {
		double left = u->next_tick - now_s();
		int ms = left <= 0 ? 0 : (int)(left * 1000) + 1;

		if (t < 0 || ms < t)
			t = ms;
	}
	return t;
}

static void tick(ui *u)
{
	ui_screen *s = top(u);
	double n = now_s();

	if (!s->ops->tick || u->paused || n < u->next_tick)
		return;
	u->next_tick = n + u->refresh_ms / 1000.0;
	unsigned r = s->ops->tick(s);

	if (r & UI_BACK)
		ui_pop(u);
	if (r & UI_QUIT)
		u->quit = true;
}

static void ui_free(ui *u)
{
	u->closing = true;
	if (u->jobs)
		jobs_free(u->jobs); /* runs pending done() callbacks */
	while (u->depth > 0)
		close_screen(u->stack[--u->depth]);
	if (u->modal) {
		u->modal->cb(u, u->modal->arg, false);
		free(u->modal);
	}
	for (int i = 0; i < 16; i++)
		if (u->drafts[i].data)
			u->drafts[i].free_fn(u->drafts[i].data);
	strv_clear(&u->hist);
	le_clear(&u->le);
	free(u);
}

void *ui_draft_take(ui *u, const void *key)
{
	for (int i = 0; i < 16; i++)
		if (u->drafts[i].key == key && u->drafts[i].data) {
			void *d = u->drafts[i].data;

			u->drafts[i].data = NULL;
			u->drafts[i].key = NULL;
			return d;
		}
	return NULL;
}

void ui_draft_put(ui *u, const void *key, void *data, void (*free_fn)(void *))
{
	void *old = ui_draft_take(u, key);
	int slot = 0;

	if (old)
		free_fn(old);
	for (int i = 0; i < 16; i++)
		if (!u->drafts[i].data) {
			slot = i;
			break;
		}
	if (u->drafts[slot].data) /* all full: drop the first */
		u->drafts[slot].free_fn(u->drafts[slot].data);
	u->drafts[slot].key = key;
	u->drafts[slot].data = data;
	u->drafts[slot].free_fn = free_fn;
}

static const struct {
	const char *name;
	int action, list_key;
} action_names[] = {
    {"help", GA_HELP, 0},
    {"command", GA_CMD, 0},
    {"filter", GA_FILTER, 0},
    {"back", GA_BACK, 0},
    {"quit", GA_QUIT, 0},
    {"quit-all", GA_QUIT_ALL, 0},
    {"slower", GA_SLOWER, 0},
    {"faster", GA_FASTER, 0},
    {"pause", GA_PAUSE, 0},
    {"refresh", GA_REFRESH, 0},
    {"redraw", GA_REDRAW, 0},
    {"cancel", GA_CANCEL, 0},
    {"up", 0, UIK_UP},
    {"down", 0, UIK_DOWN},
    {"page-up", 0, UIK_PGUP},
    {"page-down", 0, UIK_PGDN},
    {"half-up", 0, UIK_CTRL('u')},
    {"half-down", 0, UIK_CTRL('d')},
    {"top", 0, UIK_HOME},
    {"bottom", 0, UIK_END},
};

const char *ui_action_name(size_t i)
{
	return i < sizeof(action_names) / sizeof(action_names[0])
	           ? action_names[i].name
	           : NULL;
}

/* The config's `keys`: each names a key and an action (one of the names
 * above, or a command written noun.verb, such as "api.log"). Problems are
 * reported on the message line with the config line, and the binding is
 * skipped. */
static void load_binds(ui *u)
{
	const dc_config *cfg = &u->app->cfg;

	for (size_t i = 0; i < cfg->nkeys && u->nbinds < 64; i++) {
		const config_keybind *kb = &cfg->keys[i];
		ubind b = {.key = keys_parse(kb->key)};

		if (b.key < 0) {
			ui_msg(u, UI_WARN, "%s:%d: unknown key '%s'",
			       u->app->config_path, kb->line, kb->key);
			continue;
		}
		for (size_t k = 0;
		     k < sizeof(action_names) / sizeof(action_names[0]); k++)
			if (strcmp(action_names[k].name, kb->action) == 0) {
				b.action = action_names[k].action;
				b.list_key = action_names[k].list_key;
			}
		if (!b.action && !b.list_key) {
			/* a command: "noun.verb" (config names have no
			 * blanks) or a one-word command */
			char noun[64];
			const char *dot = strchr(kb->action, '.');

			snprintf(noun, sizeof(noun), "%.*s",
			         dot ? (int)(dot - kb->action) : 63,
			         kb->action);
			b.cmd = cmd_find(noun, dot ? dot + 1 : NULL);
		}
		if (!b.action && !b.list_key && !b.cmd) {
			ui_msg(u, UI_WARN,
			       "config line %d: unknown action '%s' for key "
			       "'%s' (%s; see ? for actions and commands)",
			       kb->line, kb->action, kb->key,
			       u->app->config_path);
			continue;
		}
		u->binds[u->nbinds++] = b;
	}
}

static void load_theme(ui *u, theme *t)
{
	char path[PATH_MAX];
	dc_err err;

	theme_builtin(t);
	err_clear(&err);
	if (theme_find(u->app->theme, path, sizeof(path), &err) < 0 ||
	    theme_load(t, path, &err) < 0) {
		theme_builtin(t);
		/* err.msg already says file:line and what is wrong */
		ui_msg(u, UI_WARN, "%s; using the built-in theme", err.msg);
	}
}

int ui_run(struct app *a)
{
	ui *u = calloc(1, sizeof(*u));
	dc_err err;
	theme th;

	if (!u) {
		fputs("dcictl: out of memory\n", stderr);
		return 1;
	}
	u->app = a;
	u->refresh_ms = a->refresh_ms;
	if (!(u->jobs = jobs_new(1, &err))) {
		char line[700];

		fprintf(stderr, "dcictl: %s\n",
		        err_line(&err, line, sizeof(line)));
		free(u);
		return 1;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fputs("dcictl: the console needs a terminal; run a command "
		      "instead (dcictl help)\n",
		      stderr);
		ui_free(u);
		return 2;
	}
	set_escdelay(25);
	if (!initscr()) {
		ui_free(u);
		return 1;
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED |
	              BUTTON5_PRESSED,
	          NULL);
	mouseinterval(0);
	setup_winch();
	draw_init(a->ascii);
	load_theme(u, &th);
	theme_apply(&th, a->no_color);
	load_binds(u);
	if (ui_push(u, &dashboard_screen, NULL) < 0) {
		endwin();
		ui_free(u);
		return 1;
	}
	while (!u->quit) {
		struct pollfd p[3] = {
		    {.fd = STDIN_FILENO, .events = POLLIN},
		    {.fd = jobs_fd(u->jobs), .events = POLLIN},
		    {.fd = winch_pipe[0], .events = POLLIN},
		};
		int key;

		tick(u);
		render(u);
		if (poll(p, 3, poll_timeout(u)) < 0 && errno != EINTR)
			break;
		if ((p[2].revents & POLLIN) && do_signals())
			break;
		if (p[1].revents & POLLIN)
			jobs_dispatch(u->jobs);
		if (p[0].revents & (POLLHUP | POLLERR))
			break;
		/* drain every key that arrived, then draw once */
		while (!u->quit && (key = getkey()) >= 0) {
			if (key == UIK_RESIZE)
				continue;
			handle_key(u, key);
		}
	}
	jobs_cancel_all(u->jobs);
	endwin();
	ui_free(u);
	return 0;
}

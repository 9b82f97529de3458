/* scr_servers.c - the Servers screen: one module's DCImanager inventory
 * (id, name, type, state, flags, owner, main IP, RAM), filtered by type
 * (t/T) and state (s/S) with the filters shown in words, by any text with
 * `/`, sorted by any column (< >); m/M switch module, r fetches again,
 * g (or Enter) opens the Graphs screen of the selected server.
 *
 * The list is fetched on the jobs worker (one `server` call); the screen
 * keeps it and the list widget shows only the visible rows, so 10 000
 * servers cost a re-filter on a filter key and nothing on a move. State
 * is always spelled out (free/owned/problem and the flag names), never by
 * colour alone. It does not refresh by itself: an inventory is a snapshot
 * with its age in the header. */
#include "app.h"
#include "cmd_tariff.h"
#include "store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TYPES_MAX 64

enum {
	A_TYPE = 1,
	A_TYPE_BACK,
	A_STATE,
	A_STATE_BACK,
	A_MODULE,
	A_MODULE_BACK,
	A_RELOAD,
	A_GRAPH
};

typedef struct sscr {
	ui_screen *s;
	char **mods; /* module names, by sorting */
	size_t nmods;
	int mod; /* index into mods, -1 none yet */
	char want_mod[DC_NAME_MAX];
	dci_servers *l;
	char lmod[DC_NAME_MAX]; /* the module l is of */
	size_t *idx;            /* rows of l that pass type and state */
	size_t nidx;
	char types[TYPES_MAX][DC_TYPE_MAX];
	size_t ntypes;
	int type;  /* -1: every type */
	int state; /* index into tcmd_server_states (0 = all) */
	list lw;
	bool loading;
	time_t fetched;
	double fetch_ms;
	char err[600];
} sscr;

static const list_col scols[] = {
    {"ID", 5, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"NAME", 0, 11, 0},
    {"TYPE", 0, 8, 0},
    {"STATE", 7, 0, 0},
    {"FLAGS", 0, 6, 0},
    {"OWNER", 0, 6, 0},
    {"MAIN IP", 15, 0, 0},
    {"RAM MiB", 7, 0, LIST_COL_RIGHT | LIST_COL_NUM},
};

static const dci_server *srv(const sscr *d, size_t row)
{
	return &d->l->v[d->idx[row]];
}

static const char *scell(void *data, size_t row, int col, char *buf, size_t len)
{
	const dci_server *s = srv(data, row);
	switch (col) {
	case 0:
		snprintf(buf, len, "%ld", s->id);
		return buf;
	case 1:
		return s->name;
	case 2:
		return s->type;
	case 3:
		return tcmd_server_state(s);
	case 4:
		return tcmd_server_flags(s, buf, len);
	case 5:
		return s->owner ? s->owner : "-";
	case 6:
		return s->ip && *s->ip ? s->ip : "-";
	case 7:
		snprintf(buf, len, "%ld", s->ram_mib);
		return buf;
	}
	return "";
}

static role srole(void *data, size_t row)
{
	const dci_server *s = srv(data, row);
	if (s->owner)
		return ROLE_NORMAL;
	return dci_server_is_free(s, NULL) ? ROLE_OK : ROLE_WARN;
}

/* Rebuilds the rows that pass the type and state filters. */
static void refilter(sscr *d)
{
	size_t k = 0;
	const char *type = d->type >= 0 ? d->types[d->type] : NULL;
	const char *state = tcmd_server_states[d->state];
	for (size_t i = 0; d->l && i < d->l->n; i++) {
		const dci_server *s = &d->l->v[i];
		if ((type && strcmp(s->type, type)) ||
		    !tcmd_server_match_state(s, state))
			continue;
		d->idx[k++] = i;
	}
	d->nidx = k;
	list_set_rows(&d->lw, k);
}

static int cmp_type(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void collect_types(sscr *d)
{
	d->ntypes = 0;
	for (size_t i = 0; d->l && i < d->l->n; i++) {
		const char *t = d->l->v[i].type;
		bool seen = false;
		for (size_t k = 0; k < d->ntypes && !seen; k++)
			seen = !strcmp(d->types[k], t);
		if (!seen && d->ntypes < TYPES_MAX)
			dc_strlcpy(d->types[d->ntypes++], t, DC_TYPE_MAX);
	}
	qsort(d->types, d->ntypes, sizeof(d->types[0]), cmp_type);
}

/* ---- loading ---- */

typedef struct sload {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	char module[DC_NAME_MAX]; /* "" = the first module */
	char **mods;
	size_t nmods;
	dci_servers *l;
	double ms;
	dc_err err;
	int rc;
} sload;

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void sload_fn(job *j, void *arg)
{
	sload *sl = arg;
	dc_store *st;
	dc_module *m = NULL;
	size_t n = 0;
	struct timespec t0, t1;
	sl->ctx.cancel = job_cancel_flag(j);
	sl->rc = -1;
	if (!(st = app_store(sl->ctx.app, &sl->err)) ||
	    module_list(st, &m, &n, &sl->err) < 0)
		return;
	sl->mods = calloc(n ? n : 1, sizeof(char *));
	if (!sl->mods) {
		free(m);
		err_set(&sl->err, DC_E_NOMEM, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if ((sl->mods[sl->nmods] = strdup(m[i].name)))
			sl->nmods++;
	free(m);
	if (!sl->nmods) {
		err_set(&sl->err, DC_E_NOTFOUND,
		        "no processing modules yet: add one first (m)");
		return;
	}
	if (!sl->module[0])
		dc_strlcpy(sl->module, sl->mods[0], sizeof(sl->module));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (tcmd_server_list(&sl->ctx, sl->module, &sl->l, &sl->err) < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sl->ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	         (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	sl->rc = 0;
}

static void sload_done(job *j, void *arg)
{
	sload *sl = arg;
	ui_screen *s = ui_screen_by_id(sl->u, sl->sid);
	char line[700];
	(void)j;
	if (!s) {
		free_names(sl->mods, sl->nmods);
		dci_servers_free(sl->l);
		free(sl);
		return;
	}
	sscr *d = s->priv;
	d->loading = false;
	if (sl->nmods) {
		free_names(d->mods, d->nmods);
		d->mods = sl->mods;
		d->nmods = sl->nmods;
		sl->mods = NULL;
		d->mod = -1;
		for (size_t i = 0; i < d->nmods; i++)
			if (!strcmp(d->mods[i], sl->module))
				d->mod = (int)i;
	}
	free_names(sl->mods, 0);
	if (sl->rc < 0) {
		snprintf(d->err, sizeof(d->err), "%s: %s", sl->module,
		         err_line(&sl->err, line, sizeof(line)));
		ui_msg(sl->u, UI_ERROR, "%s", d->err);
		free(sl);
		return;
	}
	size_t *idx = malloc((sl->l->n ? sl->l->n : 1) * sizeof(*idx));
	if (!idx) {
		dci_servers_free(sl->l);
		snprintf(d->err, sizeof(d->err), "out of memory");
		free(sl);
		return;
	}
	/* Keep the type filter by name across a reload or module switch. */
	char keep[DC_TYPE_MAX] = "";
	if (d->type >= 0)
		dc_strlcpy(keep, d->types[d->type], sizeof(keep));
	dci_servers_free(d->l);
	free(d->idx);
	d->l = sl->l;
	dc_strlcpy(d->lmod, sl->module, sizeof(d->lmod));
	d->idx = idx;
	d->err[0] = '\0';
	d->fetched = time(NULL);
	d->fetch_ms = sl->ms;
	collect_types(d);
	d->type = -1;
	for (size_t i = 0; keep[0] && i < d->ntypes; i++)
		if (!strcmp(d->types[i], keep))
			d->type = (int)i;
	refilter(d);
	free(sl);
}

static void sload_start(ui_screen *s, const char *module)
{
	sscr *d = s->priv;
	sload *sl;
	if (d->loading) {
		ui_msg(s->ui, UI_INFO, "still fetching");
		return;
	}
	if (!(sl = calloc(1, sizeof(*sl))))
		return;
	sl->u = s->ui;
	sl->sid = s->id;
	sl->ctx = ui_cmd_ctx(s->ui);
	if (module)
		dc_strlcpy(sl->module, module, sizeof(sl->module));
	if (!ui_job(s->ui, "fetching the server list", sload_fn, sl,
	            sload_done)) {
		free(sl);
		return;
	}
	d->loading = true;
}

/* ---- the screen ---- */

static const ui_key skeys[] = {
    {'g', "graphs", "traffic and power graphs of the selected server", A_GRAPH},
    {'\n', NULL, "graphs of the selected server (as g)", A_GRAPH},
    {'t', "type", "next server type filter (T: previous)", A_TYPE},
    {'T', NULL, "previous server type filter", A_TYPE_BACK},
    {'s', "state", "next state filter: free, owned, problem, flags (S: back)",
     A_STATE},
    {'S', NULL, "previous state filter", A_STATE_BACK},
    {'m', "module", "next module (M: previous)", A_MODULE},
    {'M', NULL, "previous module", A_MODULE_BACK},
    {'r', "fetch", "fetch the server list again", A_RELOAD},
    {0, NULL, NULL, 0},
};

static int s_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	sscr *d = calloc(1, sizeof(*d));
	if (!d)
		return err_set(err, DC_E_NOMEM, "out of memory");
	d->s = s;
	d->mod = -1;
	d->type = -1;
	s->priv = d;
	list_init(&d->lw, scols, (int)(sizeof(scols) / sizeof(scols[0])), scell,
	          d);
	d->lw.header = true;
	d->lw.cursor = true;
	d->lw.row_role = srole;
	list_set_rows(&d->lw, 0);
	const char *st = a ? cmd_arg(a, "state") : NULL;
	for (int i = 0; st && tcmd_server_states[i]; i++)
		if (!strcmp(st, tcmd_server_states[i]))
			d->state = i;
	if (st && !d->state && strcmp(st, "all")) {
		list_free(&d->lw);
		free(d);
		s->priv = NULL;
		return err_field(
		    err, DC_E_INVALID, "state",
		    "unknown state \"%.40s\" (free, owned, problem "
		    "or a flag name)",
		    st);
	}
	/* --type is applied once the list (and its types) is in. */
	if (a && cmd_arg(a, "type")) {
		dc_strlcpy(d->types[0], cmd_arg(a, "type"), DC_TYPE_MAX);
		d->ntypes = 1;
		d->type = 0;
	}
	if (a && cmd_arg(a, "module"))
		dc_strlcpy(d->want_mod, cmd_arg(a, "module"),
		           sizeof(d->want_mod));
	sload_start(s, d->want_mod[0] ? d->want_mod : NULL);
	return 0;
}

static void s_draw(ui_screen *s, ui_rect r)
{
	sscr *d = s->priv;
	char head[400], age[32];
	draw_clear(r, ROLE_NORMAL);
	if (!d->l) {
		draw_text(r.y, r.x, r.w, d->err[0] ? ROLE_ERROR : ROLE_DIM,
		          d->err[0] ? d->err : "fetching the server list...",
		          true);
		return;
	}
	snprintf(head, sizeof(head),
	         "module %s  type %s  state %s  %zu of %zu  fetched %s ago "
	         "in %.0f ms%s",
	         /* the list's own module: a switch that failed to load
	          * leaves the old list (its error is shown below) */
	         d->lmod[0] ? d->lmod : "?",
	         d->type >= 0 ? d->types[d->type] : "all",
	         tcmd_server_states[d->state], d->lw.nview, d->l->n,
	         tcmd_age((int64_t)(time(NULL) - d->fetched), age, sizeof(age)),
	         d->fetch_ms, d->loading ? "  (fetching...)" : "");
	draw_text(r.y, r.x, r.w, ROLE_TITLE, head, true);
	if (d->err[0] && r.h > 2) {
		draw_text(r.y + 1, r.x, r.w, ROLE_ERROR, d->err, true);
		r.y++;
		r.h--;
	}
	ui_rect lr = {r.y + 1, r.x, r.h - 1, r.w};
	list_draw(&d->lw, lr);
}

/* Opens the Graphs screen of the selected server, through the command
 * line as typed (`stats graph MODULE/ID`), the module name escaped for
 * cmd_split. */
static void open_graphs(ui_screen *s, sscr *d)
{
	size_t sel = list_selected(&d->lw);
	char line[3 * DC_NAME_MAX + 64];
	size_t o;

	if (!d->l || !d->lmod[0] || sel == (size_t)-1) {
		ui_msg(s->ui, UI_WARN, "no server selected");
		return;
	}
	o = (size_t)snprintf(line, sizeof(line), "stats graph ");
	for (const char *p = d->lmod; *p && o + 3 < sizeof(line); p++) {
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p) &&
		    !((unsigned char)*p & 0x80))
			line[o++] = '\\';
		line[o++] = *p;
	}
	snprintf(line + o, sizeof(line) - o, "/%ld", srv(d, sel)->id);
	ui_run_line(s->ui, line);
}

static unsigned s_key(ui_screen *s, int key, int action)
{
	sscr *d = s->priv;
	int nstates = 0;
	(void)key;
	while (tcmd_server_states[nstates])
		nstates++;
	switch (action) {
	case A_TYPE:
	case A_TYPE_BACK:
		if (!d->l)
			return UI_HANDLED;
		/* -1 (all), 0 .. ntypes-1, around */
		d->type += action == A_TYPE ? 1 : -1;
		if (d->type >= (int)d->ntypes)
			d->type = -1;
		if (d->type < -1)
			d->type = (int)d->ntypes - 1;
		refilter(d);
		return UI_HANDLED | UI_REDRAW;
	case A_STATE:
	case A_STATE_BACK:
		d->state = (d->state + (action == A_STATE ? 1 : nstates - 1)) %
		           nstates;
		refilter(d);
		return UI_HANDLED | UI_REDRAW;
	case A_MODULE:
	case A_MODULE_BACK:
		if (!d->nmods)
			return UI_HANDLED;
		{
			int m = d->mod < 0 ? 0 : d->mod;
			int n = (int)d->nmods;
			m = (m + (action == A_MODULE ? 1 : n - 1)) % n;
			sload_start(s, d->mods[m]);
		}
		return UI_HANDLED | UI_REDRAW;
	case A_RELOAD:
		sload_start(s, d->mod >= 0 ? d->mods[d->mod] : NULL);
		return UI_HANDLED;
	case A_GRAPH:
		open_graphs(s, d);
		return UI_HANDLED;
	}
	return UI_IGNORED;
}

static list *s_list(ui_screen *s)
{
	return &((sscr *)s->priv)->lw;
}

static void s_close(ui_screen *s)
{
	sscr *d = s->priv;
	if (!d)
		return;
	list_free(&d->lw);
	dci_servers_free(d->l);
	free(d->idx);
	free_names(d->mods, d->nmods);
	free(d);
}

const ui_screen_ops servers_screen = {
    .name = "Servers",
    .keys = skeys,
    .open = s_open,
    .draw = s_draw,
    .key = s_key,
    .list = s_list,
    .close = s_close,
};

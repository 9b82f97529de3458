/* scr_ip.c - the IP screen: one IPmanager connection's address types,
 * ranges and allocated addresses (three tabs), joined with the store:
 * which add-ons use a type, which modules park there, how many addresses
 * of a range services hold, and which service holds each address.
 *
 * Data is read on the jobs worker at every refresh tick (and after a
 * change), with a panel handle kept between loads: a load takes it from
 * the screen and its done() hands it back (one load at a time), so one
 * thread at a time uses it, and whoever holds it last frees it. Every change
 * runs its command through cmd_exec (ipui_run / the form screens), where
 * --read-only is enforced and the guards of iprange.h refuse what would break a
 * service or an add-on. */
#include "app.h"
#include "cmd_ip.h"
#include "form.h"
#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TAB_TYPES, TAB_NETS, TAB_ADDRS, TAB_COUNT };

static const char *const tab_names[TAB_COUNT] = {"Types", "Ranges",
                                                 "Addresses"};

/* What the worker keeps between loads. */
typedef struct ipwork {
	bool open;
	iprange_ctx c;
} ipwork;

typedef struct ipscr {
	ui_screen *s;
	int tab;
	char ipmgr[DC_NAME_MAX]; /* shown connection; "" until known */
	char conns[8][DC_NAME_MAX];
	size_t nconns;
	iprange_view v;
	list l[TAB_COUNT];
	/* address filters */
	char f_type[DC_TYPE_MAX];
	char f_net[IPR_NET_MAX];
	char f_svc[64];
	bool loading, loaded, reload;
	bool addrs_loaded; /* the last load read the addresses too */
	char load_err[600];
	time_t loaded_at;
	ipwork *w;
} ipscr;

/* ---- cells -------------------------------------------------------------- */

static const list_col type_cols[] = {
    {"TYPE", 0, 10, 0},
    {"NOTE", 0, 8, 0},
    {"RANGES", 6, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"FREE", 8, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"USED", 7, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"ADD-ONS", 0, 10, 0},
    {"PARKING", 0, 7, 0},
};

static const list_col net_cols[] = {
    {"ID", 4, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"RANGE", 0, 16, 0},
    {"GATEWAY", 0, 10, 0},
    {"FAM", 4, 0, 0},
    {"TYPE", 0, 9, 0},
    {"FREE", 6, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"USED", 6, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"HELD", 5, 0, LIST_COL_RIGHT | LIST_COL_NUM},
};

static const list_col addr_cols[] = {
    {"ADDRESS", 0, 15, 0}, {"TYPE", 0, 8, 0}, {"RANGE", 0, 14, 0},
    {"SERVICE", 0, 14, 0}, {"ROLE", 7, 0, 0}, {"NOTE", 0, 6, 0},
};

static const char *num(long v, char *buf, size_t len)
{
	snprintf(buf, len, "%ld", v);
	return buf;
}

static const char *type_cell(void *data, size_t row, int col, char *buf,
                             size_t len)
{
	const iprange_type *t = &((ipscr *)data)->v.types[row];

	switch (col) {
	case 0:
		return t->name;
	case 1:
		return t->note;
	case 2:
		return num((long)t->nranges, buf, len);
	case 3:
		return num(t->free, buf, len);
	case 4:
		return num(t->used, buf, len);
	case 5:
		return t->addons[0] ? t->addons : "-";
	case 6:
		return t->parking[0] ? t->parking : "-";
	}
	return "";
}

static role type_role(void *data, size_t row)
{
	const iprange_type *t = &((ipscr *)data)->v.types[row];

	/* a special type whose ranges are exhausted cannot be sold */
	if (t->addons[0] && t->free == 0)
		return ROLE_ERROR;
	if (t->addons[0])
		return ROLE_OK;
	return ROLE_NORMAL;
}

static const char *net_cell(void *data, size_t row, int col, char *buf,
                            size_t len)
{
	const iprange_net *n = &((ipscr *)data)->v.nets[row];

	switch (col) {
	case 0:
		return num(n->id, buf, len);
	case 1:
		return n->net;
	case 2:
		return n->gateway;
	case 3:
		return !strcmp(n->family, "ipv6") ? "v6" : "v4";
	case 4:
		return n->iptype;
	case 5:
		return num(n->free, buf, len);
	case 6:
		return num(n->used, buf, len);
	case 7:
		return num(n->held, buf, len);
	}
	return "";
}

static role net_role(void *data, size_t row)
{
	const iprange_net *n = &((ipscr *)data)->v.nets[row];

	return n->held ? ROLE_WARN : ROLE_NORMAL;
}

static const char *addr_cell(void *data, size_t row, int col, char *buf,
                             size_t len)
{
	const iprange_addr *a = &((ipscr *)data)->v.addrs[row];

	(void)buf;
	(void)len;
	switch (col) {
	case 0:
		return a->ip;
	case 1:
		return a->iptype;
	case 2:
		return a->net[0] ? a->net : "(no range)";
	case 3:
		return a->holder[0] ? a->holder : "-";
	case 4:
		return a->role[0] ? a->role : "-";
	case 5:
		return a->note;
	}
	return "";
}

static role addr_role(void *data, size_t row)
{
	const iprange_addr *a = &((ipscr *)data)->v.addrs[row];

	if (!a->in_ipm)
		return ROLE_ERROR; /* a service records it, IPmanager not */
	if (a->service_id && !a->in_store)
		return ROLE_WARN; /* marked as ours, no record */
	return ROLE_NORMAL;
}

/* ---- loading ------------------------------------------------------------ */

typedef struct ipload {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	ipwork *w;
	char ipmgr[DC_NAME_MAX];
	char f_type[DC_TYPE_MAX], f_net[IPR_NET_MAX], f_svc[64];
	iprange_view v;
	char conns[8][DC_NAME_MAX];
	size_t nconns;
	char shown[DC_NAME_MAX];
	unsigned what;
	dc_err err;
	int rc;
} ipload;

static void load_fn(job *j, void *arg)
{
	ipload *ld = arg;
	ipwork *w = ld->w;
	iprange_filter f = {0};
	dc_conn *cv = NULL;
	size_t nc = 0;
	dc_store *st;

	ld->ctx.cancel = job_cancel_flag(j);
	ld->rc = -1;
	if (!(st = app_store(ld->ctx.app, &ld->err)) ||
	    ipmgr_list(st, &cv, &nc, &ld->err) < 0)
		return;
	for (size_t i = 0; i < nc && i < 8; i++)
		dc_strlcpy(ld->conns[ld->nconns++], cv[i].name, DC_NAME_MAX);
	free(cv);
	if (w->open && strcmp(w->c.conn.name, ld->ipmgr) && ld->ipmgr[0]) {
		iprange_close(&w->c);
		w->open = false;
	}
	if (!w->open) {
		/* a connection that went away: fall back to the default */
		if (ipcmd_open(&ld->ctx, ld->ipmgr, &w->c, &ld->err) < 0 &&
		    (!ld->ipmgr[0] || ld->err.cat != DC_E_NOTFOUND ||
		     ipcmd_open(&ld->ctx, NULL, &w->c, &ld->err) < 0))
			return;
		w->open = true;
	}
	/* the cancel flag of this job, not of the one that opened it */
	w->c.inv.cancel = ld->ctx.cancel;
	dc_strlcpy(ld->shown, w->c.conn.name, sizeof(ld->shown));
	f.iptype = ld->f_type[0] ? ld->f_type : NULL;
	f.net = ld->f_net[0] ? ld->f_net : NULL;
	if (ld->f_svc[0] &&
	    iprange_find_service(st, ld->f_svc, &f.service_id, &ld->err) < 0)
		return;
	ld->rc = iprange_load(&w->c, ld->what, &f, &ld->v, &ld->err);
}

static void set_rows(ipscr *d)
{
	list_set_rows(&d->l[TAB_TYPES], d->v.ntypes);
	list_set_rows(&d->l[TAB_NETS], d->v.nnets);
	list_set_rows(&d->l[TAB_ADDRS], d->v.naddrs);
}

static void ip_reload(ipscr *d);

static void work_free(ipwork *w)
{
	if (!w)
		return;
	if (w->open)
		iprange_close(&w->c);
	free(w);
}

static void load_done(job *j, void *arg)
{
	ipload *ld = arg;
	ui_screen *s = ui_screen_by_id(ld->u, ld->sid);

	(void)j;
	if (s) {
		ipscr *d = s->priv;

		d->loading = false;
		d->w = ld->w; /* back to the screen until the next load */
		ld->w = NULL;
		memcpy(d->conns, ld->conns, sizeof(d->conns));
		d->nconns = ld->nconns;
		if (ld->shown[0])
			dc_strlcpy(d->ipmgr, ld->shown, sizeof(d->ipmgr));
		if (ld->rc == 0) {
			iprange_view_free(&d->v);
			d->v = ld->v;
			memset(&ld->v, 0, sizeof(ld->v));
			d->loaded = true;
			d->addrs_loaded = (ld->what & IPR_ADDRS) != 0;
			d->loaded_at = time(NULL);
			d->load_err[0] = '\0';
			set_rows(d);
		} else if (!job_cancelled(j)) {
			err_line(&ld->err, d->load_err, sizeof(d->load_err));
			/* a filter naming nothing: say so and drop it */
			if (!strcmp(ld->err.field, "range") ||
			    !strcmp(ld->err.field, "service")) {
				ui_msg(ld->u, UI_ERROR, "%s", ld->err.msg);
				if (!strcmp(ld->err.field, "range"))
					d->f_net[0] = '\0';
				else
					d->f_svc[0] = '\0';
				d->reload = true;
			}
		}
		if (d->reload) {
			d->reload = false;
			ip_reload(d);
		}
	}
	work_free(ld->w); /* the screen is gone */
	iprange_view_free(&ld->v);
	free(ld);
}

static void ip_reload(ipscr *d)
{
	ipload *ld;

	if (d->loading) {
		d->reload = true; /* once this one is in */
		return;
	}
	if (!(ld = calloc(1, sizeof(*ld))))
		return;
	ld->u = d->s->ui;
	ld->sid = d->s->id;
	ld->ctx = ui_cmd_ctx(d->s->ui);
	if (!d->w && !(d->w = calloc(1, sizeof(*d->w)))) {
		free(ld);
		return;
	}
	ld->w = d->w;
	dc_strlcpy(ld->ipmgr, d->ipmgr, sizeof(ld->ipmgr));
	dc_strlcpy(ld->f_type, d->f_type, sizeof(ld->f_type));
	dc_strlcpy(ld->f_net, d->f_net, sizeof(ld->f_net));
	dc_strlcpy(ld->f_svc, d->f_svc, sizeof(ld->f_svc));
	/* all allocated addresses can be many: read only while shown */
	ld->what = IPR_TYPES | IPR_NETS | (d->tab == TAB_ADDRS ? IPR_ADDRS : 0);
	if (!ui_job_bg(d->s->ui, "reading IPmanager", load_fn, ld, load_done)) {
		free(ld);
		return;
	}
	d->w = NULL; /* lent to the load */
	d->loading = true;
}

/* ---- actions ------------------------------------------------------------ */

enum {
	A_TAB = 1,
	A_TYPES,
	A_NETS,
	A_ADDRS,
	A_OPEN,
	A_ADD,
	A_EDIT,
	A_DELETE,
	A_SETUP,
	A_CONN,
	A_FTYPE,
	A_FNET,
	A_FSVC,
	A_CLEAR,
	A_RELOAD,
};

static const ui_key ip_keys[] = {
    {UIK_TAB, "tab", "next tab: types, ranges, addresses", A_TAB},
    {'1', NULL, "address types", A_TYPES},
    {'2', NULL, "ranges", A_NETS},
    {'3', NULL, "addresses", A_ADDRS},
    {UIK_ENTER, "addrs",
     "the addresses of the selected type or range (on an address: of its "
     "service)",
     A_OPEN},
    {'a', "add", "add a type or a range (in IPmanager)", A_ADD},
    {'e', "edit", "change the selected range's type, gateway or note", A_EDIT},
    {'d', "delete", "delete the selected type or range (asks first)", A_DELETE},
    {'S', "setup", "guided set-up of a special range (from the selection)",
     A_SETUP},
    {'c', "conn", "next IPmanager connection", A_CONN},
    {'t', NULL, "addresses: only the selected address's type", A_FTYPE},
    {'n', NULL, "addresses: only the selected address's range", A_FNET},
    {'s', NULL, "addresses: only the selected address's service", A_FSVC},
    {'x', NULL, "addresses: clear the type/range/service filters", A_CLEAR},
    {'r', NULL, "read IPmanager again now", A_RELOAD},
    {0, NULL, NULL, 0},
};

static size_t sel(ipscr *d, int tab)
{
	size_t i = list_selected(&d->l[tab]);
	size_t n = tab == TAB_TYPES  ? d->v.ntypes
	           : tab == TAB_NETS ? d->v.nnets
	                             : d->v.naddrs;

	return i < n ? i : (size_t)-1;
}

static void after_change(ui *u, bool ok, const dc_err *err, const out *o,
                         void *arg)
{
	ui_screen *s = ui_screen_by_id(u, (unsigned long)(uintptr_t)arg);

	(void)ok;
	(void)err;
	(void)o;
	if (s && s->priv)
		ip_reload(s->priv);
}

typedef struct delctx {
	unsigned long sid;
	bool type;
	char key[IPR_NET_MAX];
	char ipmgr[DC_NAME_MAX];
} delctx;

static void delete_confirmed(ui *u, void *arg, bool yes)
{
	delctx *dc = arg;

	if (yes) {
		const char *pairs[] = {dc->type ? "name" : "range", dc->key,
		                       "ipmgr", dc->ipmgr, NULL};

		ipui_run(u, dc->type ? "iptype" : "iprange", "delete", pairs,
		         false, after_change, (void *)(uintptr_t)dc->sid);
	} else {
		ui_msg(u, UI_INFO, "nothing deleted");
	}
	free(dc);
}

static void ask_delete(ipscr *d, bool type, const char *key)
{
	delctx *dc = calloc(1, sizeof(*dc));
	char q[300];

	if (!dc)
		return;
	dc->sid = d->s->id;
	dc->type = type;
	dc_strlcpy(dc->key, key, sizeof(dc->key));
	dc_strlcpy(dc->ipmgr, d->ipmgr, sizeof(dc->ipmgr));
	snprintf(q, sizeof(q), "Delete %s %s from IPmanager %s?",
	         type ? "type" : "range", key, d->ipmgr);
	ui_confirm(d->s->ui, type ? "Delete type" : "Delete range", q, NULL,
	           delete_confirmed, dc);
}

/* ---- the forms (generic form screens running the commands) --------------- */

static const form_field type_fields[] = {
    {"name",
     "Type name",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {NULL},
     "letters, digits, '_', '-' (e.g. guardvlan9)"},
    {"note",
     "Note",
     FF_TEXT,
     false,
     0,
     0,
     NULL,
     {NULL},
     "what the type is for"},
    {"ipmgr",
     "IPmanager",
     FF_TEXT,
     false,
     0,
     0,
     NULL,
     {NULL},
     "the connection (empty: the only one)"},
    {NULL, NULL, 0, false, 0, 0, NULL, {NULL}, NULL},
};

static const form_field range_add_fields[] = {
    {"net",
     "Range",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {NULL},
     "CIDR (192.0.2.0/24) or FIRST-LAST"},
    {"type",
     "Type",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {NULL},
     "the type its addresses carry"},
    {"gateway",
     "Gateway",
     FF_TEXT,
     false,
     0,
     0,
     NULL,
     {NULL},
     "an address of the range, or empty"},
    {"note", "Note", FF_TEXT, false, 0, 0, NULL, {NULL}, NULL},
    {"ipmgr",
     "IPmanager",
     FF_TEXT,
     false,
     0,
     0,
     NULL,
     {NULL},
     "the connection (empty: the only one)"},
    {NULL, NULL, 0, false, 0, 0, NULL, {NULL}, NULL},
};

static const form_field range_edit_fields[] = {
    {"range",
     "Range",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {NULL},
     "the range (its net or id)"},
    {"type",
     "Type",
     FF_TEXT,
     false,
     0,
     0,
     NULL,
     {NULL},
     "refused while services hold its addresses"},
    {"gateway", "Gateway", FF_TEXT, false, 0, 0, NULL, {NULL}, NULL},
    {"note", "Note", FF_TEXT, false, 0, 0, NULL, {NULL}, NULL},
    {"ipmgr", "IPmanager", FF_TEXT, false, 0, 0, NULL, {NULL}, NULL},
    {NULL, NULL, 0, false, 0, 0, NULL, {NULL}, NULL},
};

static form_spec type_spec = {"New address type", type_fields, NULL, NULL};
static form_spec range_add_spec = {"New range", range_add_fields, NULL, NULL};
static form_spec range_edit_spec = {"Change range", range_edit_fields, NULL,
                                    NULL};

/* The command each form runs, looked up once (the table is const data
 * in another file, so a static initialiser cannot point into it). */
static const form_spec *spec_for(form_spec *sp, const char *noun,
                                 const char *verb)
{
	if (!sp->cmd)
		sp->cmd = cmd_find(noun, verb);
	return sp;
}

static ui_screen_ops type_form_ops = FORM_SCREEN_OPS("New type", &type_spec);
static ui_screen_ops range_add_ops =
    FORM_SCREEN_OPS("New range", &range_add_spec);
static ui_screen_ops range_edit_ops =
    FORM_SCREEN_OPS("Change range", &range_edit_spec);

/* Pushes a form screen prefilled from name/value pairs. */
static void open_form(ui *u, ui_screen_ops *ops, const char *noun,
                      const char *verb, const char *const *pairs)
{
	const cmd_def *c = cmd_find(noun, verb);
	cmd_args *a = c ? cmd_args_new(c) : NULL;
	dc_err err;

	if (!a)
		return;
	for (size_t i = 0; pairs[i]; i += 2)
		if (pairs[i + 1] && *pairs[i + 1])
			cmd_args_add(a, pairs[i], pairs[i + 1], &err);
	ui_push(u, ops, a);
	cmd_args_free(a);
}

static void act_add(ipscr *d)
{
	ui *u = d->s->ui;

	if (d->tab == TAB_TYPES) {
		const char *p[] = {"ipmgr", d->ipmgr, NULL};

		spec_for(&type_spec, "iptype", "add");
		open_form(u, &type_form_ops, "iptype", "add", p);
	} else {
		size_t i = sel(d, TAB_NETS);
		const char *p[] = {"ipmgr", d->ipmgr, "type",
		                   d->tab == TAB_NETS && i != (size_t)-1
		                       ? d->v.nets[i].iptype
		                       : NULL,
		                   NULL};

		spec_for(&range_add_spec, "iprange", "add");
		open_form(u, &range_add_ops, "iprange", "add", p);
	}
}

static void act_edit(ipscr *d)
{
	size_t i = sel(d, TAB_NETS);
	const iprange_net *n;

	if (d->tab != TAB_NETS || i == (size_t)-1) {
		ui_msg(d->s->ui, UI_INFO,
		       "select a range on the Ranges tab (2) to change it");
		return;
	}
	n = &d->v.nets[i];
	const char *p[] = {"range",   n->net,     "type", n->iptype,
	                   "gateway", n->gateway, "note", n->note,
	                   "ipmgr",   d->ipmgr,   NULL};

	spec_for(&range_edit_spec, "iprange", "edit");
	open_form(d->s->ui, &range_edit_ops, "iprange", "edit", p);
}

static void set_tab(ipscr *d, int tab)
{
	d->tab = tab;
	if (tab == TAB_ADDRS && !d->addrs_loaded)
		ip_reload(d);
}

static unsigned ip_key(ui_screen *s, int key, int action)
{
	ipscr *d = s->priv;
	size_t i;

	(void)key;
	switch (action) {
	case A_TAB:
		set_tab(d, (d->tab + 1) % TAB_COUNT);
		return UI_HANDLED;
	case A_TYPES:
	case A_NETS:
	case A_ADDRS:
		set_tab(d, action - A_TYPES);
		return UI_HANDLED;
	case A_RELOAD:
		ip_reload(d);
		return UI_HANDLED;
	case A_CONN:
		if (d->nconns < 2) {
			ui_msg(s->ui, UI_INFO, "only one IPmanager connection");
			return UI_HANDLED;
		}
		for (i = 0; i < d->nconns; i++)
			if (!strcmp(d->conns[i], d->ipmgr))
				break;
		dc_strlcpy(d->ipmgr, d->conns[(i + 1) % d->nconns],
		           sizeof(d->ipmgr));
		d->f_type[0] = d->f_net[0] = d->f_svc[0] = '\0';
		ui_msg(s->ui, UI_INFO, "IPmanager %s", d->ipmgr);
		ip_reload(d);
		return UI_HANDLED;
	case A_CLEAR:
		d->f_type[0] = d->f_net[0] = d->f_svc[0] = '\0';
		ip_reload(d);
		return UI_HANDLED;
	case A_ADD:
		act_add(d);
		return UI_HANDLED;
	case A_EDIT:
		act_edit(d);
		return UI_HANDLED;
	case A_SETUP: {
		const char *type = NULL, *net = NULL;

		if (d->tab == TAB_TYPES &&
		    (i = sel(d, TAB_TYPES)) != (size_t)-1)
			type = d->v.types[i].name;
		if (d->tab == TAB_NETS && (i = sel(d, TAB_NETS)) != (size_t)-1)
			net = d->v.nets[i].net;
		ipui_setup_open(s->ui, d->ipmgr, type, net);
		return UI_HANDLED;
	}
	case 0:
		return UI_IGNORED;
	}
	i = sel(d, d->tab);
	if (i == (size_t)-1) {
		ui_msg(s->ui, UI_INFO, "nothing selected");
		return UI_HANDLED;
	}
	switch (action) {
	case A_OPEN:
		if (d->tab == TAB_TYPES) {
			d->f_net[0] = d->f_svc[0] = '\0';
			dc_strlcpy(d->f_type, d->v.types[i].name,
			           sizeof(d->f_type));
		} else if (d->tab == TAB_NETS) {
			d->f_type[0] = d->f_svc[0] = '\0';
			dc_strlcpy(d->f_net, d->v.nets[i].net,
			           sizeof(d->f_net));
		} else if (d->v.addrs[i].service_id) {
			d->f_type[0] = d->f_net[0] = '\0';
			snprintf(d->f_svc, sizeof(d->f_svc), "#%lld",
			         (long long)d->v.addrs[i].service_id);
		} else {
			ui_msg(s->ui, UI_INFO, "no dcictl service holds %s",
			       d->v.addrs[i].ip);
			return UI_HANDLED;
		}
		d->tab = TAB_ADDRS; /* one load, with the new filter */
		ip_reload(d);
		break;
	case A_DELETE:
		if (d->tab == TAB_TYPES)
			ask_delete(d, true, d->v.types[i].name);
		else if (d->tab == TAB_NETS)
			ask_delete(d, false, d->v.nets[i].net);
		else
			ui_msg(s->ui, UI_INFO,
			       "addresses are given back by closing their "
			       "service");
		break;
	case A_FTYPE:
	case A_FNET:
	case A_FSVC:
		if (d->tab != TAB_ADDRS) {
			ui_msg(s->ui, UI_INFO, "on the Addresses tab (3)");
			break;
		}
		if (action == A_FTYPE)
			dc_strlcpy(d->f_type, d->v.addrs[i].iptype,
			           sizeof(d->f_type));
		else if (action == A_FNET && d->v.addrs[i].net[0])
			dc_strlcpy(d->f_net, d->v.addrs[i].net,
			           sizeof(d->f_net));
		else if (action == A_FSVC && d->v.addrs[i].service_id)
			snprintf(d->f_svc, sizeof(d->f_svc), "#%lld",
			         (long long)d->v.addrs[i].service_id);
		else {
			ui_msg(s->ui, UI_INFO, "%s: %s", d->v.addrs[i].ip,
			       action == A_FNET ? "in no known range"
			                        : "no dcictl service holds it");
			break;
		}
		ip_reload(d);
		break;
	}
	return UI_HANDLED;
}

/* ---- drawing --------------------------------------------------------------
 */

static void ip_draw(ui_screen *s, ui_rect r)
{
	ipscr *d = s->priv;
	int x = r.x;
	char buf[400], t[32];

	if (r.h < 4)
		return;
	draw_fill(r.y, r.x, r.w, ROLE_NORMAL);
	for (int i = 0; i < TAB_COUNT; i++) {
		snprintf(buf, sizeof(buf), i == d->tab ? "[%d %s]" : " %d %s ",
		         i + 1, tab_names[i]);
		x += draw_text(r.y, x, r.x + r.w - x,
		               i == d->tab ? ROLE_SELECTION : ROLE_NORMAL, buf,
		               false);
		x += draw_text(r.y, x, r.x + r.w - x, ROLE_NORMAL, " ", false);
	}
	if (d->loaded_at) {
		struct tm tm;

		localtime_r(&d->loaded_at, &tm);
		strftime(t, sizeof(t), "%H:%M:%S", &tm);
	} else {
		snprintf(t, sizeof(t), "loading");
	}
	snprintf(buf, sizeof(buf), "IPmanager %s, %s%s",
	         d->ipmgr[0] ? d->ipmgr : "?", t, d->loading ? " ..." : "");
	draw_text(r.y, x + 1, r.x + r.w - x - 1, ROLE_DIM, buf, false);

	ui_rect lr = {r.y + 1, r.x, r.h - 1, r.w};

	if (d->tab == TAB_ADDRS) {
		if (d->f_type[0] || d->f_net[0] || d->f_svc[0])
			snprintf(buf, sizeof(buf),
			         "only%s%s%s%s%s%s  (x: all addresses)",
			         d->f_type[0] ? " type " : "", d->f_type,
			         d->f_net[0] ? " range " : "", d->f_net,
			         d->f_svc[0] ? " service " : "", d->f_svc);
		else
			snprintf(buf, sizeof(buf),
			         "all allocated addresses (t/n/s: only this "
			         "type/range/service)");
		draw_text(lr.y, lr.x, lr.w, ROLE_HINT, buf, true);
		lr.y++;
		lr.h--;
	}
	if (d->load_err[0]) {
		draw_text(lr.y, lr.x, lr.w, ROLE_ERROR, d->load_err, true);
		lr.y++;
		lr.h--;
	}
	if (!d->loaded || (d->tab == TAB_ADDRS && !d->addrs_loaded)) {
		draw_text(lr.y, lr.x, lr.w, ROLE_DIM,
		          d->load_err[0] ? "" : "reading IPmanager ...", true);
		return;
	}
	list_draw(&d->l[d->tab], lr);
	if (d->l[d->tab].nview == 0 && lr.h > 2)
		draw_text(lr.y + 1, lr.x + 1, lr.w - 1, ROLE_DIM,
		          d->tab == TAB_ADDRS ? "no allocated address matches"
		                              : "none",
		          false);
}

/* ---- ops ------------------------------------------------------------------
 */

static int ip_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	ipscr *d = calloc(1, sizeof(*d));
	const char *noun = a ? cmd_args_cmd(a)->noun : "iptype";
	const char *v;

	if (!d)
		return err_set(err, DC_E_NOMEM, "out of memory");
	d->s = s;
	s->priv = d;
	list_init(&d->l[TAB_TYPES], type_cols, 7, type_cell, d);
	list_init(&d->l[TAB_NETS], net_cols, 8, net_cell, d);
	list_init(&d->l[TAB_ADDRS], addr_cols, 6, addr_cell, d);
	d->l[TAB_TYPES].row_role = type_role;
	d->l[TAB_NETS].row_role = net_role;
	d->l[TAB_ADDRS].row_role = addr_role;
	for (int i = 0; i < TAB_COUNT; i++) {
		d->l[i].header = true;
		d->l[i].cursor = true;
	}
	d->tab = !strcmp(noun, "iprange")  ? TAB_NETS
	         : !strcmp(noun, "ipaddr") ? TAB_ADDRS
	                                   : TAB_TYPES;
	if (a && (v = cmd_arg(a, "ipmgr")))
		dc_strlcpy(d->ipmgr, v, sizeof(d->ipmgr));
	if (a && d->tab == TAB_ADDRS) {
		if ((v = cmd_arg(a, "type")))
			dc_strlcpy(d->f_type, v, sizeof(d->f_type));
		if ((v = cmd_arg(a, "range")))
			dc_strlcpy(d->f_net, v, sizeof(d->f_net));
		if ((v = cmd_arg(a, "service")))
			dc_strlcpy(d->f_svc, v, sizeof(d->f_svc));
	}
	snprintf(s->title, sizeof(s->title), "IP");
	ip_reload(d);
	return 0;
}

static unsigned ip_tick(ui_screen *s)
{
	ip_reload(s->priv);
	return UI_HANDLED;
}

static list *ip_list(ui_screen *s)
{
	ipscr *d = s->priv;

	return &d->l[d->tab];
}

static void ip_close(ui_screen *s)
{
	ipscr *d = s->priv;

	/* with a load in flight, its done() frees the handle instead */
	work_free(d->w);
	for (int i = 0; i < TAB_COUNT; i++)
		list_free(&d->l[i]);
	iprange_view_free(&d->v);
	free(d);
}

const ui_screen_ops ip_screen = {
    .name = "IP",
    .keys = ip_keys,
    .open = ip_open,
    .draw = ip_draw,
    .key = ip_key,
    .tick = ip_tick,
    .list = ip_list,
    .close = ip_close,
};

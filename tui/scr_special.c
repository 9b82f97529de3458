/* scr_special.c - the guided set-up of a special IP range, the seed's
 * four steps on one IPmanager connection:
 *
 *   1 type    pick an address type, or name a new one
 *   2 range   pick the range that gets the type, or give a new one
 *   3 add-on  special_ip_block_<type>: reused when it exists
 *   4 tariffs which tariffs get it, billing (none/client) and values
 *   summary   what each step will do (special-range plan), then apply
 *   result    each step done / already done / FAILED with the panel's
 *             error; Enter runs the set-up again to finish the rest
 *
 * The pickers read the panel and the store on the jobs worker; the
 * summary and the apply run `special-range plan` / `special-range setup`
 * through cmd_exec (ipui_run), so the console and the command line do the
 * same thing and --read-only refuses the apply in one place. What was
 * typed is kept when going back. Main thread only. */
#include "app.h"
#include "cmd_ip.h"
#include "form.h"
#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { P_TYPE, P_RANGE, P_ADDON, P_TARIFFS, P_SUMMARY, P_RESULT };

#define SP_TARIFFS (FORM_MAX - 2)

typedef struct spdata {
	iprange_view v; /* types and ranges */
	dc_tariff *tv;
	size_t nt;
	dc_addon *av;
	size_t na;
	char ipmgr[DC_NAME_MAX];
} spdata;

typedef struct spscr {
	ui_screen *s;
	int page;
	bool newmode; /* type/range page: typing a new one in the form */
	char ipmgr[DC_NAME_MAX];
	char iptype[DC_TYPE_MAX];
	char range[IPR_NET_MAX];
	char pre_type[DC_TYPE_MAX], pre_range[IPR_NET_MAX];
	spdata d;
	bool loaded, loading;
	char load_err[600];
	list lt, ln;
	form ftype, fnet, ftar;
	bool ftar_ready;
	char tar_for[DC_TYPE_MAX]; /* the type the tariffs page was built for */
	form_field tfields[FORM_MAX + 1];
	char tnames[SP_TARIFFS][DC_NAME_MAX];
	int ntar;
	bool tar_more; /* more tariffs than the form holds */
	/* summary / result */
	bool running, ran_ok;
	int runs;
	size_t nlines;
	char lines[IPRS_COUNT][1200];
	iprange_step_state states[IPRS_COUNT];
	char err[800];
} spscr;

static const char *const page_names[] = {"type",    "range",   "add-on",
                                         "tariffs", "summary", "result"};

/* ---- data ---------------------------------------------------------------- */

typedef struct spload {
	ui *u;
	unsigned long sid;
	cmd_ctx ctx;
	char ipmgr[DC_NAME_MAX];
	spdata d;
	dc_err err;
	int rc;
} spload;

static void spdata_free(spdata *d)
{
	iprange_view_free(&d->v);
	free(d->tv);
	free(d->av);
	memset(d, 0, sizeof(*d));
}

static void load_fn(job *j, void *arg)
{
	spload *ld = arg;
	iprange_ctx c;

	ld->ctx.cancel = job_cancel_flag(j);
	ld->rc = -1;
	if (ipcmd_open(&ld->ctx, ld->ipmgr[0] ? ld->ipmgr : NULL, &c,
	               &ld->err) < 0)
		return;
	dc_strlcpy(ld->d.ipmgr, c.conn.name, sizeof(ld->d.ipmgr));
	if (iprange_load(&c, IPR_TYPES | IPR_NETS, NULL, &ld->d.v, &ld->err) ==
	        0 &&
	    tariff_list(c.st, &ld->d.tv, &ld->d.nt, &ld->err) == 0 &&
	    addon_list(c.st, &ld->d.av, &ld->d.na, &ld->err) == 0)
		ld->rc = 0;
	iprange_close(&c);
}

static void apply_prefill(spscr *p);

static void load_done(job *j, void *arg)
{
	spload *ld = arg;
	ui_screen *s = ui_screen_by_id(ld->u, ld->sid);

	(void)j;
	if (s) {
		spscr *p = s->priv;

		p->loading = false;
		if (ld->rc == 0) {
			spdata_free(&p->d);
			p->d = ld->d;
			memset(&ld->d, 0, sizeof(ld->d));
			dc_strlcpy(p->ipmgr, p->d.ipmgr, sizeof(p->ipmgr));
			p->loaded = true;
			p->load_err[0] = '\0';
			list_set_rows(&p->lt, p->d.v.ntypes + 1);
			list_set_rows(&p->ln, p->d.v.nnets + 1);
			apply_prefill(p);
		} else {
			err_line(&ld->err, p->load_err, sizeof(p->load_err));
		}
	}
	spdata_free(&ld->d);
	free(ld);
}

static void sp_load(spscr *p)
{
	spload *ld;

	if (p->loading || !(ld = calloc(1, sizeof(*ld))))
		return;
	ld->u = p->s->ui;
	ld->sid = p->s->id;
	ld->ctx = ui_cmd_ctx(p->s->ui);
	dc_strlcpy(ld->ipmgr, p->ipmgr, sizeof(ld->ipmgr));
	if (!ui_job(p->s->ui, "reading IPmanager", load_fn, ld, load_done)) {
		free(ld);
		return;
	}
	p->loading = true;
}

static const iprange_type *find_type(const spscr *p, const char *name)
{
	for (size_t i = 0; i < p->d.v.ntypes; i++)
		if (!strcmp(p->d.v.types[i].name, name))
			return &p->d.v.types[i];
	return NULL;
}

static const iprange_net *find_net(const spscr *p, const char *net)
{
	for (size_t i = 0; i < p->d.v.nnets; i++) {
		char id[24];

		snprintf(id, sizeof(id), "#%ld", p->d.v.nets[i].id);
		if (!strcmp(p->d.v.nets[i].net, net) || !strcmp(id, net))
			return &p->d.v.nets[i];
	}
	return NULL;
}

/* The add-on the set-up would use (by name, else by kind), or NULL. */
static const dc_addon *find_addon(const spscr *p)
{
	char kind[DC_NAME_MAX + 32];

	snprintf(kind, sizeof(kind), "%s%s", DC_SPECIAL_IP_PREFIX, p->iptype);
	for (size_t i = 0; i < p->d.na; i++)
		if (!strcmp(p->d.av[i].name, kind))
			return &p->d.av[i];
	for (size_t i = 0; i < p->d.na; i++)
		if (!strcmp(p->d.av[i].kind, kind))
			return &p->d.av[i];
	return NULL;
}

/* ---- the pickers -----------------------------------------------------------
 */

static const list_col tcols[] = {
    {"TYPE", 0, 12, 0},
    {"NOTE", 0, 10, 0},
    {"RANGES", 6, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"FREE", 7, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"ADD-ONS", 0, 10, 0},
};

static const list_col ncols[] = {
    {"RANGE", 0, 18, 0},
    {"TYPE", 0, 10, 0},
    {"FREE", 6, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"USED", 6, 0, LIST_COL_RIGHT | LIST_COL_NUM},
    {"HELD", 5, 0, LIST_COL_RIGHT | LIST_COL_NUM},
};

static const char *tcell(void *data, size_t row, int col, char *buf, size_t len)
{
	const spscr *p = data;
	const iprange_type *t;

	if (row == 0)
		return col == 0 ? "+ new type ..." : "";
	t = &p->d.v.types[row - 1];
	switch (col) {
	case 0:
		return t->name;
	case 1:
		return t->note;
	case 2:
		snprintf(buf, len, "%zu", t->nranges);
		return buf;
	case 3:
		snprintf(buf, len, "%ld", t->free);
		return buf;
	case 4:
		return t->addons[0] ? t->addons : "-";
	}
	return "";
}

static const char *ncell(void *data, size_t row, int col, char *buf, size_t len)
{
	const spscr *p = data;
	const iprange_net *n;

	if (row == 0)
		return col == 0 ? "+ new range ..." : "";
	n = &p->d.v.nets[row - 1];
	switch (col) {
	case 0:
		return n->net;
	case 1:
		return n->iptype;
	case 2:
		snprintf(buf, len, "%ld", n->free);
		return buf;
	case 3:
		snprintf(buf, len, "%ld", n->used);
		return buf;
	case 4:
		snprintf(buf, len, "%ld", n->held);
		return buf;
	}
	return "";
}

static role nrole(void *data, size_t row)
{
	const spscr *p = data;
	const iprange_net *n;

	if (row == 0)
		return ROLE_TITLE;
	n = &p->d.v.nets[row - 1];
	if (!strcmp(n->iptype, p->iptype))
		return ROLE_OK; /* already of the type: the step is done */
	if (n->held)
		return ROLE_WARN; /* a change of type would be refused */
	return ROLE_NORMAL;
}

static role trole(void *data, size_t row)
{
	const spscr *p = data;

	if (row == 0)
		return ROLE_TITLE;
	return !strcmp(p->d.v.types[row - 1].name, p->iptype) ? ROLE_OK
	                                                      : ROLE_NORMAL;
}

/* Puts the list's cursor on a data row. */
static void list_goto(list *l, size_t row)
{
	for (size_t i = 0; i < l->nview; i++)
		if (l->view[i] == row) {
			l->sel = i;
			return;
		}
}

/* ---- forms ------------------------------------------------------------------
 */

static int check_type(const char *v, void *ctx, char *why, size_t len)
{
	dc_err e;
	char name[DC_NAME_MAX + 32];

	(void)ctx;
	if (model_check_type_name("iptype", v, &e) < 0) {
		snprintf(why, len, "%s", e.msg);
		return -1;
	}
	snprintf(name, sizeof(name), "%s%s", DC_SPECIAL_IP_PREFIX, v);
	if (model_check_addon_name("iptype", name, &e) < 0) {
		snprintf(why, len, "add-on %s<type>: %s", DC_SPECIAL_IP_PREFIX,
		         e.msg);
		return -1;
	}
	return 0;
}

static int check_net(const char *v, void *ctx, char *why, size_t len)
{
	(void)ctx;
	/* the range contains its own first address only if it parses */
	const char *first = v;
	char buf[IPR_NET_MAX];

	dc_strlcpy(buf, v, sizeof(buf));
	buf[strcspn(buf, "/-")] = '\0';
	first = buf;
	if (!iprange_net_contains(v, first)) {
		snprintf(why, len, "not a CIDR (192.0.2.0/24) or FIRST-LAST");
		return -1;
	}
	return 0;
}

static int check_gateway(const char *v, void *ctx, char *why, size_t len)
{
	spscr *p = ctx;
	const char *net = form_get(&p->fnet, "range");

	if (!*v)
		return 0;
	if (!iprange_net_contains(net, v)) {
		snprintf(why, len, "not an address of %s", net);
		return -1;
	}
	return 0;
}

static int check_values(const char *v, void *ctx, char *why, size_t len)
{
	spscr *p = ctx;
	dc_addon_values av;
	dc_billing b = DC_BILL_NONE;
	dc_err e;
	bool range;

	model_parse_billing(form_get(&p->ftar, "billing"), &b, &e);
	if (b == DC_BILL_NONE && !*v)
		return 0; /* one address */
	range = b == DC_BILL_CLIENT && strstr(v, "..");
	if (model_addon_values_parse(DC_ADDON_SPECIAL_IP, b, range ? NULL : v,
	                             range ? v : NULL, &av, &e) < 0) {
		snprintf(why, len, "%s", e.msg);
		return -1;
	}
	return 0;
}

static const form_field type_fields[] = {
    {"iptype",
     "New type",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {check_type},
     "letters, digits, '_', '-' (e.g. guardvlan9)"},
    {"note",
     "Note",
     FF_TEXT,
     false,
     0,
     0,
     NULL,
     {NULL},
     "what the type is for (optional)"},
    {NULL, NULL, 0, false, 0, 0, NULL, {NULL}, NULL},
};

static const form_field net_fields[] = {
    {"range",
     "New range",
     FF_TEXT,
     true,
     0,
     0,
     NULL,
     {check_net},
     "CIDR (192.0.2.0/24) or FIRST-LAST; created in IPmanager"},
    {"gateway",
     "Gateway",
     FF_TEXT,
     false,
     0,
     0,
     NULL,
     {check_gateway},
     "an address of the range (optional)"},
    {NULL, NULL, 0, false, 0, 0, NULL, {NULL}, NULL},
};

static const char *const billings[] = {"none", "client", NULL};

/* The tariffs page: billing, values, one checkbox per tariff. */
static void build_tariff_form(spscr *p)
{
	const dc_addon *a = find_addon(p);
	int n = 0;
	char vs[DC_LIST_MAX + 8];

	if (p->ftar_ready)
		form_free(&p->ftar);
	memset(p->tfields, 0, sizeof(p->tfields));
	p->tfields[n++] = (form_field){
	    "billing",
	    "Billing",
	    FF_SELECT,
	    true,
	    0,
	    0,
	    billings,
	    {NULL},
	    "none: allocated, not charged; client: the client chooses how "
	    "many"};
	p->tfields[n++] = (form_field){
	    "values",
	    "Values",
	    FF_TEXT,
	    false,
	    0,
	    0,
	    NULL,
	    {check_values},
	    "none: how many (1 if empty); client: 0,1,2,4 or MIN..MAX"};
	p->ntar = 0;
	p->tar_more = false;
	for (size_t i = 0; i < p->d.nt; i++) {
		if (p->ntar == SP_TARIFFS) {
			p->tar_more = true;
			break;
		}
		dc_strlcpy(p->tnames[p->ntar], p->d.tv[i].name, DC_NAME_MAX);
		p->tfields[n++] = (form_field){p->tnames[p->ntar],
		                               p->tnames[p->ntar],
		                               FF_CHECK,
		                               false,
		                               0,
		                               0,
		                               NULL,
		                               {NULL},
		                               "Space: give this tariff the "
		                               "add-on"};
		p->ntar++;
	}
	form_init(&p->ftar, p->tfields, p);
	p->ftar_ready = true;
	/* an existing add-on's own values are the default: the tariffs then
	 * use them as they are */
	if (a &&
	    (a->v.billing == DC_BILL_NONE || a->v.billing == DC_BILL_CLIENT)) {
		form_set(&p->ftar, "billing", model_billing_name(a->v.billing));
		form_set(&p->ftar, "values",
		         model_addon_values_str(&a->v, vs, sizeof(vs)));
	}
	for (int t = 0; t < p->ntar; t++) {
		const dc_tariff *tr = &p->d.tv[t];

		for (size_t k = 0; a && k < tr->naddons; k++)
			if (tr->addons[k].addon_id == a->id)
				p->ftar.checked[2 + t] = true;
	}
}

/* ---- moving between pages ---------------------------------------------------
 */

static void go(spscr *p, int page)
{
	p->page = page;
	p->newmode = false;
	/* what was ticked survives going back and forth, not a new type */
	if (page == P_TARIFFS &&
	    (!p->ftar_ready || strcmp(p->tar_for, p->iptype))) {
		build_tariff_form(p);
		dc_strlcpy(p->tar_for, p->iptype, sizeof(p->tar_for));
	}
}

static void apply_prefill(spscr *p)
{
	if (p->pre_type[0]) {
		const iprange_type *t = find_type(p, p->pre_type);

		/* only the cursor: the step counts as chosen when picked */
		if (t)
			list_goto(&p->lt, (size_t)(t - p->d.v.types) + 1);
		else
			form_set(&p->ftype, "iptype", p->pre_type);
		p->pre_type[0] = '\0';
	}
	if (p->pre_range[0]) {
		const iprange_net *n = find_net(p, p->pre_range);

		if (n)
			list_goto(&p->ln, (size_t)(n - p->d.v.nets) + 1);
		else
			form_set(&p->fnet, "range", p->pre_range);
		p->pre_range[0] = '\0';
	}
}

/* ---- plan and apply ------------------------------------------------------ */

static void take_lines(spscr *p, const out *o)
{
	p->nlines = 0;
	for (size_t i = 0; o && i < out_msg_count(o) && p->nlines < IPRS_COUNT;
	     i++) {
		iprange_step_id id;
		iprange_step_state st;

		if (ipcmd_step_parse(out_msg_get(o, i), &id, &st, NULL, 0) < 0)
			continue;
		dc_strlcpy(p->lines[p->nlines], out_msg_get(o, i),
		           sizeof(p->lines[0]));
		p->states[p->nlines++] = st;
	}
}

static void run_done(ui *u, bool ok, const dc_err *err, const out *o, void *arg)
{
	ui_screen *s = ui_screen_by_id(u, (unsigned long)(uintptr_t)arg);
	spscr *p;
	char line[800];

	if (!s)
		return;
	p = s->priv;
	p->running = false;
	p->ran_ok = ok;
	take_lines(p, o);
	p->err[0] = '\0';
	if (!ok)
		err_line(err, p->err, sizeof(p->err));
	if (p->page == P_RESULT) {
		if (ok)
			ui_msg(u, UI_OK,
			       "special range %s set up on IPmanager %s",
			       p->iptype, p->ipmgr);
		else
			ui_msg(u, UI_ERROR, "set-up: %s",
			       err_line(err, line, sizeof(line)));
	} else if (!ok) {
		ui_msg(u, UI_ERROR, "plan: %s",
		       err_line(err, line, sizeof(line)));
	}
}

static void run(spscr *p, bool apply)
{
	const char *pairs[2 * (8 + SP_TARIFFS) + 1];
	const char *billing = form_get(&p->ftar, "billing");
	const char *values = form_get(&p->ftar, "values");
	const char *note = form_get(&p->ftype, "note");
	const char *gw = form_get(&p->fnet, "gateway");
	size_t n = 0;

	if (p->running)
		return;
	pairs[n++] = "type";
	pairs[n++] = p->iptype;
	pairs[n++] = "range";
	pairs[n++] = p->range;
	pairs[n++] = "ipmgr";
	pairs[n++] = p->ipmgr;
	pairs[n++] = "billing";
	pairs[n++] = billing;
	if (values && *values) {
		pairs[n++] = "values";
		pairs[n++] = values;
	}
	if (!find_type(p, p->iptype) && note && *note) {
		pairs[n++] = "note";
		pairs[n++] = note;
	}
	if (!find_net(p, p->range) && gw && *gw) {
		pairs[n++] = "gateway";
		pairs[n++] = gw;
	}
	for (int t = 0; t < p->ntar; t++)
		if (p->ftar.checked[2 + t]) {
			pairs[n++] = "tariff";
			pairs[n++] = p->tnames[t];
		}
	pairs[n] = NULL;
	p->nlines = 0;
	p->err[0] = '\0';
	p->running = true;
	if (apply)
		p->runs++;
	if (ipui_run(p->s->ui, "special-range", apply ? "setup" : "plan", pairs,
	             true, run_done, (void *)(uintptr_t)p->s->id) < 0)
		p->running = false;
}

/* ---- keys -------------------------------------------------------------------
 */

enum { A_NEXT = 1, A_NEW, A_BACK };

static const ui_key sp_keys[] = {
    {UIK_ENTER, "next",
     "pick the selected row and go on; on the summary: apply; after a "
     "failure: run again",
     A_NEXT},
    {'n', "new", "type a new type / range instead of picking one", A_NEW},
    {'b', NULL, "back one step", A_BACK},
    {0, NULL, NULL, 0},
};

static unsigned form_page_key(spscr *p, form *f, int key, int back_page)
{
	unsigned r = form_key(f, key);

	if (r & FORM_CANCEL) {
		if (p->page == back_page)
			p->newmode = false;
		else
			go(p, back_page);
		return UI_HANDLED;
	}
	if (!(r & FORM_SUBMIT))
		return UI_HANDLED;
	switch (p->page) {
	case P_TYPE:
		dc_strlcpy(p->iptype, form_get(f, "iptype"), sizeof(p->iptype));
		go(p, P_RANGE);
		break;
	case P_RANGE:
		dc_strlcpy(p->range, form_get(f, "range"), sizeof(p->range));
		go(p, P_ADDON);
		break;
	case P_TARIFFS:
		go(p, P_SUMMARY);
		run(p, false);
		break;
	}
	return UI_HANDLED;
}

static unsigned sp_key(ui_screen *s, int key, int action)
{
	spscr *p = s->priv;
	list *l = p->page == P_TYPE ? &p->lt : &p->ln;
	size_t row;

	if (!p->loaded) {
		if (key == UIK_ESC)
			return UI_BACK;
		return action ? UI_HANDLED : UI_IGNORED;
	}
	if (p->newmode && p->page == P_TYPE)
		return form_page_key(p, &p->ftype, key, P_TYPE);
	if (p->newmode && p->page == P_RANGE)
		return form_page_key(p, &p->fnet, key, P_RANGE);
	if (p->page == P_TARIFFS)
		return form_page_key(p, &p->ftar, key, P_ADDON);
	if (key == UIK_ESC || action == A_BACK) {
		if ((p->page == P_TYPE || p->page == P_RANGE) && l->filter[0])
			return UI_IGNORED; /* the frame clears the filter */
		if (p->running)
			return UI_HANDLED;
		if (p->page == P_TYPE || p->page == P_RESULT)
			return UI_BACK;
		go(p, p->page == P_SUMMARY ? P_TARIFFS : p->page - 1);
		return UI_HANDLED;
	}
	switch (p->page) {
	case P_TYPE:
	case P_RANGE:
		if (action == A_NEW) {
			p->newmode = true;
			return UI_HANDLED;
		}
		if (action != A_NEXT)
			return UI_IGNORED;
		row = list_selected(l);
		if (row == (size_t)-1)
			return UI_HANDLED;
		if (row == 0) {
			p->newmode = true;
			return UI_HANDLED;
		}
		if (p->page == P_TYPE) {
			dc_strlcpy(p->iptype, p->d.v.types[row - 1].name,
			           sizeof(p->iptype));
			/* the range that has the type already, if any */
			for (size_t i = 0; i < p->d.v.nnets; i++)
				if (!strcmp(p->d.v.nets[i].iptype, p->iptype)) {
					list_goto(&p->ln, i + 1);
					break;
				}
			go(p, P_RANGE);
		} else {
			dc_strlcpy(p->range, p->d.v.nets[row - 1].net,
			           sizeof(p->range));
			go(p, P_ADDON);
		}
		return UI_HANDLED;
	case P_ADDON:
		if (action == A_NEXT)
			go(p, P_TARIFFS);
		return action ? UI_HANDLED : UI_IGNORED;
	case P_SUMMARY:
		if (action == A_NEXT && !p->running) {
			go(p, P_RESULT);
			run(p, true);
		}
		return action ? UI_HANDLED : UI_IGNORED;
	case P_RESULT:
		if (action == A_NEXT && !p->running) {
			if (p->ran_ok)
				return UI_BACK;
			run(p, true);
		}
		return action ? UI_HANDLED : UI_IGNORED;
	}
	return UI_IGNORED;
}

/* ---- drawing ----------------------------------------------------------------
 */

static role state_role(iprange_step_state st)
{
	switch (st) {
	case IPRS_DONE:
		return ROLE_OK;
	case IPRS_WILL:
		return ROLE_WARN;
	case IPRS_FAILED:
		return ROLE_ERROR;
	case IPRS_ALREADY:
	case IPRS_NOT_RUN:
		return ROLE_DIM;
	default:
		return ROLE_NORMAL;
	}
}

/* Text wrapped onto rows of w cells; returns the rows used. */
static int draw_wrapped(int y, int x, int w, int maxrows, role r, const char *s)
{
	int rows = 0;
	size_t len = strlen(s);

	while (len && rows < maxrows && w > 0) {
		size_t cut = len > (size_t)w ? (size_t)w : len;
		char buf[512];

		if (cut < len)
			for (size_t k = cut; k > (size_t)w / 2; k--)
				if (s[k] == ' ') {
					cut = k;
					break;
				}
		if (cut >= sizeof(buf))
			cut = sizeof(buf) - 1;
		memcpy(buf, s, cut);
		buf[cut] = '\0';
		draw_text(y + rows, x, w, r, buf, true);
		rows++;
		s += cut;
		len -= cut;
		while (*s == ' ') {
			s++;
			len--;
		}
	}
	return rows;
}

static void draw_steps(spscr *p, ui_rect r, int y)
{
	const draw_glyphs *g = draw_glyphs_get();
	int bottom = r.y + r.h;

	if (p->running) {
		draw_textf(
		    y++, r.x + 2, r.w - 2, ROLE_WARN, "%s %s", g->spin[0],
		    p->page == P_RESULT ? "applying the steps in order ..."
		                        : "asking what is done already ...");
		return;
	}
	for (size_t i = 0; i < p->nlines && y < bottom; i++)
		y += draw_wrapped(y, r.x + 2, r.w - 3, 3,
		                  state_role(p->states[i]), p->lines[i]);
	if (p->err[0] && y + 1 < bottom) {
		y++;
		y += draw_wrapped(y, r.x + 2, r.w - 3, bottom - y - 2,
		                  ROLE_ERROR, p->err);
	}
	if (y + 1 < bottom) {
		const char *hint =
		    p->page == P_SUMMARY
		        ? "Enter: apply these steps in order   Esc: back"
		    : p->ran_ok
		        ? "Done. Enter or Esc: close"
		        : "Enter: run the set-up again (finishes what is "
		          "left)   Esc: close";

		draw_text(y + 1, r.x + 2, r.w - 3, ROLE_TITLE, hint, true);
	}
}

static void sp_draw(ui_screen *s, ui_rect r)
{
	spscr *p = s->priv;
	char buf[400];
	int y = r.y, x = r.x;
	const dc_addon *a;

	if (r.h < 6)
		return;
	snprintf(buf, sizeof(buf), "Special range set-up on IPmanager %s",
	         p->ipmgr[0] ? p->ipmgr : "...");
	draw_text(y, r.x, r.w, ROLE_TITLE, buf, true);
	y++;
	/* where we are, and what was chosen so far */
	for (int i = P_TYPE; i <= P_RESULT; i++) {
		const char *val = i == P_TYPE    ? p->iptype
		                  : i == P_RANGE ? p->range
		                                 : "";

		if (i <= P_TARIFFS)
			snprintf(buf, sizeof(buf), "%d %s%s%s", i + 1,
			         page_names[i], *val ? ":" : "", val);
		else
			snprintf(buf, sizeof(buf), "%s", page_names[i]);
		x += draw_text(y, x, r.x + r.w - x,
		               i == p->page  ? ROLE_SELECTION
		               : i < p->page ? ROLE_NORMAL
		                             : ROLE_DIM,
		               buf, false);
		if (i < P_RESULT)
			x += draw_text(y, x, r.x + r.w - x, ROLE_DIM, " > ",
			               false);
	}
	y += 2;
	if (!p->loaded) {
		draw_text(
		    y, r.x + 2, r.w - 2, p->load_err[0] ? ROLE_ERROR : ROLE_DIM,
		    p->load_err[0] ? p->load_err : "reading IPmanager ...",
		    true);
		return;
	}
	ui_rect rest = {y, r.x, r.y + r.h - y, r.w};

	switch (p->page) {
	case P_TYPE:
		if (p->newmode) {
			draw_text(y, r.x + 2, r.w - 2, ROLE_NORMAL,
			          "Step 1: a new address type, created in "
			          "IPmanager (Esc: pick an existing one)",
			          true);
			rest.y++;
			rest.h--;
			form_draw(&p->ftype, rest, s->ui);
			break;
		}
		draw_text(y, r.x + 2, r.w - 2, ROLE_NORMAL,
		          "Step 1: the special address type. Enter picks one; "
		          "n: a new type",
		          true);
		rest.y++;
		rest.h--;
		list_draw(&p->lt, rest);
		break;
	case P_RANGE:
		if (p->newmode) {
			draw_text(
			    y, r.x + 2, r.w - 2, ROLE_NORMAL,
			    "Step 2: a new range with the type (Esc: pick "
			    "an existing one)",
			    true);
			rest.y++;
			rest.h--;
			form_draw(&p->fnet, rest, s->ui);
			break;
		}
		snprintf(buf, sizeof(buf),
		         "Step 2: the range that gets type %s. Enter picks; n: "
		         "new",
		         p->iptype);
		draw_text(y, r.x + 2, r.w - 2, ROLE_NORMAL, buf, true);
		rest.y++;
		rest.h--;
		list_draw(&p->ln, rest);
		break;
	case P_ADDON:
		a = find_addon(p);
		if (a) {
			char vs[DC_LIST_MAX + 8];

			snprintf(
			    buf, sizeof(buf),
			    "Add-on %s exists (billing %s, values %s): it is "
			    "reused, this step will be skipped.",
			    a->name, model_billing_name(a->v.billing),
			    model_addon_values_str(&a->v, vs, sizeof(vs)));
		} else {
			snprintf(buf, sizeof(buf),
			         "Add-on %s%s does not exist yet: it will be "
			         "created with the billing and values of the "
			         "next step.",
			         DC_SPECIAL_IP_PREFIX, p->iptype);
		}
		y += draw_wrapped(y, r.x + 2, r.w - 3, 4, ROLE_NORMAL, buf) + 1;
		draw_wrapped(y, r.x + 2, r.w - 3, 3, ROLE_DIM,
		             "Opening a service with this add-on at N > 0 "
		             "allocates N addresses of the type; closing it "
		             "gives them back.");
		draw_text(r.y + r.h - 1, r.x + 2, r.w - 3, ROLE_TITLE,
		          "Enter: next   Esc: back", true);
		break;
	case P_TARIFFS:
		draw_text(y, r.x + 2, r.w - 2, ROLE_NORMAL,
		          p->tar_more ? "Step 4: tariffs (more than fit here: "
		                        "use :special-range setup --tariff)"
		                      : "Step 4: billing, values, and the "
		                        "tariffs that get the add-on",
		          true);
		rest.y++;
		rest.h--;
		form_draw(&p->ftar, rest, s->ui);
		break;
	case P_SUMMARY:
	case P_RESULT:
		draw_text(
		    y, r.x + 2, r.w - 2, ROLE_NORMAL,
		    p->page == P_SUMMARY
		        ? "Summary: what each step will do"
		        : (p->runs > 1 ? "Result (run again):" : "Result:"),
		    true);
		draw_steps(p, r, y + 1);
		break;
	}
}

/* ---- ops --------------------------------------------------------------------
 */

static list *sp_list(ui_screen *s)
{
	spscr *p = s->priv;

	if (!p->loaded || p->newmode)
		return NULL;
	if (p->page == P_TYPE)
		return &p->lt;
	if (p->page == P_RANGE)
		return &p->ln;
	return NULL;
}

static int sp_open(ui_screen *s, const cmd_args *a, dc_err *err)
{
	spscr *p = calloc(1, sizeof(*p));
	const char *v;

	if (!p)
		return err_set(err, DC_E_NOMEM, "out of memory");
	p->s = s;
	s->priv = p;
	list_init(&p->lt, tcols, 5, tcell, p);
	list_init(&p->ln, ncols, 5, ncell, p);
	p->lt.header = p->ln.header = true;
	p->lt.cursor = p->ln.cursor = true;
	p->lt.row_role = trole;
	p->ln.row_role = nrole;
	form_init(&p->ftype, type_fields, p);
	form_init(&p->fnet, net_fields, p);
	if (a && (v = cmd_arg(a, "ipmgr")))
		dc_strlcpy(p->ipmgr, v, sizeof(p->ipmgr));
	if (a && (v = cmd_arg(a, "type")))
		dc_strlcpy(p->pre_type, v, sizeof(p->pre_type));
	if (a && (v = cmd_arg(a, "range")))
		dc_strlcpy(p->pre_range, v, sizeof(p->pre_range));
	snprintf(s->title, sizeof(s->title), "Special range");
	sp_load(p);
	return 0;
}

static void sp_close(ui_screen *s)
{
	spscr *p = s->priv;

	list_free(&p->lt);
	list_free(&p->ln);
	form_free(&p->ftype);
	form_free(&p->fnet);
	if (p->ftar_ready)
		form_free(&p->ftar);
	spdata_free(&p->d);
	free(p);
}

const ui_screen_ops special_screen = {
    .name = "Special range",
    .keys = sp_keys,
    .open = sp_open,
    .draw = sp_draw,
    .key = sp_key,
    .list = sp_list,
    .close = sp_close,
};

int ipui_setup_open(ui *u, const char *ipmgr, const char *iptype,
                    const char *range)
{
	const cmd_def *c = cmd_find("special-range", "wizard");
	cmd_args *a = c ? cmd_args_new(c) : NULL;
	dc_err err;
	int rc;

	if (!a)
		return -1;
	if (ipmgr && *ipmgr)
		cmd_args_add(a, "ipmgr", ipmgr, &err);
	if (iptype && *iptype)
		cmd_args_add(a, "type", iptype, &err);
	if (range && *range)
		cmd_args_add(a, "range", range, &err);
	rc = ui_push(u, &special_screen, a);
	cmd_args_free(a);
	return rc;
}

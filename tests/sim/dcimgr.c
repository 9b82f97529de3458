/* dcimgr.c - the DCImanager 5 panel of dcisim (protocol.md 4).
 *
 * Every function runs with the state lock held (simreq.h) except the
 * statistics reports, which drop it while they compute (statistics are a
 * pure function of the seed, and servers are never created or removed).
 * Access: level-16 users may call server (their own servers only), osmgr,
 * server.stat, traffic and trafficburstable (their own servers only);
 * everything else needs an administrator. */
#include "simreq.h"
#include "simstats.h"
#include "xbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STAT_MAX_RANGE (400LL * 86400)

static const unsigned port_speeds[] = {10,    100,   1000,  10000,
                                       25000, 40000, 100000};

/* ---- helpers ---- */

static server *get_server(sim *s, simreq *r, const char *key)
{
	unsigned id;
	if (req_id(r, key, &id) < 0)
		return NULL;
	server *v = sim_server(s, r->loc, id);
	if (!v)
		simerr_set(&r->err, "missed", "server", req_str(r, key),
		           "no server %u", id);
	return v;
}

static bool owns(const simreq *r, const server *v)
{
	return r->level >= SIM_LEVEL_ADMIN ||
	       (v->owner && !strcmp(v->owner, r->user));
}

static bool mac_ok(const char *m)
{
	if (strlen(m) != 17)
		return false;
	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2 ? m[i] != ':' : !isxdigit((unsigned char)m[i]))
			return false;
	}
	return true;
}

static void write_rack(xbuf *b, int loc, unsigned rack)
{
	xbuf_addf(b, "<rack>dc%d-r%02u</rack>", loc, rack);
}

static void server_row(sim *s, simreq *r, xbuf *b, const server *v)
{
	xbuf_addf(b, "<elem><id>%u</id>", v->id);
	xbuf_elem(b, "name", v->name);
	xbuf_elem(b, "hostname", v->hostname);
	srvaddr *m = server_main(v);
	if (m) {
		char a[IPA_STRLEN];
		xbuf_elem(b, "ip", ipa_format(&m->rec->a, a));
	}
	if (v->owner)
		xbuf_elem(b, "owner", v->owner);
	xbuf_elem(b, "type", s->types[v->type]);
	write_rack(b, r->loc, v->rack);
	xbuf_elem(b, "mac", v->mac);
	xbuf_addf(b, "<ram>%u</ram>", v->ram);
	xbuf_elem(b, "cpu", sim_cpu_name(v->cpu));
	xbuf_elem(b, "disk", sim_disk_name(v->disk));
	if (v->flags & SRV_BLOCKED)
		xbuf_flag(b, "blocked");
	if (v->flags & SRV_HWPROBLEM)
		xbuf_flag(b, "hwproblem");
	if (v->flags & SRV_DIAG)
		xbuf_flag(b, "diag_in_progress");
	if (v->flags & SRV_INSTALL)
		xbuf_flag(b, "install_in_progress");
	if (v->flags & SRV_OPFAILED)
		xbuf_flag(b, "operation_failed");
	if (v->flags & SRV_DISABLED)
		xbuf_flag(b, "disabled");
	if (v->power == PWR_ON)
		xbuf_flag(b, "poweron");
	else if (v->power == PWR_OFF)
		xbuf_flag(b, "poweroff");
	else
		xbuf_flag(b, "powererror");
	xbuf_adds(b, "</elem>");
}

/* ---- server ---- */

static int f_server(sim *s, simreq *r)
{
	location *l = sim_loc(s, r->loc);
	/* ~450 bytes a row: reserve once instead of doubling 15 times. */
	xbuf_reserve(&r->out, (size_t)l->nservers * 460);
	unsigned rack = 0;
	for (unsigned i = 0; i < l->nservers; i++) {
		const server *v = &l->servers[i];
		if (!owns(r, v))
			continue;
		if (s->o.group_rows && v->rack != rack) {
			rack = v->rack;
			xbuf_addf(&r->out,
			          "<elem><id>group-%u</id><name>dc%d-r%02u"
			          "</name><type>group</type></elem>",
			          rack, r->loc, rack);
		}
		server_row(s, r, &r->out, v);
	}
	return 0;
}

static int f_server_edit(sim *s, simreq *r)
{
	location *l = sim_loc(s, r->loc);
	server *v = get_server(s, r, "elid");
	if (!v)
		return -1;
	xbuf *b = &r->out;
	if (!req_sok(r)) {
		xbuf_addf(b, "<elid>%u</elid><id>%u</id>", v->id, v->id);
		xbuf_elem(b, "name", v->name);
		xbuf_elem(b, "mac", v->mac);
		xbuf_elem(b, "notes", v->notes);
		xbuf_elem(b, "type", s->types[v->type]);
		xbuf_elem(b, "owner", v->owner ? v->owner : "no_owner");
		xbuf_elem(b, "hostname", v->hostname);
		xbuf_adds(b, "<slist name=\"type\">");
		for (int i = 0; i < s->ntypes; i++) {
			xbuf_adds(b, "<val key=\"");
			xbuf_addesc(b, s->types[i]);
			xbuf_adds(b, "\">");
			xbuf_addesc(b, s->types[i]);
			xbuf_adds(b, "</val>");
		}
		xbuf_adds(b, "</slist><slist name=\"owner\">"
		             "<val key=\"no_owner\">-- none --</val>");
		for (size_t i = 0; i < l->users.n; i++) {
			xbuf_adds(b, "<val key=\"");
			xbuf_addesc(b, l->users.v[i]->name);
			xbuf_adds(b, "\">");
			xbuf_addesc(b, l->users.v[i]->name);
			xbuf_adds(b, "</val>");
		}
		xbuf_adds(b, "</slist>");
		return 0;
	}
	/* An apply carries every field; an absent one is cleared, as the
	 * panel's forms do. */
	const char *name = req_str(r, "name"), *mac = req_str(r, "mac");
	const char *type = req_str(r, "type"), *owner = req_str(r, "owner");
	const char *host = req_str(r, "hostname");
	if (!*name || strlen(name) > 64)
		return simerr_set(&r->err, "value", "name", name,
		                  "name must be 1-64 characters");
	if (*mac && !mac_ok(mac))
		return simerr_set(&r->err, "value", "mac", mac,
		                  "mac must look like 52:54:00:12:34:56");
	int t = sim_type_index(s, type);
	if (t < 0)
		return simerr_set(&r->err, "value", "type", type,
		                  "unknown server type '%s'", type);
	bool clear = !*owner || !strcmp(owner, "no_owner");
	if (!clear && !userdb_find(&l->users, owner))
		return simerr_set(&r->err, "value", "owner", owner,
		                  "no user '%s' on this panel", owner);
	if (*host && !sim_hostname_ok(host))
		return simerr_set(&r->err, "value", "hostname", host,
		                  "hostname must be letters, digits, '-' and "
		                  "'.' (at most 253)");
	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->mac, sizeof(v->mac), "%s", mac);
	sim_setstr(&v->notes, req_str(r, "notes"));
	v->type = t;
	if (clear) {
		free(v->owner);
		v->owner = NULL;
	} else {
		sim_setstr(&v->owner, owner);
	}
	sim_setstr(&v->hostname, host);
	xbuf_flag(b, "ok");
	return 0;
}

static int f_server_enable(sim *s, simreq *r)
{
	server *v = get_server(s, r, "elid");
	if (!v)
		return -1;
	v->flags &= ~(unsigned)SRV_DISABLED;
	xbuf_flag(&r->out, "ok");
	return 0;
}

static int f_server_disable(sim *s, simreq *r)
{
	server *v = get_server(s, r, "elid");
	if (!v)
		return -1;
	v->flags |= SRV_DISABLED;
	xbuf_flag(&r->out, "ok");
	return 0;
}

static int power_op(sim *s, simreq *r, enum op_kind op)
{
	server *v = get_server(s, r, "elid");
	if (!v || server_start_op(s, r->loc, v, op, &r->err) < 0)
		return -1;
	xbuf_flag(&r->out, "ok");
	return 0;
}

static int f_poweron(sim *s, simreq *r)
{
	return power_op(s, r, OP_POWERON);
}

static int f_poweroff(sim *s, simreq *r)
{
	return power_op(s, r, OP_POWEROFF);
}

static int f_reboot(sim *s, simreq *r)
{
	return power_op(s, r, OP_REBOOT);
}

static void os_slist(sim *s, xbuf *b)
{
	xbuf_adds(b, "<slist name=\"ostemplate\">");
	for (int i = 0; i < s->nos; i++) {
		xbuf_adds(b, "<val key=\"");
		xbuf_addesc(b, s->os[i]);
		xbuf_adds(b, "\">");
		xbuf_addesc(b, s->os[i]);
		xbuf_adds(b, "</val>");
	}
	xbuf_adds(b, "</slist>");
}

static int f_operations(sim *s, simreq *r)
{
	server *v = get_server(s, r, "elid");
	if (!v)
		return -1;
	if (!req_sok(r)) {
		xbuf_addf(&r->out, "<elid>%u</elid>", v->id);
		xbuf_elem(&r->out, "operation", "ostemplate");
		xbuf_elem(&r->out, "hostname", v->hostname);
		xbuf_elem(&r->out, "ostemplate", v->os ? v->os : "");
		xbuf_elem(&r->out, "clearhdd", "off");
		os_slist(s, &r->out);
		return 0;
	}
	const char *op = req_str(r, "operation");
	const char *os = req_str(r, "ostemplate");
	const char *pw = req_str(r, "passwd"), *host = req_str(r, "hostname");
	const char *confirm = req_get(r, "confirm");
	const char *clear = req_str(r, "clearhdd");
	const char *ns = req_str(r, "nameserver");
	if (strcmp(op, "ostemplate"))
		return simerr_set(&r->err, "value", "operation", op,
		                  "operation must be 'ostemplate'");
	int osi = sim_os_index(s, os);
	if (osi < 0)
		return simerr_set(&r->err, "value", "ostemplate", os,
		                  "unknown OS template '%s'", os);
	if (!*pw)
		return simerr_set(&r->err, "value", "passwd", "",
		                  "a root password is required");
	if (confirm && strcmp(confirm, pw))
		return simerr_set(&r->err, "value", "confirm", "",
		                  "confirm does not match passwd");
	if (*clear && strcmp(clear, "on") && strcmp(clear, "off"))
		return simerr_set(&r->err, "value", "clearhdd", clear,
		                  "clearhdd must be on or off");
	if (*host && !sim_hostname_ok(host))
		return simerr_set(&r->err, "value", "hostname", host,
		                  "not a hostname");
	/* Name servers: addresses separated by spaces, commas or ';'. */
	char nsbuf[512];
	snprintf(nsbuf, sizeof(nsbuf), "%s", ns);
	char *save = NULL;
	for (char *tok = strtok_r(nsbuf, " ,;", &save); tok;
	     tok = strtok_r(NULL, " ,;", &save)) {
		ipa a;
		if (ipa_parse(tok, &a) < 0)
			return simerr_set(&r->err, "value", "nameserver", tok,
			                  "name server '%s' is not an address",
			                  tok);
	}
	v->op_os = osi;
	if (server_start_op(s, r->loc, v, OP_INSTALL, &r->err) < 0)
		return -1;
	sim_setstr(&v->rootpw, pw);
	if (*host)
		sim_setstr(&v->hostname, host);
	xbuf_flag(&r->out, "ok");
	return 0;
}

static int f_osmgr(sim *s, simreq *r)
{
	for (int i = 0; i < s->nos; i++) {
		xbuf_addf(&r->out, "<elem><id>%d</id>", i + 1);
		xbuf_elem(&r->out, "name", s->os[i]);
		xbuf_adds(&r->out, "</elem>");
	}
	return 0;
}

/* ---- connections ---- */

static unsigned conn_id(const server *v, int k)
{
	return (v->id - 1) * CONN_COUNT + (unsigned)k + 1;
}

static void conn_row(sim *s, xbuf *b, const server *v, int k)
{
	char port[64];
	const srvconn *c = &v->conn[k];
	server_conn_port(s, v, k, port, sizeof(port));
	xbuf_addf(b, "<elem><id>%u</id>", conn_id(v, k));
	xbuf_elem(b, "type", server_conn_kind(k));
	xbuf_elem(b, "port", port);
	if (c->speed)
		xbuf_addf(b, "<speed>%u</speed>", c->speed);
	xbuf_elem(b, "state", c->on ? "on" : "off");
	if (c->busy)
		xbuf_flag(b, "func_in_progress");
	xbuf_adds(b, "</elem>");
}

static int f_connection(sim *s, simreq *r)
{
	server *v = get_server(s, r, "elid");
	if (!v)
		return -1;
	for (int k = 0; k < CONN_COUNT; k++)
		conn_row(s, &r->out, v, k);
	return 0;
}

/* plid = server, elid = connection id of that server. */
static server *get_conn(sim *s, simreq *r, int *k)
{
	server *v = get_server(s, r, "plid");
	unsigned id;
	if (!v || req_id(r, "elid", &id) < 0)
		return NULL;
	if ((id - 1) / CONN_COUNT + 1 != v->id) {
		simerr_set(&r->err, "missed", "connection", req_str(r, "elid"),
		           "server %u has no connection %u", v->id, id);
		return NULL;
	}
	*k = (int)((id - 1) % CONN_COUNT);
	return v;
}

static int f_connection_edit(sim *s, simreq *r)
{
	int k;
	server *v = get_conn(s, r, &k);
	if (!v)
		return -1;
	srvconn *c = &v->conn[k];
	if (!req_sok(r)) {
		char port[64];
		server_conn_port(s, v, k, port, sizeof(port));
		xbuf_addf(&r->out, "<plid>%u</plid><elid>%u</elid>", v->id,
		          conn_id(v, k));
		xbuf_elem(&r->out, "type", server_conn_kind(k));
		xbuf_elem(&r->out, "port", port);
		if (k == CONN_SWITCH) {
			xbuf_addf(&r->out, "<speed>%u</speed>", c->speed);
			xbuf_adds(&r->out, "<slist name=\"speed\">");
			for (size_t i = 0;
			     i < sizeof(port_speeds) / sizeof(*port_speeds);
			     i++)
				xbuf_addf(&r->out,
				          "<val key=\"%u\">%u Mbit/s</val>",
				          port_speeds[i], port_speeds[i]);
			xbuf_adds(&r->out, "</slist>");
		}
		return 0;
	}
	if (k != CONN_SWITCH)
		return simerr_set(&r->err, "value", "elid", req_str(r, "elid"),
		                  "only a Switch connection has a speed");
	long long sp;
	const char *spv = req_str(r, "speed");
	if (!*spv)
		return simerr_set(&r->err, "value", "speed", "",
		                  "speed is required");
	if (req_long(r, "speed", 1, 1000000, 0, &sp) < 0)
		return -1;
	bool ok = false;
	for (size_t i = 0; i < sizeof(port_speeds) / sizeof(*port_speeds); i++)
		ok |= port_speeds[i] == (unsigned)sp;
	if (!ok)
		return simerr_set(&r->err, "value", "speed", spv,
		                  "speed must be one of 10, 100, 1000, 10000, "
		                  "25000, 40000, 100000 Mbit/s");
	c->speed = (unsigned)sp;
	xbuf_flag(&r->out, "ok");
	return 0;
}

static int conn_switch(sim *s, simreq *r, bool on)
{
	int k;
	server *v = get_conn(s, r, &k);
	if (!v)
		return -1;
	server_conn_switch(s, r->loc, v, k, on);
	xbuf_flag(&r->out, "ok");
	return 0;
}

static int f_connection_on(sim *s, simreq *r)
{
	return conn_switch(s, r, true);
}

static int f_connection_off(sim *s, simreq *r)
{
	return conn_switch(s, r, false);
}

/* ---- addresses ---- */

static void addr_fields(xbuf *b, const srvaddr *a)
{
	char ip[IPA_STRLEN];
	xbuf_addf(b, "<id>%u</id>", a->id);
	xbuf_elem(b, "ip", ipa_format(&a->rec->a, ip));
	xbuf_elem(b, "domain", a->rec->domain);
	xbuf_elem(b, "family", ipa_family_name(a->rec->a.fam));
	xbuf_elem(b, "iptype", a->rec->net->type->name);
	if (a->main)
		xbuf_flag(b, "main");
}

static int f_iplist(sim *s, simreq *r)
{
	server *v = get_server(s, r, "elid");
	if (!v)
		return -1;
	for (unsigned i = 0; i < v->naddrs; i++) {
		xbuf_adds(&r->out, "<elem>");
		addr_fields(&r->out, &v->addrs[i]);
		xbuf_adds(&r->out, "</elem>");
	}
	return 0;
}

/* elid is the address id; an address text is accepted too. */
static srvaddr *get_addr(simreq *r, server *v)
{
	const char *e = req_str(r, "elid");
	ipa a;
	if (*e && ipa_parse(e, &a) == 0) {
		for (unsigned i = 0; i < v->naddrs; i++)
			if (!ipa_cmp(&v->addrs[i].rec->a, &a))
				return &v->addrs[i];
		simerr_set(&r->err, "missed", "ip", e,
		           "server %u has no address %s", v->id, e);
		return NULL;
	}
	unsigned id;
	if (req_id(r, "elid", &id) < 0)
		return NULL;
	srvaddr *x = server_addr(v, id);
	if (!x)
		simerr_set(&r->err, "missed", "ip", e,
		           "server %u has no address with id %u", v->id, id);
	return x;
}

static int f_iplist_edit(sim *s, simreq *r)
{
	server *v = get_server(s, r, "plid");
	if (!v)
		return -1;
	const char *elid = req_get(r, "elid");
	const char *domain = req_get(r, "domain");
	if (domain && *domain && !sim_hostname_ok(domain))
		return simerr_set(&r->err, "value", "domain", domain,
		                  "not a domain name");
	if (elid && *elid) {
		srvaddr *a = get_addr(r, v);
		if (!a)
			return -1;
		if (req_sok(r)) {
			if (domain)
				sim_setstr(&a->rec->domain, domain);
			if (req_on(r, "main"))
				server_set_main(v, a);
		}
		addr_fields(&r->out, a);
		return 0;
	}
	if (!req_sok(r)) {
		xbuf_addf(&r->out, "<plid>%u</plid>", v->id);
		xbuf_adds(&r->out, "<slist name=\"family\"><val key=\"ipv4\">"
		                   "IPv4</val><val key=\"ipv6\">IPv6</val>"
		                   "</slist><slist name=\"iptype\">");
		for (size_t i = 0; i < s->ip.ntypes; i++) {
			xbuf_adds(&r->out, "<val key=\"");
			xbuf_addesc(&r->out, s->ip.typev[i]->name);
			xbuf_adds(&r->out, "\">");
			xbuf_addesc(&r->out, s->ip.typev[i]->name);
			xbuf_adds(&r->out, "</val>");
		}
		xbuf_adds(&r->out, "</slist>");
		return 0;
	}
	const char *ip = req_str(r, "ip"), *tname = req_str(r, "iptype");
	int fam = ipa_family_parse(req_str(r, "family"));
	if (fam < 0)
		return simerr_set(&r->err, "value", "family",
		                  req_str(r, "family"),
		                  "family must be ipv4 or ipv6");
	iprec *rec;
	if (*ip) {
		ipa a;
		if (ipa_parse(ip, &a) < 0)
			return simerr_set(&r->err, "value", "ip", ip,
			                  "not an address");
		if (fam && fam != a.fam)
			return simerr_set(
			    &r->err, "value", "family", req_str(r, "family"),
			    "address %s is not %s", ip, ipa_family_name(fam));
		rec = ippool_rec(&s->ip, &a);
		if (!rec)
			return simerr_set(&r->err, "value", "ip", ip,
			                  "address %s is not allocated in "
			                  "IPmanager; allocate it first",
			                  ip);
		if (rec->loc) {
			return simerr_set(&r->err, "exists", "ip", ip,
			                  "address %s is attached to server "
			                  "%u in dc%d",
			                  ip, rec->server, rec->loc);
		}
		if (*tname && strcmp(tname, rec->net->type->name))
			return simerr_set(&r->err, "value", "iptype", tname,
			                  "address %s is of type %s", ip,
			                  rec->net->type->name);
	} else {
		if (!*tname)
			return simerr_set(&r->err, "value", "iptype", "",
			                  "give ip, or iptype to take one "
			                  "from IPmanager");
		iptype *t = ippool_type(&s->ip, tname);
		if (!t)
			return simerr_set(&r->err, "missed", "iptype", tname,
			                  "no address type '%s' in IPmanager",
			                  tname);
		rec = ippool_alloc(&s->ip, t, fam, &r->err);
		if (!rec)
			return -1;
	}
	if (domain)
		sim_setstr(&rec->domain, domain);
	srvaddr *a = server_attach(s, r->loc, v, rec, req_on(r, "main"));
	char buf[IPA_STRLEN];
	xbuf_addf(&r->out, "<id>%u</id>", a->id);
	xbuf_elem(&r->out, "ip", ipa_format(&rec->a, buf));
	return 0;
}

static int f_iplist_delete(sim *s, simreq *r)
{
	server *v = get_server(s, r, "plid");
	if (!v)
		return -1;
	srvaddr *a = get_addr(r, v);
	if (!a)
		return -1;
	server_detach(v, a);
	xbuf_flag(&r->out, "ok");
	return 0;
}

/* ---- users ---- */

static const char *level_name(int level)
{
	return level >= SIM_LEVEL_ADMIN ? "lvAdmin" : "lvUser";
}

static int level_parse(const char *s)
{
	if (!*s || !strcmp(s, "lvUser") || !strcmp(s, "16"))
		return SIM_LEVEL_USER;
	if (!strcmp(s, "lvAdmin") || !strcmp(s, "29"))
		return SIM_LEVEL_ADMIN;
	return -1;
}

static void user_fields(xbuf *b, const simuser *u)
{
	xbuf_addf(b, "<id>%u</id>", u->id);
	xbuf_elem(b, "name", u->name);
	xbuf_elem(b, "level", level_name(u->level));
}

static int f_user(sim *s, simreq *r)
{
	location *l = sim_loc(s, r->loc);
	for (size_t i = 0; i < l->users.n; i++) {
		xbuf_adds(&r->out, "<elem>");
		user_fields(&r->out, l->users.v[i]);
		xbuf_adds(&r->out, "</elem>");
	}
	return 0;
}

static simuser *find_user(location *l, simreq *r)
{
	const char *e = req_str(r, "elid");
	char *end;
	unsigned long id = strtoul(e, &end, 10);
	if (*e && !*end) {
		for (size_t i = 0; i < l->users.n; i++)
			if (l->users.v[i]->id == id)
				return l->users.v[i];
	} else if (*e) {
		simuser *u = userdb_find(&l->users, e);
		if (u)
			return u;
	}
	simerr_set(&r->err, "missed", "user", e, "no user '%s'", e);
	return NULL;
}

static int f_user_edit(sim *s, simreq *r)
{
	location *l = sim_loc(s, r->loc);
	const char *lv = req_str(r, "level"), *pw = req_str(r, "passwd");
	int level = level_parse(lv);
	if (level < 0)
		return simerr_set(&r->err, "value", "level", lv,
		                  "level must be lvUser or lvAdmin");
	if (*req_str(r, "elid")) {
		simuser *u = find_user(l, r);
		if (!u)
			return -1;
		if (req_sok(r)) {
			if (*pw)
				sim_setstr(&u->pass, pw);
			if (*lv)
				u->level = level;
		}
		user_fields(&r->out, u);
		return 0;
	}
	if (!req_sok(r)) {
		xbuf_adds(&r->out, "<slist name=\"level\"><val key=\"lvUser\">"
		                   "User</val><val key=\"lvAdmin\">"
		                   "Administrator</val></slist>");
		return 0;
	}
	const char *name = req_str(r, "name");
	size_t n = strlen(name);
	if (!n || n > 63 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "0123456789._-@") != n)
		return simerr_set(&r->err, "value", "name", name,
		                  "user name must be 1-63 of letters, digits, "
		                  "'.', '_', '-', '@'");
	if (!*pw)
		return simerr_set(&r->err, "value", "passwd", "",
		                  "a password is required");
	if (req_get(r, "confirm") && strcmp(req_str(r, "confirm"), pw))
		return simerr_set(&r->err, "value", "confirm", "",
		                  "confirm does not match passwd");
	if (userdb_find(&l->users, name))
		return simerr_set(&r->err, "exists", "user", name,
		                  "user '%s' already exists", name);
	simuser *u = userdb_add(&l->users, name, pw, level);
	xbuf_addf(&r->out, "<id>%u</id>", u->id);
	return 0;
}

static int f_user_delete(sim *s, simreq *r)
{
	location *l = sim_loc(s, r->loc);
	simuser *u = find_user(l, r);
	if (!u)
		return -1;
	unsigned owned = 0;
	for (unsigned i = 0; i < l->nservers; i++)
		if (l->servers[i].owner &&
		    !strcmp(l->servers[i].owner, u->name))
			owned++;
	if (owned)
		return simerr_set(&r->err, "value", "user", u->name,
		                  "user %s owns %u server(s)", u->name, owned);
	sim_sessions_drop_all(s, u->name, PANEL_DCI, r->loc);
	userdb_del(&l->users, u);
	xbuf_flag(&r->out, "ok");
	return 0;
}

/* ---- statistics ---- */

/* Period name -> [begin, end) in UTC; begin/end parameters override. */
static int period_range(simreq *r, double now, int64_t *b, int64_t *e)
{
	const char *p = req_str(r, "period");
	const char *bs = req_get(r, "begin"), *es = req_get(r, "end");
	int64_t t = (int64_t)now;
	if ((bs && *bs) || (es && *es)) {
		long long x, y;
		if (req_long(r, "begin", 0, 32503680000LL, t - 86400, &x) < 0 ||
		    req_long(r, "end", 0, 32503680000LL, t, &y) < 0)
			return -1;
		*b = x;
		*e = y;
	} else {
		time_t tt = (time_t)t;
		struct tm tm;
		gmtime_r(&tt, &tm);
		int64_t day = t - t % 86400;
		if (!*p || !strcmp(p, "currentday")) {
			*b = day;
			*e = day + 86400;
		} else if (!strcmp(p, "previousday")) {
			*b = day - 86400;
			*e = day;
		} else if (!strcmp(p, "currentweek")) {
			/* weeks start on Monday */
			*b = day - (int64_t)((tm.tm_wday + 6) % 7) * 86400;
			*e = *b + 7 * 86400;
		} else if (!strcmp(p, "previousweek")) {
			*e = day - (int64_t)((tm.tm_wday + 6) % 7) * 86400;
			*b = *e - 7 * 86400;
		} else if (!strcmp(p, "currentmonth") ||
		           !strcmp(p, "previousmonth") ||
		           !strcmp(p, "currentyear")) {
			bool year = !strcmp(p, "currentyear");
			struct tm m = {0};
			m.tm_year = tm.tm_year;
			m.tm_mon = year ? 0 : tm.tm_mon;
			m.tm_mday = 1;
			if (!strcmp(p, "previousmonth"))
				m.tm_mon--;
			*b = (int64_t)timegm(&m);
			if (year)
				m.tm_year++;
			else
				m.tm_mon++;
			*e = (int64_t)timegm(&m);
		} else {
			return simerr_set(&r->err, "value", "period", p,
			                  "period must be currentday, "
			                  "previousday, currentweek, "
			                  "previousweek, currentmonth, "
			                  "previousmonth or currentyear");
		}
	}
	if (*e < *b)
		return simerr_set(&r->err, "value", "end", req_str(r, "end"),
		                  "end is before begin");
	if (*e - *b > STAT_MAX_RANGE)
		return simerr_set(&r->err, "value", "end", req_str(r, "end"),
		                  "range longer than 400 days");
	return 0;
}

static int f_server_stat(sim *s, simreq *r)
{
	server *v = get_server(s, r, "elid");
	if (!v)
		return -1;
	if (!owns(r, v))
		return simerr_set(&r->err, "access", "server",
		                  req_str(r, "elid"), "server %u is not yours",
		                  v->id);
	double now = sim_now(s);
	int64_t b, e;
	if (period_range(r, now, &b, &e) < 0)
		return -1;
	int64_t last = (int64_t)now - STATS_BUCKET; /* bucket must end */
	stats_server sp;
	stats_server_init(&sp, s->o.seed, r->loc, v->id);
	xbuf_adds(&r->out, "<reportdata><stat>");
	for (int64_t t = stats_align_up(b); t < e && t <= last;
	     t += STATS_BUCKET) {
		stats_bucket sb;
		stats_server_bucket(&sp, t, &sb);
		if (!sb.present)
			continue;
		xbuf_addf(&r->out,
		          "<elem><time>%lld</time><in>%llu</in><out>%llu</out>"
		          "<power>%u</power></elem>",
		          (long long)t, (unsigned long long)sb.in,
		          (unsigned long long)sb.out, sb.power);
	}
	xbuf_adds(&r->out, "</stat></reportdata>");
	return 0;
}

/* traffic and trafficburstable: one row per server (the caller's own for
 * a user; elid limits to one server). */
static int traffic_report(sim *s, simreq *r, bool burst)
{
	location *l = sim_loc(s, r->loc);
	double now = sim_now(s);
	int64_t b, e;
	if (period_range(r, now, &b, &e) < 0)
		return -1;
	unsigned *ids = sim_xmalloc((size_t)l->nservers * sizeof(unsigned));
	size_t n = 0;
	if (*req_str(r, "elid")) {
		server *v = get_server(s, r, "elid");
		if (!v || !owns(r, v)) {
			free(ids);
			if (v)
				return simerr_set(&r->err, "access", "server",
				                  req_str(r, "elid"),
				                  "server %u is not yours",
				                  v->id);
			return -1;
		}
		ids[n++] = v->id;
	} else {
		for (unsigned i = 0; i < l->nservers; i++)
			if (owns(r, &l->servers[i]))
				ids[n++] = l->servers[i].id;
	}
	uint64_t seed = s->o.seed;
	int loc = r->loc;
	const char *table = burst ? "trafficburstable" : "traffic";
	/* The statistics do not depend on the state: let other calls run. */
	sim_unlock(s);
	xbuf_addf(&r->out, "<reportdata><%s>", table);
	for (size_t i = 0; i < n; i++) {
		stats_summary sum;
		stats_summarize(seed, loc, ids[i], b, e, (int64_t)now, &sum);
		xbuf_addf(&r->out, "<elem><id>%u</id>", ids[i]);
		if (burst)
			xbuf_addf(&r->out,
			          "<burst_in>%.6f</burst_in>"
			          "<burst_out>%.6f</burst_out>",
			          sum.burst_in, sum.burst_out);
		else
			xbuf_addf(&r->out, "<rx>%llu</rx><tx>%llu</tx>",
			          (unsigned long long)sum.sum_in,
			          (unsigned long long)sum.sum_out);
		xbuf_addf(&r->out, "<buckets>%llu</buckets></elem>",
		          (unsigned long long)sum.present);
	}
	xbuf_addf(&r->out, "</%s></reportdata>", table);
	sim_lock(s);
	free(ids);
	return 0;
}

static int f_traffic(sim *s, simreq *r)
{
	return traffic_report(s, r, false);
}

static int f_trafficburstable(sim *s, simreq *r)
{
	return traffic_report(s, r, true);
}

static const panel_func funcs[] = {
    {"server", f_server, SIM_LEVEL_USER},
    {"server.edit", f_server_edit, SIM_LEVEL_ADMIN},
    {"server.enable", f_server_enable, SIM_LEVEL_ADMIN},
    {"server.disable", f_server_disable, SIM_LEVEL_ADMIN},
    {"server.poweron", f_poweron, SIM_LEVEL_ADMIN},
    {"server.poweroff", f_poweroff, SIM_LEVEL_ADMIN},
    {"server.reboot", f_reboot, SIM_LEVEL_ADMIN},
    {"server.operations", f_operations, SIM_LEVEL_ADMIN},
    {"osmgr", f_osmgr, SIM_LEVEL_USER},
    {"server.connection", f_connection, SIM_LEVEL_ADMIN},
    {"server.connection.edit", f_connection_edit, SIM_LEVEL_ADMIN},
    {"server.connection.on", f_connection_on, SIM_LEVEL_ADMIN},
    {"server.connection.off", f_connection_off, SIM_LEVEL_ADMIN},
    {"iplist", f_iplist, SIM_LEVEL_ADMIN},
    {"iplist.edit", f_iplist_edit, SIM_LEVEL_ADMIN},
    {"iplist.delete", f_iplist_delete, SIM_LEVEL_ADMIN},
    {"user", f_user, SIM_LEVEL_ADMIN},
    {"user.edit", f_user_edit, SIM_LEVEL_ADMIN},
    {"user.delete", f_user_delete, SIM_LEVEL_ADMIN},
    {"traffic", f_traffic, SIM_LEVEL_USER},
    {"trafficburstable", f_trafficburstable, SIM_LEVEL_USER},
    {"server.stat", f_server_stat, SIM_LEVEL_USER},
};

const panel_func *dcimgr_func(const char *name)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(*funcs); i++)
		if (!strcmp(funcs[i].name, name))
			return &funcs[i];
	return NULL;
}

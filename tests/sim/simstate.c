/* simstate.c - building and maintaining the simulated world (see
 * simstate.h). */
#include "simstate.h"
#include "simrand.h"
#include "xbuf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Hash stream tags for world generation. */
enum {
	TAG_TYPE = 0x7e,
	TAG_RAM = 0x7a,
	TAG_HW = 0x4a,
	TAG_FLAGS = 0xf1,
	TAG_BUSY = 0xb5,
	TAG_OWNER = 0x0e,
	TAG_POWER = 0x90,
	TAG_OPFAIL = 0xfa,
};

#define CLIENT_USERS  50
#define ADDRS_PER_24  253U /* .2-.254; .1 is the gateway */
#define ADDRS_PER_112 65534ULL

static const char *const cpu_table[] = {
    "Intel Xeon E-2236 6C/12T 3.4GHz",
    "Intel Xeon E-2288G 8C/16T 3.7GHz",
    "Intel Xeon Silver 4214R 12C/24T 2.4GHz",
    "AMD EPYC 7443P 24C/48T 2.85GHz",
    "AMD EPYC 7543 32C/64T 2.8GHz",
    "AMD EPYC 7763 64C/128T 2.45GHz",
};
static const char *const disk_table[] = {
    "2x480GB SSD",   "2x960GB SSD",   "2x1.92TB NVMe",
    "4x1.92TB NVMe", "4x3.84TB NVMe", "8x7.68TB NVMe",
};
#define HW_MAX 5

const char *sim_cpu_name(unsigned idx)
{
	return cpu_table[idx <= HW_MAX ? idx : HW_MAX];
}

const char *sim_disk_name(unsigned idx)
{
	return disk_table[idx <= HW_MAX ? idx : HW_MAX];
}

void sim_setstr(char **dst, const char *v)
{
	char *n = sim_xstrdup(v ? v : "");
	free(*dst);
	*dst = n;
}

bool sim_hostname_ok(const char *h)
{
	size_t n = strlen(h);
	if (n == 0 || n > 253 || h[0] == '.' || h[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.')
			return false;
	return true;
}

void sim_lock(sim *s)
{
	pthread_mutex_lock(&s->lock);
}

void sim_unlock(sim *s)
{
	pthread_mutex_unlock(&s->lock);
}

void sim_init(sim *s)
{
	memset(s, 0, sizeof(*s));
	simopts *o = &s->o;
	o->locations = 1;
	o->servers = 200;
	snprintf(o->types, sizeof(o->types), "ds-small,ds-medium,ds-large");
	o->seed = 1;
	o->flagged_fraction = 0.03;
	o->session_idle = 3600;
	o->install_s = 5;
	o->power_s = 1;
	o->switch_s = 0;
	o->public_n = 2048;
	o->private_n = 2048;
	o->ipv6_n = 131068;
	o->special_n = 253;
	snprintf(o->special_type, sizeof(o->special_type), "guardvlan9");
	snprintf(o->oslist, sizeof(o->oslist),
	         "CentOS-7-amd64,Debian-11-amd64,Debian-12-amd64,"
	         "Ubuntu-20.04-amd64,Ubuntu-22.04-amd64,AlmaLinux-9-amd64,"
	         "Rocky-9-amd64,FreeBSD-13-amd64,VMware-ESXi-7.0,"
	         "Windows-Server-2019,Windows-Server-2022");
	snprintf(o->pricelists, sizeof(o->pricelists),
	         "ISPmanager-Lite,ISPmanager-Pro,ISPmanager-Business,"
	         "cPanel-Solo,Plesk-Web-Admin");
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->loglock, NULL);
	pthread_mutex_init(&s->stoplock, NULL);
	pthread_cond_init(&s->stopcond, NULL);
	ippool_init(&s->ip);
	hmap_init(&s->sessions);
	hmap_init(&s->calls);
	hmap_init(&s->licby);
	faults_init(&s->faults);
}

/* ---- small helpers ---- */

static int errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	return n > 0 && n <= max &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "0123456789._-") == n;
}

/* Splits a comma list of names into a malloc'd vector. */
static int split_names(const char *list, const char *what, int max, char ***out,
                       int *nout, char *err, size_t errlen)
{
	char *buf = sim_xstrdup(list), *save = NULL;
	char **v = sim_xcalloc((size_t)max, sizeof(char *));
	int n = 0, rc = 0;
	for (char *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == max) {
			rc = errf(err, errlen, "--%s: at most %d entries", what,
			          max);
			break;
		}
		if (!name_ok(tok, 63)) {
			rc = errf(err, errlen,
			          "--%s: '%s' is not a name (1-63 of "
			          "A-Z a-z 0-9 . _ -)",
			          what, tok);
			break;
		}
		for (int i = 0; i < n; i++)
			if (!strcmp(v[i], tok)) {
				rc = errf(err, errlen, "--%s: '%s' twice", what,
				          tok);
				break;
			}
		if (rc)
			break;
		v[n++] = sim_xstrdup(tok);
	}
	free(buf);
	if (!rc && !n)
		rc = errf(err, errlen, "--%s: the list is empty", what);
	if (rc) {
		for (int i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return -1;
	}
	*out = v;
	*nout = n;
	return 0;
}

static int index_of(char **v, int n, const char *name_or_id)
{
	char *end;
	long id = strtol(name_or_id, &end, 10);
	if (*name_or_id && !*end)
		return id >= 1 && id <= n ? (int)id - 1 : -1;
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i], name_or_id))
			return i;
	return -1;
}

int sim_type_index(const sim *s, const char *name)
{
	for (int i = 0; i < s->ntypes; i++)
		if (!strcmp(s->types[i], name))
			return i;
	return -1;
}

int sim_os_index(const sim *s, const char *name_or_id)
{
	return index_of(s->os, s->nos, name_or_id);
}

int sim_pricelist_index(const sim *s, const char *name_or_id)
{
	return index_of(s->pricelists, s->npricelists, name_or_id);
}

/* ---- users ---- */

static void userdb_init(userdb *u)
{
	memset(u, 0, sizeof(*u));
	hmap_init(&u->byname);
	u->next_id = 1;
}

static void userdb_free(userdb *u)
{
	for (size_t i = 0; i < u->n; i++) {
		free(u->v[i]->name);
		free(u->v[i]->pass);
		free(u->v[i]);
	}
	free(u->v);
	hmap_free(&u->byname);
}

simuser *userdb_find(const userdb *u, const char *name)
{
	return hmap_gets(&u->byname, name);
}

simuser *userdb_add(userdb *u, const char *name, const char *pass, int level)
{
	simuser *x = sim_xcalloc(1, sizeof(*x));
	x->id = u->next_id++;
	x->name = sim_xstrdup(name);
	x->pass = sim_xstrdup(pass);
	x->level = level;
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 16;
		u->v = sim_xrealloc(u->v, u->cap * sizeof(*u->v));
	}
	u->v[u->n++] = x;
	hmap_puts(&u->byname, name, x);
	return x;
}

void userdb_del(userdb *u, simuser *x)
{
	hmap_dels(&u->byname, x->name);
	for (size_t i = 0; i < u->n; i++)
		if (u->v[i] == x) {
			memmove(&u->v[i], &u->v[i + 1],
			        (u->n - i - 1) * sizeof(*u->v));
			u->n--;
			break;
		}
	free(x->name);
	free(x->pass);
	free(x);
}

static void userdb_from_opts(userdb *u, const simopts *o)
{
	userdb_init(u);
	for (int i = 0; i < o->nusers; i++)
		userdb_add(u, o->users[i].name, o->users[i].pass,
		           o->users[i].level);
}

userdb *sim_users(sim *s, sim_panel panel, int loc)
{
	switch (panel) {
	case PANEL_DCI: {
		location *l = sim_loc(s, loc);
		return l ? &l->users : NULL;
	}
	case PANEL_IP:
		return &s->ipusers;
	case PANEL_BILL:
		return &s->billusers;
	default:
		return NULL;
	}
}

/* ---- clock ---- */

double sim_now(const sim *s)
{
	if (s->virt)
		return s->vnow;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- world ---- */

location *sim_loc(sim *s, int loc)
{
	return loc >= 1 && loc <= s->nlocs ? &s->locs[loc - 1] : NULL;
}

server *sim_server(sim *s, int loc, unsigned id)
{
	location *l = sim_loc(s, loc);
	if (!l || id < 1 || id > l->nservers)
		return NULL;
	return &l->servers[id - 1];
}

static int add_ranges(sim *s, const char *type, const char *note,
                      unsigned long count, char *err, size_t errlen)
{
	simerr e;
	iptype *t = ippool_type_add(&s->ip, type, note, &e);
	if (!t)
		return errf(err, errlen, "address type %s: %s", type, e.msg);
	bool v6 = !strcmp(type, "ipv6");
	unsigned long per = v6 ? ADDRS_PER_112 : ADDRS_PER_24;
	unsigned long nr = (count + per - 1) / per;
	for (unsigned long i = 0; i < nr; i++) {
		char net[64], gw[64];
		if (v6) {
			snprintf(net, sizeof(net), "2001:db8:%lx::/112", i);
			snprintf(gw, sizeof(gw), "2001:db8:%lx::1", i);
		} else {
			unsigned a, b, c;
			if (!strcmp(type, "public"))
				a = 185, b = (unsigned)(i / 256),
				c = (unsigned)(i % 256);
			else if (!strcmp(type, "private"))
				a = 10, b = (unsigned)(i / 256),
				c = (unsigned)(i % 256);
			else if (!strcmp(type, SIM_PARKING))
				a = 172, b = 16 + (unsigned)(i / 256),
				c = (unsigned)(i % 256);
			else
				a = 192, b = 168, c = 9 + (unsigned)i;
			snprintf(net, sizeof(net), "%u.%u.%u.0/24", a, b, c);
			snprintf(gw, sizeof(gw), "%u.%u.%u.1", a, b, c);
		}
		if (!ippool_net_add(&s->ip, net, gw, t, "", &e))
			return errf(err, errlen, "range %s: %s", net, e.msg);
	}
	return 0;
}

static int build_ip(sim *s, char *err, size_t errlen)
{
	const simopts *o = &s->o;
	unsigned long long parking =
	    (unsigned long long)o->servers * (unsigned)o->locations + 1024;
	if (o->public_n > 65536UL * ADDRS_PER_24)
		return errf(err, errlen, "--public: at most %lu addresses",
		            65536UL * ADDRS_PER_24);
	if (o->private_n > 65536UL * ADDRS_PER_24)
		return errf(err, errlen, "--private: at most %lu addresses",
		            65536UL * ADDRS_PER_24);
	if (o->special_n > 247UL * ADDRS_PER_24)
		return errf(err, errlen, "--special: at most %lu addresses",
		            247UL * ADDRS_PER_24);
	if (o->ipv6_n > 65536ULL * ADDRS_PER_112)
		return errf(err, errlen, "--ipv6: at most %llu addresses",
		            65536ULL * ADDRS_PER_112);
	if (parking > 4096ULL * ADDRS_PER_24)
		return errf(err, errlen,
		            "--servers x --locations: at most %llu servers "
		            "(the parking range 172.16.0.0/12 must hold one "
		            "address per server)",
		            4096ULL * ADDRS_PER_24 - 1024);
	if (!strcmp(o->special_type, "public") ||
	    !strcmp(o->special_type, "private") ||
	    !strcmp(o->special_type, "ipv6") ||
	    !strcmp(o->special_type, SIM_PARKING))
		return errf(err, errlen,
		            "--special-type: '%s' is a built-in type",
		            o->special_type);
	if (add_ranges(s, "public", "public IPv4", o->public_n, err, errlen) ||
	    add_ranges(s, "private", "private IPv4", o->private_n, err,
	               errlen) ||
	    add_ranges(s, "ipv6", "IPv6", o->ipv6_n, err, errlen) ||
	    add_ranges(s, SIM_PARKING, "grey addresses for free servers",
	               (unsigned long)parking, err, errlen) ||
	    add_ranges(s, o->special_type, "special range", o->special_n, err,
	               errlen))
		return -1;
	return 0;
}

static uint64_t h4(const sim *s, int loc, unsigned id, uint64_t tag)
{
	return rnd_hash4(s->o.seed, (uint64_t)loc, id, tag);
}

static void build_server(sim *s, location *l, server *v, unsigned id,
                         unsigned per_rack, int nclients)
{
	const simopts *o = &s->o;
	int loc = l->idx;
	simerr e;
	v->id = id;
	v->rack = (id - 1) / per_rack + 1;
	v->unit = (id - 1) % per_rack + 1;
	v->type = (int)(h4(s, loc, id, TAG_TYPE) % (uint64_t)s->ntypes);
	unsigned t = (unsigned)v->type;
	unsigned base = t <= 3 ? 8192U << (2 * t) : 1048576U;
	double u = rnd_unit(h4(s, loc, id, TAG_RAM));
	v->ram = u < 0.15                  ? base * 2
	         : u < 0.25 && base > 4096 ? base / 2
	                                   : base;
	uint64_t hw = h4(s, loc, id, TAG_HW);
	v->cpu = (unsigned char)(t + (rnd_unit(hw) < 0.3 ? 1 : 0));
	v->disk = (unsigned char)(t + (rnd_unit(rnd_mix(hw)) < 0.3 ? 1 : 0));
	if (v->cpu > HW_MAX)
		v->cpu = HW_MAX;
	if (v->disk > HW_MAX)
		v->disk = HW_MAX;
	snprintf(v->name, sizeof(v->name), "dc%d-r%02u-u%02u", loc, v->rack,
	         v->unit);
	snprintf(v->mac, sizeof(v->mac), "52:54:%02x:%02x:%02x:%02x",
	         (unsigned)loc & 0xff, (id >> 16) & 0xff, (id >> 8) & 0xff,
	         id & 0xff);
	v->notes = sim_xstrdup("");

	bool busy = o->busy > 0 && rnd_unit(h4(s, loc, id, TAG_BUSY)) < o->busy;
	double f = rnd_unit(h4(s, loc, id, TAG_FLAGS));
	double ff = o->flagged_fraction;
	/* Flags in fixed proportions of the flagged fraction. */
	if (f < ff * 0.33)
		v->flags |= SRV_BLOCKED;
	else if (f < ff * 0.60)
		v->flags |= SRV_HWPROBLEM;
	else if (f < ff * 0.73)
		v->flags |= SRV_DIAG;
	else if (f < ff * 0.90)
		v->flags |= SRV_DISABLED;
	else if (f < ff)
		v->flags |= SRV_OPFAILED;
	v->power = busy ? PWR_ON : PWR_OFF;
	if (rnd_unit(h4(s, loc, id, TAG_POWER)) < o->flagged_fraction / 6)
		v->power = PWR_ERROR;

	iprec *rec = NULL;
	if (busy) {
		char host[64];
		unsigned c =
		    (unsigned)(h4(s, loc, id, TAG_OWNER) % (uint64_t)nclients) +
		    1;
		char owner[32];
		snprintf(owner, sizeof(owner), "client%04u", c);
		snprintf(host, sizeof(host), "s%u.dc%d.example.net", id, loc);
		v->owner = sim_xstrdup(owner);
		v->hostname = sim_xstrdup(host);
		rec =
		    ippool_alloc(&s->ip, ippool_type(&s->ip, "public"), 4, &e);
		if (rec)
			sim_setstr(&rec->domain, host);
		v->os = sim_xstrdup(s->os[id % (unsigned)s->nos]);
	} else {
		v->hostname = sim_xstrdup("free.ds");
	}
	if (!rec)
		rec = ippool_alloc(&s->ip, ippool_type(&s->ip, SIM_PARKING), 4,
		                   &e);
	/* Parking is sized for every server, so rec is never NULL here. */
	server_attach(s, loc, v, rec, true);

	static const unsigned speeds[] = {1000, 1000, 10000};
	v->conn[CONN_SWITCH].speed = speeds[t < 3 ? t : 2];
	v->conn[CONN_SWITCH].on = busy;
	v->conn[CONN_IPMI].speed = 100;
	v->conn[CONN_IPMI].on = true;
	v->conn[CONN_PDU].speed = 0;
	v->conn[CONN_PDU].on = true;
}

static void build_location(sim *s, location *l, int idx)
{
	const simopts *o = &s->o;
	l->idx = idx;
	l->nservers = o->servers;
	l->next_addr_id = 1;
	userdb_from_opts(&l->users, o);
	int nclients = 0;
	if (o->busy > 0) {
		nclients = CLIENT_USERS;
		for (int c = 1; c <= nclients; c++) {
			char name[32];
			snprintf(name, sizeof(name), "client%04d", c);
			if (!userdb_find(&l->users, name))
				userdb_add(&l->users, name, name,
				           SIM_LEVEL_USER);
		}
	}
	l->nracks = o->racks ? o->racks : (o->servers + 39) / 40;
	if (l->nracks > o->servers)
		l->nracks = o->servers;
	unsigned per_rack = (o->servers + l->nracks - 1) / l->nracks;
	l->servers = sim_xcalloc(o->servers, sizeof(server));
	for (unsigned id = 1; id <= o->servers; id++)
		build_server(s, l, &l->servers[id - 1], id, per_rack, nclients);
}

int sim_build(sim *s, char *err, size_t errlen)
{
	simopts *o = &s->o;
	char ferr[256];
	if (o->nusers == 0) {
		snprintf(o->users[0].name, sizeof(o->users[0].name), "admin");
		snprintf(o->users[0].pass, sizeof(o->users[0].pass), "admin");
		o->users[0].level = SIM_LEVEL_ADMIN;
		o->nusers = 1;
	}
	if (split_names(o->types, "types", 16, &s->types, &s->ntypes, err,
	                errlen) < 0 ||
	    split_names(o->oslist, "os", 64, &s->os, &s->nos, err, errlen) <
	        0 ||
	    split_names(o->pricelists, "pricelists", 64, &s->pricelists,
	                &s->npricelists, err, errlen) < 0)
		return -1;
	s->virt = o->virt;
	s->vnow = (double)o->clock0;
	for (int i = 0; i < o->nfaults; i++) {
		fault_rule r;
		if (fault_spec_parse(o->faults[i], &r, ferr, sizeof(ferr)) < 0)
			return errf(err, errlen, "--fault %s: %s", o->faults[i],
			            ferr);
		if (!faults_add(&s->faults, &r))
			return errf(err, errlen, "--fault: too many rules");
	}
	if (faults_set_random(&s->faults, o->fault_rate,
	                      o->fault_seed_set ? o->fault_seed : o->seed,
	                      o->fault_kinds, ferr, sizeof(ferr)) < 0)
		return errf(err, errlen, "--fault-rate/--fault-kinds: %s",
		            ferr);
	if (build_ip(s, err, errlen) < 0)
		return -1;
	userdb_from_opts(&s->ipusers, o);
	userdb_from_opts(&s->billusers, o);
	s->nlocs = o->locations;
	s->locs = sim_xcalloc((size_t)s->nlocs, sizeof(location));
	for (int i = 0; i < s->nlocs; i++)
		build_location(s, &s->locs[i], i + 1);
	if (o->logpath) {
		s->log = fopen(o->logpath, "a");
		if (!s->log)
			return errf(err, errlen, "--log %s: %s", o->logpath,
			            strerror(errno));
		setvbuf(s->log, NULL, _IOLBF, 0);
	}
	return 0;
}

static void free_session(void *v, void *ctx)
{
	(void)ctx;
	free(v);
}

void sim_destroy(sim *s)
{
	for (int i = 0; i < s->nlocs; i++) {
		location *l = &s->locs[i];
		for (unsigned j = 0; j < l->nservers; j++) {
			server *v = &l->servers[j];
			free(v->hostname);
			free(v->owner);
			free(v->notes);
			free(v->os);
			free(v->rootpw);
			free(v->addrs);
		}
		free(l->servers);
		userdb_free(&l->users);
	}
	free(s->locs);
	for (int i = 0; i < s->ntypes; i++)
		free(s->types[i]);
	free(s->types);
	for (int i = 0; i < s->nos; i++)
		free(s->os[i]);
	free(s->os);
	for (int i = 0; i < s->npricelists; i++)
		free(s->pricelists[i]);
	free(s->pricelists);
	ippool_free(&s->ip);
	if (s->ipusers.v || s->ipusers.byname.buckets)
		userdb_free(&s->ipusers);
	if (s->billusers.v || s->billusers.byname.buckets)
		userdb_free(&s->billusers);
	for (size_t i = 0; i < s->nlic; i++) {
		free(s->lic[i]->ip);
		free(s->lic[i]->licname);
		free(s->lic[i]->remoteid);
		free(s->lic[i]);
	}
	free(s->lic);
	hmap_free(&s->licby);
	hmap_each(&s->sessions, free_session, NULL);
	hmap_free(&s->sessions);
	free(s->pend);
	for (size_t i = 0; i < s->ncalls; i++)
		free(s->callv[i]);
	free(s->callv);
	hmap_free(&s->calls);
	if (s->log)
		fclose(s->log);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->loglock);
	pthread_mutex_destroy(&s->stoplock);
	pthread_cond_destroy(&s->stopcond);
}

void sim_count_call(sim *s, sim_panel panel, int loc, const char *func)
{
	char key[96];
	if (panel == PANEL_DCI)
		snprintf(key, sizeof(key), "dc%d/%s", loc, func);
	else
		snprintf(key, sizeof(key), "%s/%s", sim_panel_name(panel),
		         func);
	s->requests++;
	callcount *c = hmap_gets(&s->calls, key);
	/* Function names come from clients: bound the table. */
	if (!c && s->ncalls >= 4096)
		return;
	if (!c) {
		c = sim_xcalloc(1, sizeof(*c));
		snprintf(c->key, sizeof(c->key), "%s", key);
		hmap_puts(&s->calls, key, c);
		if (s->ncalls == s->capcalls) {
			s->capcalls = s->capcalls ? s->capcalls * 2 : 32;
			s->callv = sim_xrealloc(
			    s->callv, s->capcalls * sizeof(*s->callv));
		}
		s->callv[s->ncalls++] = c;
	}
	c->n++;
}

/* ---- sessions ---- */

typedef struct expired_ctx {
	const sim *s;
	double now;
	const char *user; /* NULL: idle sessions */
	sim_panel panel;  /* with user: PANEL_ANY or one panel */
	int loc;
	char (*ids)[40];
	size_t n, cap;
} expired_ctx;

static void collect_session(void *v, void *ctx)
{
	session *se = v;
	expired_ctx *c = ctx;
	bool pick;
	if (c->user)
		pick = !strcmp(se->user, c->user) &&
		       (c->panel == PANEL_ANY ||
		        (se->panel == c->panel && se->loc == c->loc));
	else
		pick = c->now - se->last > c->s->o.session_idle;
	if (!pick)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->ids = sim_xrealloc(c->ids, c->cap * sizeof(*c->ids));
	}
	memcpy(c->ids[c->n++], se->id, sizeof(se->id));
}

static size_t drop_collected(sim *s, expired_ctx *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(hmap_dels(&s->sessions, c->ids[i]));
	free(c->ids);
	return c->n;
}

session *sim_session_new(sim *s, sim_panel panel, int loc, const simuser *u)
{
	unsigned char rnd[16];
	/* Purge idle sessions now and then so the map stays small. */
	if (s->sessions.count >= 1024 && s->sessions.count % 256 == 0) {
		expired_ctx c = {.s = s, .now = sim_now(s)};
		hmap_each(&s->sessions, collect_session, &c);
		drop_collected(s, &c);
	}
	session *se = sim_xcalloc(1, sizeof(*se));
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		/* Not secret material: a counter-based fallback suffices. */
		uint64_t x = rnd_mix((uint64_t)s->requests ^
		                     (uint64_t)(sim_now(s) * 1e6));
		memcpy(rnd, &x, 8);
		x = rnd_mix(x);
		memcpy(rnd + 8, &x, 8);
	}
	for (int i = 0; i < 16; i++)
		snprintf(se->id + 2 * i, 3, "%02x", rnd[i]);
	se->panel = panel;
	se->loc = loc;
	snprintf(se->user, sizeof(se->user), "%s", u->name);
	se->level = u->level;
	se->last = sim_now(s);
	hmap_puts(&s->sessions, se->id, se);
	return se;
}

session *sim_session_get(sim *s, const char *id)
{
	return hmap_gets(&s->sessions, id);
}

void sim_session_drop(sim *s, const char *id)
{
	free(hmap_dels(&s->sessions, id));
}

size_t sim_sessions_drop_all(sim *s, const char *user, sim_panel panel, int loc)
{
	expired_ctx c = {.s = s,
	                 .now = sim_now(s),
	                 .user = user,
	                 .panel = panel,
	                 .loc = loc};
	if (!user) {
		size_t n = s->sessions.count;
		hmap_each(&s->sessions, free_session, NULL);
		hmap_free(&s->sessions);
		return n;
	}
	hmap_each(&s->sessions, collect_session, &c);
	return drop_collected(s, &c);
}

/* ---- servers ---- */

bool server_is_free(const server *v)
{
	return !v->owner &&
	       !(v->flags & (SRV_BLOCKED | SRV_HWPROBLEM | SRV_DIAG |
	                     SRV_INSTALL | SRV_OPFAILED));
}

srvaddr *server_main(const server *v)
{
	for (unsigned i = 0; i < v->naddrs; i++)
		if (v->addrs[i].main)
			return &v->addrs[i];
	return NULL;
}

srvaddr *server_addr(const server *v, unsigned id)
{
	for (unsigned i = 0; i < v->naddrs; i++)
		if (v->addrs[i].id == id)
			return &v->addrs[i];
	return NULL;
}

void server_set_main(server *v, srvaddr *a)
{
	for (unsigned i = 0; i < v->naddrs; i++)
		v->addrs[i].main = &v->addrs[i] == a;
}

srvaddr *server_attach(sim *s, int loc, server *v, iprec *rec, bool main)
{
	location *l = sim_loc(s, loc);
	if (v->naddrs == v->capaddrs) {
		v->capaddrs = v->capaddrs ? v->capaddrs * 2 : 2;
		v->addrs =
		    sim_xrealloc(v->addrs, v->capaddrs * sizeof(*v->addrs));
	}
	srvaddr *a = &v->addrs[v->naddrs++];
	a->id = l->next_addr_id++;
	a->rec = rec;
	a->main = false;
	rec->loc = loc;
	rec->server = v->id;
	rec->attach = a->id;
	/* The first address of a server is its main one. */
	if (main || v->naddrs == 1)
		server_set_main(v, a);
	return a;
}

void server_detach(server *v, srvaddr *a)
{
	a->rec->loc = 0;
	a->rec->server = 0;
	a->rec->attach = 0;
	size_t i = (size_t)(a - v->addrs);
	memmove(&v->addrs[i], &v->addrs[i + 1],
	        (v->naddrs - i - 1) * sizeof(*v->addrs));
	v->naddrs--;
}

static void queue(sim *s, int loc, server *v)
{
	if (v->queued)
		return;
	if (s->npend == s->cappend) {
		s->cappend = s->cappend ? s->cappend * 2 : 16;
		s->pend = sim_xrealloc(s->pend, s->cappend * sizeof(*s->pend));
	}
	s->pend[s->npend++] = (pending_ref){loc, v->id};
	v->queued = true;
}

static const char *op_name(int op)
{
	static const char *const n[] = {"none", "poweron", "poweroff", "reboot",
	                                "install"};
	return op >= 0 && op <= OP_INSTALL ? n[op] : "?";
}

int server_start_op(sim *s, int loc, server *v, enum op_kind op, simerr *e)
{
	char id[16];
	snprintf(id, sizeof(id), "%u", v->id);
	if (v->op != OP_NONE)
		return simerr_set(e, "value", "elid", id,
		                  "server %u is busy: %s in progress", v->id,
		                  op_name(v->op));
	bool install = op == OP_INSTALL;
	double rate = install ? s->o.install_fail : s->o.power_fail;
	bool fail = rate > 0 &&
	            rnd_unit(rnd_hash4(s->o.seed ^ TAG_OPFAIL, (uint64_t)loc,
	                               v->id, v->op_seq)) < rate;
	v->op_seq++;
	if (install && v->fail_install) {
		fail = true;
		v->fail_install = false;
	} else if (!install && v->fail_power) {
		fail = true;
		v->fail_power = false;
	}
	v->op = (unsigned char)op;
	v->op_fail = fail;
	v->op_done = sim_now(s) + (install ? s->o.install_s : s->o.power_s);
	if (install) {
		v->flags |= SRV_INSTALL;
		v->flags &= ~(unsigned)SRV_OPFAILED;
	}
	queue(s, loc, v);
	return 0;
}

const char *server_conn_kind(int conn)
{
	static const char *const n[] = {"Switch", "IPMI", "PDU"};
	return conn >= 0 && conn < CONN_COUNT ? n[conn] : "?";
}

void server_conn_port(const sim *s, const server *v, int conn, char *buf,
                      size_t len)
{
	(void)s;
	switch (conn) {
	case CONN_SWITCH:
		snprintf(buf, len, "sw-r%02u Gi1/0/%u", v->rack, v->unit);
		break;
	case CONN_IPMI:
		snprintf(buf, len, "ipmi-sw-r%02u Fa0/%u", v->rack, v->unit);
		break;
	default:
		snprintf(buf, len, "pdu-r%02u outlet %u", v->rack, v->unit);
		break;
	}
}

int server_conn_switch(sim *s, int loc, server *v, int conn, bool on)
{
	srvconn *c = &v->conn[conn];
	if (s->o.switch_s <= 0) {
		c->on = on;
		c->busy = false;
		return 0;
	}
	c->busy = true;
	c->target_on = on;
	c->done = sim_now(s) + s->o.switch_s;
	queue(s, loc, v);
	return 0;
}

/* Finishes what is due on v; returns true while something is pending. */
static bool finish_due(sim *s, server *v, double now)
{
	bool pending = false;
	if (v->op != OP_NONE) {
		if (now >= v->op_done) {
			switch (v->op) {
			case OP_POWERON:
			case OP_REBOOT:
				v->power = v->op_fail ? PWR_ERROR : PWR_ON;
				break;
			case OP_POWEROFF:
				v->power = v->op_fail ? PWR_ERROR : PWR_OFF;
				break;
			case OP_INSTALL:
				v->flags &= ~(unsigned)SRV_INSTALL;
				if (v->op_fail) {
					v->flags |= SRV_OPFAILED;
				} else {
					v->power = PWR_ON;
					if (v->op_os >= 0 && v->op_os < s->nos)
						sim_setstr(&v->os,
						           s->os[v->op_os]);
				}
				break;
			}
			v->op = OP_NONE;
			v->op_fail = false;
		} else {
			pending = true;
		}
	}
	for (int i = 0; i < CONN_COUNT; i++) {
		srvconn *c = &v->conn[i];
		if (!c->busy)
			continue;
		if (now >= c->done) {
			c->on = c->target_on;
			c->busy = false;
		} else {
			pending = true;
		}
	}
	return pending;
}

void sim_tick(sim *s)
{
	if (!s->npend)
		return;
	double now = sim_now(s);
	for (size_t i = 0; i < s->npend;) {
		server *v = sim_server(s, s->pend[i].loc, s->pend[i].server);
		if (v && finish_due(s, v, now)) {
			i++;
			continue;
		}
		if (v)
			v->queued = false;
		s->pend[i] = s->pend[--s->npend];
	}
}

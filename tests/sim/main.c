/* main.c - dcisim: simulated DCImanager 5, IPmanager 5 and licence
 * BILLmanager panels for dcictl's tests and demo. See doc/dcisim.md.
 *
 * Parses and checks the options, builds the world, starts the listeners on
 * 127.0.0.1, prints one READY line and serves until SIGTERM or SIGINT. */
#include "simhttp.h"
#include "simstate.h"
#include "simtls.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs(
	    "usage: dcisim [options]\n"
	    "Simulated DCImanager 5 / IPmanager 5 / licence BILLmanager "
	    "panels on 127.0.0.1.\n"
	    "When ready prints one line: READY dcimgr=URL... ipmgr=URL "
	    "billmgr=URL simctl=URL [ca=FILE]\n"
	    "\n"
	    "Listening:\n"
	    "  --port N               port for everything (0 = pick a free "
	    "one; default 0)\n"
	    "  --tls                  serve the panels over HTTPS with a "
	    "generated CA (ca=FILE)\n"
	    "  --tls-port N           port of the HTTPS listener (default "
	    "0)\n"
	    "  --log FILE             append one line per request\n"
	    "World (all derived from --seed):\n"
	    "  --seed N               (default 1)\n"
	    "  --locations N          DCImanager locations /dcN/dcimgr, "
	    "1-8 (default 1)\n"
	    "  --servers N            servers per location, 1-1000000 "
	    "(default 200)\n"
	    "  --racks N              racks per location (default one per "
	    "40 servers)\n"
	    "  --types LIST           server types (default "
	    "ds-small,ds-medium,ds-large)\n"
	    "  --busy-fraction F      share of servers owned by a client, "
	    "0-1 (default 0)\n"
	    "  --flagged-fraction F   share with a problem flag, 0-1 "
	    "(default 0.03)\n"
	    "  --os LIST              OS templates (osmgr)\n"
	    "  --pricelists LIST      licence pricelists (billmgr)\n"
	    "  --public N --private N --ipv6 N --special N\n"
	    "                         addresses per built-in type (defaults "
	    "2048, 2048, 131068, 253)\n"
	    "  --special-type NAME    name of the special type (default "
	    "guardvlan9)\n"
	    "  --group-rows           add <type>group</type> separator rows "
	    "to func=server\n"
	    "  --auth-attr-only       answer func=auth with <auth id= level=/> "
	    "and no text\n"
	    "Behaviour:\n"
	    "  --user NAME:PASS:LEVEL panel user, repeatable; LEVEL 29 "
	    "(admin) or 16 (user);\n"
	    "                         default one admin:admin:29\n"
	    "  --session-idle S       idle seconds before a session "
	    "expires (default 3600)\n"
	    "  --install-seconds S    OS install duration (default 5)\n"
	    "  --power-seconds S      power on/off/reboot duration "
	    "(default 1)\n"
	    "  --switch-seconds S     switch port on/off duration (default "
	    "0)\n"
	    "  --install-fail-rate R  share of installs that fail, 0-1 "
	    "(default 0)\n"
	    "  --power-fail-rate R    share of power operations that fail "
	    "(default 0)\n"
	    "  --clock EPOCH          virtual clock starting at EPOCH; "
	    "moves only via simctl\n"
	    "Faults:\n"
	    "  --fault [TARGET/]FUNC:KIND[:ARG][@COUNT]   repeatable; "
	    "TARGET any, dcimgr,\n"
	    "                         dcN, ipmgr, billmgr; FUNC or *; KIND "
	    "delay:MS, http500,\n"
	    "                         reset, truncate, badxml, error:TYPE, "
	    "expire\n"
	    "  --fault-rate R         random faults on a share R of calls\n"
	    "  --fault-seed N         seed of the random faults (default "
	    "--seed)\n"
	    "  --fault-kinds LIST     kinds for random faults (default all, "
	    "delay:300)\n"
	    "Presets:\n"
	    "  --demo                 2 locations, 300 servers each, 4 "
	    "types, 35% busy,\n"
	    "                         slower operations (later options "
	    "override)\n"
	    "  --help\n",
	    f);
}

enum {
	O_PORT = 256,
	O_TLS_PORT,
	O_LOCATIONS,
	O_SERVERS,
	O_RACKS,
	O_TYPES,
	O_BUSY,
	O_FLAGGED,
	O_SEED,
	O_IDLE,
	O_USER,
	O_INSTALL,
	O_POWER,
	O_SWITCH,
	O_INSTALL_FAIL,
	O_POWER_FAIL,
	O_CLOCK,
	O_FAULT,
	O_FAULT_RATE,
	O_FAULT_SEED,
	O_FAULT_KINDS,
	O_TLS,
	O_LOG,
	O_GROUP,
	O_AUTH_ATTR,
	O_PUBLIC,
	O_PRIVATE,
	O_IPV6,
	O_SPECIAL,
	O_SPECIAL_TYPE,
	O_OS,
	O_PRICELISTS,
	O_DEMO,
	O_HELP,
};

static const struct option longopts[] = {
    {"port", required_argument, NULL, O_PORT},
    {"tls-port", required_argument, NULL, O_TLS_PORT},
    {"locations", required_argument, NULL, O_LOCATIONS},
    {"servers", required_argument, NULL, O_SERVERS},
    {"racks", required_argument, NULL, O_RACKS},
    {"types", required_argument, NULL, O_TYPES},
    {"busy-fraction", required_argument, NULL, O_BUSY},
    {"flagged-fraction", required_argument, NULL, O_FLAGGED},
    {"seed", required_argument, NULL, O_SEED},
    {"session-idle", required_argument, NULL, O_IDLE},
    {"user", required_argument, NULL, O_USER},
    {"install-seconds", required_argument, NULL, O_INSTALL},
    {"power-seconds", required_argument, NULL, O_POWER},
    {"switch-seconds", required_argument, NULL, O_SWITCH},
    {"install-fail-rate", required_argument, NULL, O_INSTALL_FAIL},
    {"power-fail-rate", required_argument, NULL, O_POWER_FAIL},
    {"clock", required_argument, NULL, O_CLOCK},
    {"fault", required_argument, NULL, O_FAULT},
    {"fault-rate", required_argument, NULL, O_FAULT_RATE},
    {"fault-seed", required_argument, NULL, O_FAULT_SEED},
    {"fault-kinds", required_argument, NULL, O_FAULT_KINDS},
    {"tls", no_argument, NULL, O_TLS},
    {"log", required_argument, NULL, O_LOG},
    {"group-rows", no_argument, NULL, O_GROUP},
    {"auth-attr-only", no_argument, NULL, O_AUTH_ATTR},
    {"public", required_argument, NULL, O_PUBLIC},
    {"private", required_argument, NULL, O_PRIVATE},
    {"ipv6", required_argument, NULL, O_IPV6},
    {"special", required_argument, NULL, O_SPECIAL},
    {"special-type", required_argument, NULL, O_SPECIAL_TYPE},
    {"os", required_argument, NULL, O_OS},
    {"pricelists", required_argument, NULL, O_PRICELISTS},
    {"demo", no_argument, NULL, O_DEMO},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

static const char *opt_name(int code)
{
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == code)
			return o->name;
	return "?";
}

static int bad(int code, const char *arg, const char *want)
{
	fprintf(stderr, "dcisim: --%s: expected %s, got '%s'\n", opt_name(code),
	        want, arg);
	return -1;
}

static int get_ull(int code, const char *arg, unsigned long long lo,
                   unsigned long long hi, unsigned long long *out)
{
	char *end;
	char want[96];
	snprintf(want, sizeof(want), "an integer %llu..%llu", lo, hi);
	errno = 0;
	if (!*arg || *arg == '-')
		return bad(code, arg, want);
	unsigned long long v = strtoull(arg, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return bad(code, arg, want);
	*out = v;
	return 0;
}

static int get_uint(int code, const char *arg, unsigned lo, unsigned hi,
                    unsigned *out)
{
	unsigned long long v;
	if (get_ull(code, arg, lo, hi, &v) < 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int get_double(int code, const char *arg, double lo, double hi,
                      double *out)
{
	char *end;
	char want[96];
	snprintf(want, sizeof(want), "a number %g..%g", lo, hi);
	errno = 0;
	double v = strtod(arg, &end);
	if (!*arg || errno || *end || !(v >= lo && v <= hi))
		return bad(code, arg, want);
	*out = v;
	return 0;
}

static int set_text(int code, const char *arg, char *dst, size_t len)
{
	if (!*arg || strlen(arg) >= len)
		return bad(code, arg, "a non-empty list (shorter)");
	snprintf(dst, len, "%s", arg);
	return 0;
}

static int parse_user(const char *arg, simopts *o)
{
	if (o->nusers == SIM_MAX_USERS) {
		fprintf(stderr, "dcisim: --user: at most %d users\n",
		        SIM_MAX_USERS);
		return -1;
	}
	const char *c1 = strchr(arg, ':'), *c2 = strrchr(arg, ':');
	if (!c1 || c1 == c2 || c1 == arg)
		return bad(O_USER, arg, "NAME:PASSWORD:LEVEL");
	simuser_opt *u = &o->users[o->nusers];
	size_t nl = (size_t)(c1 - arg), pl = (size_t)(c2 - c1 - 1);
	if (nl >= sizeof(u->name) || pl >= sizeof(u->pass) || pl == 0)
		return bad(O_USER, arg,
		           "NAME:PASSWORD:LEVEL with a non-empty password");
	memcpy(u->name, arg, nl);
	u->name[nl] = '\0';
	if (strspn(u->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
	                    "WXYZ0123456789._-@") != nl)
		return bad(O_USER, arg, "a NAME of letters, digits, . _ - @");
	memcpy(u->pass, c1 + 1, pl);
	u->pass[pl] = '\0';
	if (!strcmp(c2 + 1, "29"))
		u->level = SIM_LEVEL_ADMIN;
	else if (!strcmp(c2 + 1, "16"))
		u->level = SIM_LEVEL_USER;
	else
		return bad(O_USER, arg,
		           "LEVEL 29 (administrator) or 16 (user)");
	for (int i = 0; i < o->nusers; i++)
		if (!strcmp(o->users[i].name, u->name)) {
			fprintf(stderr, "dcisim: --user: %s given twice\n",
			        u->name);
			return -1;
		}
	o->nusers++;
	return 0;
}

static void apply_demo(simopts *o)
{
	o->locations = 2;
	o->servers = 300;
	snprintf(o->types, sizeof(o->types),
	         "ds-small,ds-medium,ds-large,ds-gpu");
	o->busy = 0.35;
	o->install_s = 20;
	o->power_s = 3;
	o->switch_s = 1;
	o->public_n = 4096;
}

static int parse_args(int argc, char **argv, simopts *o)
{
	unsigned long long ull;
	unsigned u;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--demo"))
			apply_demo(o);
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		const char *a = optarg;
		int rc = 0;
		switch (c) {
		case O_PORT:
			rc = get_uint(c, a, 0, 65535, &o->port);
			break;
		case O_TLS_PORT:
			rc = get_uint(c, a, 0, 65535, &o->tls_port);
			break;
		case O_LOCATIONS:
			rc = get_uint(c, a, 1, SIM_MAX_LOCATIONS, &u);
			o->locations = (int)u;
			break;
		case O_SERVERS:
			rc = get_uint(c, a, 1, 1000000, &o->servers);
			break;
		case O_RACKS:
			rc = get_uint(c, a, 1, 100000, &o->racks);
			break;
		case O_TYPES:
			rc = set_text(c, a, o->types, sizeof(o->types));
			break;
		case O_BUSY:
			rc = get_double(c, a, 0, 1, &o->busy);
			break;
		case O_FLAGGED:
			rc = get_double(c, a, 0, 1, &o->flagged_fraction);
			break;
		case O_SEED:
			rc = get_ull(c, a, 0, UINT64_MAX, &o->seed);
			break;
		case O_IDLE:
			rc = get_uint(c, a, 1, 100000000, &o->session_idle);
			break;
		case O_USER:
			rc = parse_user(a, o);
			break;
		case O_INSTALL:
			rc = get_double(c, a, 0, 86400, &o->install_s);
			break;
		case O_POWER:
			rc = get_double(c, a, 0, 86400, &o->power_s);
			break;
		case O_SWITCH:
			rc = get_double(c, a, 0, 86400, &o->switch_s);
			break;
		case O_INSTALL_FAIL:
			rc = get_double(c, a, 0, 1, &o->install_fail);
			break;
		case O_POWER_FAIL:
			rc = get_double(c, a, 0, 1, &o->power_fail);
			break;
		case O_CLOCK:
			rc = get_ull(c, a, 0, 32503680000ULL, &ull);
			o->virt = true;
			o->clock0 = (long long)ull;
			break;
		case O_FAULT:
			if (o->nfaults == SIM_MAX_FAULTS) {
				fprintf(stderr, "dcisim: --fault: at most %d\n",
				        SIM_MAX_FAULTS);
				rc = -1;
			} else {
				o->faults[o->nfaults++] = a;
			}
			break;
		case O_FAULT_RATE:
			rc = get_double(c, a, 0, 1, &o->fault_rate);
			break;
		case O_FAULT_SEED:
			rc = get_ull(c, a, 0, UINT64_MAX, &o->fault_seed);
			o->fault_seed_set = true;
			break;
		case O_FAULT_KINDS:
			rc = set_text(c, a, o->fault_kinds,
			              sizeof(o->fault_kinds));
			break;
		case O_TLS:
			o->tls = true;
			break;
		case O_LOG:
			o->logpath = a;
			break;
		case O_GROUP:
			o->group_rows = true;
			break;
		case O_AUTH_ATTR:
			o->auth_attr_only = true;
			break;
		case O_PUBLIC:
			rc = get_ull(c, a, 0, 100000000, &ull);
			o->public_n = (unsigned long)ull;
			break;
		case O_PRIVATE:
			rc = get_ull(c, a, 0, 100000000, &ull);
			o->private_n = (unsigned long)ull;
			break;
		case O_IPV6:
			rc = get_ull(c, a, 0, 10000000000ULL, &ull);
			o->ipv6_n = (unsigned long)ull;
			break;
		case O_SPECIAL:
			rc = get_ull(c, a, 0, 100000000, &ull);
			o->special_n = (unsigned long)ull;
			break;
		case O_SPECIAL_TYPE:
			rc = set_text(c, a, o->special_type,
			              sizeof(o->special_type));
			break;
		case O_OS:
			rc = set_text(c, a, o->oslist, sizeof(o->oslist));
			break;
		case O_PRICELISTS:
			rc = set_text(c, a, o->pricelists,
			              sizeof(o->pricelists));
			break;
		case O_DEMO:
			break; /* applied first, above */
		case O_HELP:
			usage(stdout);
			exit(0);
		case ':':
			fprintf(stderr, "dcisim: %s needs a value\n",
			        argv[optind - 1]);
			rc = -1;
			break;
		default:
			fprintf(stderr, "dcisim: unknown option '%s'\n",
			        argv[optind - 1]);
			rc = -1;
			break;
		}
		if (rc < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "dcisim: unexpected argument '%s'\n",
		        argv[optind]);
		return -1;
	}
	if (o->tls && o->tls_port && o->tls_port == o->port) {
		fprintf(stderr, "dcisim: --tls-port must differ from --port\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static sim s;
	char err[512], tlsdir[256] = "", cafile[300] = "";
	char *cert = NULL, *key = NULL;
	sim_init(&s);
	if (parse_args(argc, argv, &s.o) < 0) {
		fprintf(stderr, "dcisim: try --help\n");
		sim_destroy(&s);
		return 2;
	}
	if (sim_build(&s, err, sizeof(err)) < 0) {
		fprintf(stderr, "dcisim: %s\n", err);
		sim_destroy(&s);
		return 2;
	}
	if (s.o.tls &&
	    simtls_make(tlsdir, sizeof(tlsdir), cafile, sizeof(cafile), &cert,
	                &key, err, sizeof(err)) < 0) {
		fprintf(stderr, "dcisim: %s\n", err);
		simtls_remove(tlsdir);
		sim_destroy(&s);
		return 1;
	}

	/* Signals go to sigwait below, never to the server threads. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	unsigned port = 0, tls_port = 0;
	sim_http *h = sim_http_start(&s, s.o.port, s.o.tls_port, cert, key,
	                             &port, &tls_port, err, sizeof(err));
	free(cert);
	if (key) {
		explicit_bzero(key, strlen(key));
		free(key);
	}
	if (!h) {
		fprintf(stderr, "dcisim: %s\n", err);
		simtls_remove(tlsdir);
		sim_destroy(&s);
		return 1;
	}

	char base[64];
	if (s.o.tls)
		snprintf(base, sizeof(base), "https://127.0.0.1:%u", tls_port);
	else
		snprintf(base, sizeof(base), "http://127.0.0.1:%u", port);
	printf("READY");
	for (int i = 1; i <= s.nlocs; i++)
		printf(" dcimgr=%s/dc%d/dcimgr", base, i);
	printf(" ipmgr=%s/ipmgr billmgr=%s/billmgr", base, base);
	printf(" simctl=http://127.0.0.1:%u/simctl", port);
	if (s.o.tls)
		printf(" ca=%s", cafile);
	printf("\n");
	fflush(stdout);

	int sig = 0;
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		; /* SIGHUP: keep serving (a closed terminal is no reason) */

	sim_http_stop(h);
	simtls_remove(tlsdir);
	sim_destroy(&s);
	return 0;
}

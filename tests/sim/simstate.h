/* simstate.h - the simulated world: options, DCImanager locations with
 * their servers and users, the IPmanager pools, licences, sessions, the
 * clock and the queue of asynchronous operations.
 *
 * Contract: one `sim` per process. Every field below the lock is read and
 * written only with sim.lock held (the HTTP layer takes it around each
 * call); sim_now, sim_tick and all server_* helpers assume it is held.
 * Server ids are 1..nservers per location and never change, so a server
 * pointer stays valid for the life of the process. Strings in the state are
 * owned by it (malloc'd). Times are seconds (double) on the sim clock: real
 * time, or a virtual clock moved only by the control panel. */
#ifndef SIM_STATE_H
#define SIM_STATE_H

#include "hmap.h"
#include "ippool.h"
#include "simerr.h"
#include "simfault.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#define SIM_LEVEL_ADMIN   29
#define SIM_LEVEL_USER    16
#define SIM_MAX_USERS     32
#define SIM_MAX_FAULTS    64
#define SIM_MAX_LOCATIONS 8
#define SIM_PARKING       "parking"

typedef struct simuser_opt {
	char name[64];
	char pass[128];
	int level;
} simuser_opt;

typedef struct simopts {
	unsigned port, tls_port;
	int locations;
	unsigned servers;
	unsigned racks; /* per location; 0 = one per 40 servers */
	char types[512];
	double busy;
	double flagged_fraction; /* servers with a problem flag */
	unsigned long long seed;
	unsigned session_idle;
	simuser_opt users[SIM_MAX_USERS];
	int nusers;
	double install_s, power_s, switch_s;
	double install_fail, power_fail;
	bool virt;
	long long clock0;
	const char *faults[SIM_MAX_FAULTS];
	int nfaults;
	double fault_rate;
	unsigned long long fault_seed;
	bool fault_seed_set;
	char fault_kinds[512];
	bool tls;
	const char *logpath;
	bool group_rows;
	bool auth_attr_only; /* <auth id= level=/> without text, as some
	                        builds answer */
	unsigned long public_n, private_n, ipv6_n, special_n;
	char special_type[64];
	char oslist[1024];
	char pricelists[1024];
	bool demo;
} simopts;

typedef struct simuser {
	unsigned id;
	char *name;
	char *pass;
	int level;
} simuser;

/* Users of one panel: an ordered list and a name index. */
typedef struct userdb {
	simuser **v;
	size_t n, cap;
	hmap byname;
	unsigned next_id;
} userdb;

enum srv_flag {
	SRV_BLOCKED = 1 << 0,
	SRV_HWPROBLEM = 1 << 1,
	SRV_DIAG = 1 << 2,
	SRV_INSTALL = 1 << 3,
	SRV_OPFAILED = 1 << 4,
	SRV_DISABLED = 1 << 5,
};

enum power_state { PWR_OFF, PWR_ON, PWR_ERROR };
enum conn_kind { CONN_SWITCH, CONN_IPMI, CONN_PDU, CONN_COUNT };
enum op_kind { OP_NONE, OP_POWERON, OP_POWEROFF, OP_REBOOT, OP_INSTALL };

typedef struct srvaddr {
	unsigned id; /* per location */
	iprec *rec;  /* owned by the IP pool */
	bool main;
} srvaddr;

typedef struct srvconn {
	unsigned speed; /* Mbit/s; 0 = not applicable */
	bool on;
	bool busy;      /* switching in progress */
	bool target_on; /* state when the switching ends */
	double done;
} srvconn;

typedef struct server {
	unsigned id;
	unsigned rack, unit;
	int type;
	unsigned ram;                  /* MiB */
	unsigned char cpu, disk;       /* indexes into the hardware tables */
	unsigned char power;           /* enum power_state */
	unsigned char op;              /* enum op_kind in progress */
	bool op_fail;                  /* the operation in progress will fail */
	bool queued;                   /* on the pending list */
	bool fail_install, fail_power; /* set by simctl server.failnext */
	unsigned flags;
	unsigned op_seq;
	int op_os; /* template being installed (index into sim.os) */
	double op_done;
	char name[40];
	char mac[18];
	char *hostname;
	char *owner; /* NULL = free */
	char *notes;
	char *os;     /* last installed template, NULL if unknown */
	char *rootpw; /* passwd of the last install accepted, NULL if none:
	                simctl state.server shows it, so that a test can
	                check what the client was told */
	srvaddr *addrs;
	unsigned naddrs, capaddrs;
	srvconn conn[CONN_COUNT];
} server;

typedef struct location {
	int idx; /* 1-based, as in /dcN/ */
	server *servers;
	unsigned nservers;
	unsigned nracks;
	userdb users;
	unsigned next_addr_id;
} location;

enum licence_status { LIC_ACTIVE, LIC_SUSPENDED, LIC_DELETED };

typedef struct licence {
	unsigned id;
	int pricelist; /* index into sim.pricelists */
	unsigned period;
	char *ip;
	char *licname;
	char *remoteid;
	int status;
} licence;

typedef struct session {
	char id[40];
	sim_panel panel;
	int loc;
	char user[64];
	int level;
	double last;
} session;

typedef struct pending_ref {
	int loc;
	unsigned server;
} pending_ref;

typedef struct callcount {
	char key[96]; /* "panel/func" */
	unsigned long n;
} callcount;

typedef struct sim {
	simopts o;
	pthread_mutex_t lock;

	/* clock */
	bool virt;
	double vnow;

	location *locs;
	int nlocs;
	char **types;
	int ntypes;
	char **os;
	int nos;
	char **pricelists;
	int npricelists;

	ippool ip;
	userdb ipusers, billusers;

	licence **lic; /* index id-1 */
	size_t nlic, caplic;
	hmap licby; /* "pricelist/ip" -> live licence */

	hmap sessions; /* id -> session* */

	pending_ref *pend;
	size_t npend, cappend;

	faults faults;

	hmap calls; /* key -> callcount* */
	callcount **callv;
	size_t ncalls, capcalls;
	unsigned long requests;

	/* Request log: its own lock, written after the state lock is gone. */
	FILE *log;
	pthread_mutex_t loglock;

	/* Shutdown: delays wait on this so SIGTERM does not wait for them. */
	pthread_mutex_t stoplock;
	pthread_cond_t stopcond;
	bool stopping;

	char tlsdir[256];
	char cafile[300];
} sim;

/* Lifecycle: sim_init sets defaults in s->o; the caller adjusts options,
 * then sim_build makes the world (0, or -1 with a message). */
void sim_init(sim *s);
int sim_build(sim *s, char *err, size_t errlen);
void sim_destroy(sim *s);

double sim_now(const sim *s);
/* Finishes asynchronous operations that are due. */
void sim_tick(sim *s);
void sim_count_call(sim *s, sim_panel panel, int loc, const char *func);

location *sim_loc(sim *s, int loc);
server *sim_server(sim *s, int loc, unsigned id);
int sim_type_index(const sim *s, const char *name);
int sim_os_index(const sim *s, const char *name_or_id);
int sim_pricelist_index(const sim *s, const char *name_or_id);
/* Hardware tables indexed by server.cpu / server.disk. */
const char *sim_cpu_name(unsigned idx);
const char *sim_disk_name(unsigned idx);

/* Users */
userdb *sim_users(sim *s, sim_panel panel, int loc);
simuser *userdb_find(const userdb *u, const char *name);
simuser *userdb_add(userdb *u, const char *name, const char *pass, int level);
void userdb_del(userdb *u, simuser *x);

/* Sessions */
session *sim_session_new(sim *s, sim_panel panel, int loc, const simuser *u);
session *sim_session_get(sim *s, const char *id);
void sim_session_drop(sim *s, const char *id);
/* Drops every session, or those of user on one panel (panel PANEL_ANY:
 * on every panel); returns how many. */
size_t sim_sessions_drop_all(sim *s, const char *user, sim_panel panel,
                             int loc);

/* Servers */
bool server_is_free(const server *v);
srvaddr *server_main(const server *v);
srvaddr *server_addr(const server *v, unsigned id);
srvaddr *server_attach(sim *s, int loc, server *v, iprec *rec, bool main);
/* Detaches (the address stays allocated in the IP pool). */
void server_detach(server *v, srvaddr *a);
void server_set_main(server *v, srvaddr *a);
/* Starts an asynchronous operation; fails with "value" if one runs. */
int server_start_op(sim *s, int loc, server *v, enum op_kind op, simerr *e);
int server_conn_switch(sim *s, int loc, server *v, int conn, bool on);
const char *server_conn_kind(int conn);
void server_conn_port(const sim *s, const server *v, int conn, char *buf,
                      size_t len);

void sim_setstr(char **dst, const char *v);
/* Host or domain name: letters, digits, '-', '.', at most 253. */
bool sim_hostname_ok(const char *h);
void sim_lock(sim *s);
void sim_unlock(sim *s);

#endif

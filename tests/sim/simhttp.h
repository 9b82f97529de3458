/* simhttp.h - dcisim's HTTP front: libmicrohttpd daemons on 127.0.0.1,
 * routing by path to the panels, parameters from the query string and the
 * urlencoded POST body, sessions, access levels, faults and the request
 * log.
 *
 * Contract: sim_http_start starts a plain daemon (and a TLS one when
 * tls_cert/tls_key are given) with a thread per connection; it fills the
 * bound ports. Handlers run with the state lock held; delays happen after
 * it is released and end early when sim_http_stop is called. */
#ifndef SIM_HTTP_H
#define SIM_HTTP_H

#include "simstate.h"

typedef struct sim_http sim_http;

/* tls_cert/tls_key: PEM text or NULL. Returns NULL with err filled. */
sim_http *sim_http_start(sim *s, unsigned port, unsigned tls_port,
                         const char *tls_cert, const char *tls_key,
                         unsigned *bound_port, unsigned *bound_tls_port,
                         char *err, size_t errlen);
void sim_http_stop(sim_http *h);

#endif

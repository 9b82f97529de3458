/* fuzz_config.c - libFuzzer target: any bytes as a config file must load
 * or be refused with a DC_E_CONFIG message, never crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5 (Debian 12) leaks scanner and parser buffers on some
 * syntax errors (fixed upstream later); not ours to fix. Leaks from our
 * code still count, and the unit tests under ASan (no suppressions) check
 * that a parsed tree is always destroyed. */
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig_yy\n"
	       "leak:strbuf_append\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/fuzz-config-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path); /* 0600: secrets in the input are allowed */
	if (fd < 0)
		return 0;
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd);
	dc_config cfg;
	dc_err err;
	memset(&err, 0, sizeof(err));
	if (config_load(path, &cfg, &err) == 0) {
		/* Whatever loaded must satisfy the documented ranges. */
		if (!cfg.store_path || cfg.store_path[0] != '/' ||
		    cfg.refresh_ms < 100 || cfg.xml_max_body < 4096 ||
		    !cfg.theme || !cfg.stats_timezone)
			abort();
		for (size_t i = 0; i < cfg.nkeys; i++)
			if (!cfg.keys[i].key[0] || !cfg.keys[i].action[0])
				abort();
		config_free(&cfg);
	} else if (err.cat != DC_E_CONFIG && err.cat != DC_E_NOMEM) {
		abort();
	}
	unlink(path);
	return 0;
}

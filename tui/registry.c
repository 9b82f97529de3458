/* registry.c - the one file a feature edits to plug in: one line per
 * command table and per dashboard section (see registry.h). */
#include "registry.h"

extern const cmd_def builtin_cmds[];
extern const cmd_def apilog_cmds[];
extern const cmd_def module_cmds[];
extern const cmd_def stats_cmds[];
extern const cmd_def tariff_cmds[];
extern const cmd_def ip_cmds[];
extern const cmd_def service_cmds[];

static const cmd_def *const tables[] = {
    builtin_cmds,
    apilog_cmds,
    module_cmds,
    stats_cmds,
    tariff_cmds,
    ip_cmds,
    service_cmds,
    NULL,
};

extern const dash_section console_dash;
extern const dash_section modules_dash, tariffs_dash;
extern const dash_section special_ip_dash;
extern const dash_section services_dash;

static const dash_section *const sections[] = {
    &modules_dash, &tariffs_dash,
    &special_ip_dash,
    &services_dash,
    &console_dash,
    NULL,
};

/* Unit tests swap in their own tables; nothing else sets this. */
static const cmd_def *const *test_tables;

void cmd_tables_override(const cmd_def *const *t)
{
	test_tables = t;
}

const cmd_def *const *cmd_tables(void)
{
	return test_tables ? test_tables : tables;
}

const dash_section *const *dash_sections(void)
{
	return sections;
}

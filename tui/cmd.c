/* cmd.c - see cmd.h. */
#include "cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cmd_args {
	const cmd_def *c;
	size_t n, cap;
	struct {
		const cmd_opt *o;
		char *v;
	} * a;
};

int strv_push(strv *s, const char *str)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	if (!(s->v[s->n] = strdup(str)))
		return -1;
	s->n++;
	return 0;
}

void strv_clear(strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- registry iteration ---- */

const cmd_def *cmd_next(cmd_iter *it)
{
	const cmd_def *const *t = cmd_tables();

	while (t[it->t]) {
		const cmd_def *c = &t[it->t][it->i];

		if (c->noun) {
			it->i++;
			return c;
		}
		it->t++;
		it->i = 0;
	}
	return NULL;
}

static bool eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

const cmd_def *cmd_find(const char *noun, const char *verb)
{
	cmd_iter it = {0, 0};
	const cmd_def *c;

	while ((c = cmd_next(&it)))
		if (eq(c->noun, noun) && eq(c->verb, verb))
			return c;
	return NULL;
}

const cmd_def *cmd_by_key(int key)
{
	cmd_iter it = {0, 0};
	const cmd_def *c;

	if (!key)
		return NULL;
	while ((c = cmd_next(&it)))
		if (c->key == key)
			return c;
	return NULL;
}

const char *cmd_name(const cmd_def *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", c->noun, c->verb ? " " : "",
	         c->verb ? c->verb : "");
	return buf;
}

static bool noun_exists(const char *noun)
{
	cmd_iter it = {0, 0};
	const cmd_def *c;

	while ((c = cmd_next(&it)))
		if (eq(c->noun, noun))
			return true;
	return false;
}

/* ---- arguments ---- */

static const cmd_opt *opt_find(const cmd_def *c, const char *name,
                               size_t namelen)
{
	for (const cmd_opt *o = c->opts; o && o->name; o++)
		if (strlen(o->name) == namelen &&
		    strncmp(o->name, name, namelen) == 0)
			return o;
	return NULL;
}

cmd_args *cmd_args_new(const cmd_def *c)
{
	cmd_args *a = calloc(1, sizeof(*a));

	if (a)
		a->c = c;
	return a;
}

void cmd_args_free(cmd_args *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++) {
		if (a->a[i].o->flags & CMD_OPT_SECRET)
			explicit_bzero(a->a[i].v, strlen(a->a[i].v));
		free(a->a[i].v);
	}
	free(a->a);
	free(a);
}

const cmd_def *cmd_args_cmd(const cmd_args *a)
{
	return a->c;
}

static size_t count_opt(const cmd_args *a, const cmd_opt *o)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		if (a->a[i].o == o)
			n++;
	return n;
}

/* Adds one value for option o, checking repeat and type. */
static int add_value(cmd_args *a, const cmd_opt *o, const char *val,
                     dc_err *err)
{
	if (!(o->flags & CMD_OPT_REPEAT) && count_opt(a, o) > 0)
		return err_field(err, DC_E_INVALID, o->name,
		                 "--%s: given more than once", o->name);
	if (o->type == CMD_OPT_INT) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(val, &end, 10);
		if (!*val || *end || errno)
			return err_field(err, DC_E_INVALID, o->name,
			                 "--%s: '%s' is not a whole number",
			                 o->name, val);
		if (o->min < o->max && (v < o->min || v > o->max))
			return err_field(err, DC_E_INVALID, o->name,
			                 "--%s: %lld is outside %lld..%lld",
			                 o->name, v, o->min, o->max);
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		void *p = realloc(a->a, cap * sizeof(*a->a));

		if (!p)
			return err_set(err, DC_E_NOMEM, "out of memory");
		a->a = p;
		a->cap = cap;
	}
	if (!(a->a[a->n].v = strdup(val)))
		return err_set(err, DC_E_NOMEM, "out of memory");
	a->a[a->n].o = o;
	a->n++;
	return 0;
}

int cmd_args_add(cmd_args *a, const char *name, const char *val, dc_err *err)
{
	const cmd_opt *o = opt_find(a->c, name, strlen(name));
	char buf[64];

	if (!o)
		return err_field(err, DC_E_INVALID, name,
		                 "'%s' has no option --%s",
		                 cmd_name(a->c, buf, sizeof(buf)), name);
	if (o->type == CMD_OPT_FLAG && !val)
		val = "";
	return add_value(a, o, val, err);
}

int cmd_args_check(const cmd_args *a, dc_err *err)
{
	for (const cmd_opt *o = a->c->opts; o && o->name; o++)
		if ((o->flags & CMD_OPT_REQUIRED) && count_opt(a, o) == 0)
			return err_field(err, DC_E_INVALID, o->name,
			                 "--%s is required", o->name);
	return 0;
}

const char *cmd_arg_nth(const cmd_args *a, const char *name, size_t i)
{
	for (size_t k = 0; k < a->n; k++)
		if (strcmp(a->a[k].o->name, name) == 0 && i-- == 0)
			return a->a[k].v;
	return NULL;
}

const char *cmd_arg(const cmd_args *a, const char *name)
{
	return cmd_arg_nth(a, name, 0);
}

size_t cmd_arg_count(const cmd_args *a, const char *name)
{
	size_t n = 0;

	for (size_t k = 0; k < a->n; k++)
		if (strcmp(a->a[k].o->name, name) == 0)
			n++;
	return n;
}

bool cmd_flag(const cmd_args *a, const char *name)
{
	return cmd_arg_count(a, name) > 0;
}

long long cmd_arg_int(const cmd_args *a, const char *name, long long dflt)
{
	const char *v = cmd_arg(a, name);

	return v ? strtoll(v, NULL, 10) : dflt;
}

/* Quotes a word for a command line if it needs it. */
static void put_word(FILE *f, const char *w)
{
	if (*w && !strpbrk(w, " \t'\"\\")) {
		fputs(w, f);
		return;
	}
	fputc('\'', f);
	for (; *w; w++) {
		if (*w == '\'' || *w == '\\')
			fputc('\\', f);
		fputc(*w, f);
	}
	fputc('\'', f);
}

char *cmd_args_line(const cmd_args *a)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	fputs(a->c->noun, f);
	if (a->c->verb)
		fprintf(f, " %s", a->c->verb);
	for (size_t i = 0; i < a->n; i++) {
		const cmd_opt *o = a->a[i].o;

		fprintf(f, " --%s", o->name);
		if (o->type == CMD_OPT_FLAG)
			continue;
		fputc(' ', f);
		if (o->flags & CMD_OPT_SECRET)
			fputs("***", f);
		else
			put_word(f, a->a[i].v);
	}
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* ---- parsing ---- */

static void verbs_of(const char *noun, char *buf, size_t len)
{
	cmd_iter it = {0, 0};
	const cmd_def *c;
	size_t o = 0;

	buf[0] = '\0';
	while ((c = cmd_next(&it)))
		if (eq(c->noun, noun) && c->verb && !(c->flags & CMD_HIDDEN) &&
		    o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
			                      o ? ", " : "", c->verb);
}

cmd_args *cmd_parse(int argc, char *const *argv, dc_err *err)
{
	return cmd_parse_ex(argc, argv, true, err);
}

cmd_args *cmd_parse_ex(int argc, char *const *argv, bool check_required,
                       dc_err *err)
{
	const cmd_def *c = NULL;
	cmd_args *a;
	int i;
	bool dashdash = false;

	if (argc < 1 || !argv[0][0]) {
		err_set(err, DC_E_INVALID, "no command given (try 'help')");
		return NULL;
	}
	if (!noun_exists(argv[0])) {
		err_set(err, DC_E_INVALID, "unknown command '%s' (try 'help')",
		        argv[0]);
		return NULL;
	}
	if (argc >= 2 && argv[1][0] != '-')
		c = cmd_find(argv[0], argv[1]);
	i = c ? 2 : 1;
	if (!c)
		c = cmd_find(argv[0], NULL);
	if (!c) {
		char verbs[512];

		verbs_of(argv[0], verbs, sizeof(verbs));
		if (argc >= 2)
			err_set(err, DC_E_INVALID,
			        "'%s' has no verb '%s' (verbs: %s)", argv[0],
			        argv[1], verbs);
		else
			err_set(err, DC_E_INVALID, "'%s' needs a verb: %s",
			        argv[0], verbs);
		return NULL;
	}
	if (!(a = cmd_args_new(c))) {
		err_set(err, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	for (; i < argc; i++) {
		const char *w = argv[i];

		if (!dashdash && strcmp(w, "--") == 0) {
			dashdash = true;
			continue;
		}
		if (!dashdash && w[0] == '-' && w[1] == '-' && w[2]) {
			const char *name = w + 2, *eqs = strchr(name, '=');
			size_t nl = eqs ? (size_t)(eqs - name) : strlen(name);
			const cmd_opt *o = opt_find(c, name, nl);
			const char *val;
			char cn[64];

			if (!o) {
				err_field(err, DC_E_INVALID, name,
				          "'%s' has no option --%.*s",
				          cmd_name(c, cn, sizeof(cn)), (int)nl,
				          name);
				goto fail;
			}
			if (o->type == CMD_OPT_FLAG) {
				if (eqs) {
					err_field(err, DC_E_INVALID, o->name,
					          "--%s takes no value",
					          o->name);
					goto fail;
				}
				val = "";
			} else if (eqs) {
				val = eqs + 1;
			} else if (i + 1 < argc) {
				val = argv[++i];
			} else {
				err_field(err, DC_E_INVALID, o->name,
				          "--%s needs a value (%s)", o->name,
				          o->metavar ? o->metavar : "VALUE");
				goto fail;
			}
			if (add_value(a, o, val, err) < 0)
				goto fail;
			continue;
		}
		/* a positional word: the first positional option still open */
		const cmd_opt *o;

		for (o = c->opts; o && o->name; o++)
			if ((o->flags & CMD_OPT_POSITIONAL) &&
			    ((o->flags & CMD_OPT_REPEAT) || !count_opt(a, o)))
				break;
		if (!o || !o->name) {
			char cn[64];

			err_set(err, DC_E_INVALID,
			        "'%s': unexpected argument '%s'",
			        cmd_name(c, cn, sizeof(cn)), w);
			goto fail;
		}
		if (add_value(a, o, w, err) < 0)
			goto fail;
	}
	if (check_required && cmd_args_check(a, err) < 0)
		goto fail;
	return a;
fail:
	cmd_args_free(a);
	return NULL;
}

int cmd_split(const char *line, strv *words, dc_err *err)
{
	size_t len = strlen(line);
	char *w = malloc(len + 1);
	const char *p = line;

	if (!w)
		return err_set(err, DC_E_NOMEM, "out of memory");
	for (;;) {
		size_t n = 0;
		char q = 0;
		bool any = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		while (*p && (q || (*p != ' ' && *p != '\t'))) {
			any = true;
			if (q && *p == q) {
				q = 0;
			} else if (!q && (*p == '\'' || *p == '"')) {
				q = *p;
			} else if (*p == '\\' && p[1] && q != '\'') {
				w[n++] = *++p;
			} else {
				w[n++] = *p;
			}
			p++;
		}
		if (q) {
			free(w);
			return err_set(err, DC_E_INVALID,
			               "unterminated %c quote", q);
		}
		w[n] = '\0';
		if (any && strv_push(words, w) < 0) {
			free(w);
			return err_set(err, DC_E_NOMEM, "out of memory");
		}
	}
	free(w);
	return 0;
}

/* ---- dispatch ---- */

int cmd_exec(cmd_ctx *ctx, const cmd_args *a, out *o, dc_err *err)
{
	const cmd_def *c = a->c;
	char cn[64];

	cmd_name(c, cn, sizeof(cn));
	if (ctx->read_only && !(c->flags & CMD_RO_SAFE))
		return err_set(err, DC_E_INVALID,
		               "read-only: '%s' would change things and "
		               "dcictl runs with --read-only",
		               cn);
	if (!ctx->ui && (c->flags & CMD_CONSOLE_ONLY))
		return err_set(err, DC_E_INVALID,
		               "'%s' works only in the console (run dcictl "
		               "without a command)",
		               cn);
	if (!c->run)
		return err_set(err, DC_E_INVALID,
		               "'%s' opens a screen; run it in the console "
		               "as :%s",
		               cn, cn);
	err_clear(err);
	return c->run(ctx, a, o, err);
}

/* ---- completion ---- */

#define LINE_MAX_WORD 512

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_unique(strv *cands, const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0)
		return;
	for (size_t i = 0; i < cands->n; i++)
		if (strcmp(cands->v[i], s) == 0)
			return;
	strv_push(cands, s);
}

static void complete_opts(const cmd_def *c, const strv *w, const char *prefix,
                          strv *cands)
{
	for (const cmd_opt *o = c->opts; o && o->name; o++) {
		char buf[80];
		bool used = false;

		snprintf(buf, sizeof(buf), "--%s", o->name);
		for (size_t i = 0; i < w->n; i++)
			if (strcmp(w->v[i], buf) == 0)
				used = true;
		if (!used || (o->flags & CMD_OPT_REPEAT))
			add_unique(cands, buf, prefix);
	}
}

void cmd_complete(struct app *app, const char *line, size_t cursor, strv *cands,
                  size_t *word_start)
{
	char *head = strndup(line, cursor);
	strv w = {0};
	char prefix[LINE_MAX_WORD];
	size_t start = cursor;
	cmd_iter it = {0, 0};
	const cmd_def *c;

	if (!head)
		return;
	while (start > 0 && head[start - 1] != ' ' && head[start - 1] != '\t')
		start--;
	*word_start = start;
	snprintf(prefix, sizeof(prefix), "%s", head + start);
	head[start] = '\0';
	if (cmd_split(head, &w, NULL) < 0)
		goto done;
	if (w.n == 0) {
		while ((c = cmd_next(&it)))
			if (!(c->flags & CMD_HIDDEN))
				add_unique(cands, c->noun, prefix);
		goto done;
	}
	if (w.n == 1 && prefix[0] != '-') {
		while ((c = cmd_next(&it)))
			if (eq(c->noun, w.v[0]) && c->verb &&
			    !(c->flags & CMD_HIDDEN))
				add_unique(cands, c->verb, prefix);
	}
	c = w.n >= 2 ? cmd_find(w.v[0], w.v[1]) : NULL;
	if (!c)
		c = cmd_find(w.v[0], NULL);
	if (!c)
		goto done;
	/* value of the option just before? */
	const char *prev = w.v[w.n - 1];

	if (prev[0] == '-' && prev[1] == '-' && !strchr(prev, '=')) {
		const cmd_opt *o = opt_find(c, prev + 2, strlen(prev + 2));

		if (o && o->type != CMD_OPT_FLAG) {
			if (o->complete)
				o->complete(app, prefix, cands);
			goto done;
		}
	}
	if (prefix[0] == '-' || !prefix[0])
		complete_opts(c, &w, prefix, cands);
	if (prefix[0] != '-')
		for (const cmd_opt *o = c->opts; o && o->name; o++)
			if ((o->flags & CMD_OPT_POSITIONAL) && o->complete) {
				o->complete(app, prefix, cands);
				break;
			}
done:
	if (cands->n > 1)
		qsort(cands->v, cands->n, sizeof(char *), cmpstr);
	strv_clear(&w);
	free(head);
}

/* ---- help ---- */

void cmd_print_usage(const cmd_def *c, FILE *f)
{
	char cn[64];

	fprintf(f, "usage: dcictl %s", cmd_name(c, cn, sizeof(cn)));
	for (const cmd_opt *o = c->opts; o && o->name; o++) {
		bool req = o->flags & CMD_OPT_REQUIRED;

		fprintf(f, " %s--%s", req ? "" : "[", o->name);
		if (o->type != CMD_OPT_FLAG)
			fprintf(f, " %s", o->metavar ? o->metavar : "VALUE");
		fprintf(f, "%s%s", req ? "" : "]",
		        (o->flags & CMD_OPT_REPEAT) ? "..." : "");
	}
	fprintf(f, "\n  %s\n", c->summary ? c->summary : "");
	if (c->help)
		fprintf(f, "\n%s\n", c->help);
	if (c->opts && c->opts->name)
		fputs("\noptions:\n", f);
	for (const cmd_opt *o = c->opts; o && o->name; o++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", o->name,
		         o->type != CMD_OPT_FLAG ? " " : "",
		         o->type != CMD_OPT_FLAG
		             ? (o->metavar ? o->metavar : "VALUE")
		             : "");
		fprintf(f, "  %-24s %s%s%s\n", left, o->help ? o->help : "",
		        (o->flags & CMD_OPT_POSITIONAL) ? " (may be given "
		                                          "without the name)"
		                                        : "",
		        (o->flags & CMD_OPT_REPEAT) ? " (repeatable)" : "");
	}
	if (!(c->flags & CMD_RO_SAFE))
		fputs("\nChanges things: refused with --read-only.\n", f);
}

void cmd_print_list(const char *noun, FILE *f)
{
	cmd_iter it = {0, 0};
	const cmd_def *c;

	while ((c = cmd_next(&it))) {
		char cn[64];

		if ((c->flags & CMD_HIDDEN) || (noun && !eq(c->noun, noun)))
			continue;
		fprintf(f, "  %-22s %s%s\n", cmd_name(c, cn, sizeof(cn)),
		        c->summary ? c->summary : "",
		        (c->flags & CMD_CONSOLE_ONLY) ? " (console)" : "");
	}
}

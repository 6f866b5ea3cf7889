/* crond/run/jobenv.c: a job's environment, built from scratch (see jobenv.h).
 *
 * Two passes: first resolve the final list of (name, value) pairs as
 * pointers into the inputs, then copy them into one allocation holding both
 * the pointer array and the strings, so the caller frees one block.
 */
#include "crond/run/jobenv.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct var {
	const char *name;
	size_t name_len;
	const char *value;
};

struct varlist {
	struct var *v;
	size_t n;
};

static bool name_is(const struct var *v, const char *name, size_t len)
{
	return v->name_len == len && memcmp(v->name, name, len) == 0;
}

/* LOGNAME and USER always name the real owner. */
static bool name_is_protected(const char *name, size_t len)
{
	return (len == 7 && memcmp(name, "LOGNAME", 7) == 0) ||
	       (len == 4 && memcmp(name, "USER", 4) == 0);
}

static void add_base(struct varlist *l, const char *name, const char *value)
{
	l->v[l->n++] = (struct var){ name, strlen(name), value };
}

/* Applies one assignment: replaces a variable of that name or appends. */
static int apply(struct varlist *l, const char *a, size_t index, char *err, size_t errlen)
{
	if (a == NULL) {
		snprintf(err, errlen, "environment entry %zu is missing", index);
		return -1;
	}
	const char *eq = strchr(a, '=');
	if (eq == NULL) {
		snprintf(err, errlen, "environment entry %zu has no '=': '%.40s'", index, a);
		return -1;
	}
	size_t len = (size_t)(eq - a);
	if (len == 0) {
		snprintf(err, errlen, "environment entry %zu has an empty name", index);
		return -1;
	}
	if (name_is_protected(a, len))
		return 0;
	for (size_t i = 0; i < l->n; i++) {
		if (name_is(&l->v[i], a, len)) {
			l->v[i].value = eq + 1;
			return 0;
		}
	}
	if (l->n >= JOBENV_MAX_VARS) {
		snprintf(err, errlen, "more than %d environment variables", JOBENV_MAX_VARS);
		return -1;
	}
	l->v[l->n++] = (struct var){ a, len, eq + 1 };
	return 0;
}

/* Total bytes of the strings, or -1 with ERR when a bound is passed. */
static int measure(const struct varlist *l, size_t *total, char *err, size_t errlen)
{
	size_t sum = 0;
	for (size_t i = 0; i < l->n; i++) {
		size_t one = l->v[i].name_len + 1 + strlen(l->v[i].value) + 1;
		if (one > JOBENV_MAX_VAR) {
			char name[41];
			size_t n = l->v[i].name_len < 40 ? l->v[i].name_len : 40;
			memcpy(name, l->v[i].name, n);
			name[n] = '\0';
			snprintf(err, errlen, "environment variable %s is over %d bytes", name,
			         JOBENV_MAX_VAR);
			return -1;
		}
		sum += one;
		if (sum > JOBENV_MAX_BYTES) {
			snprintf(err, errlen, "environment is over %d bytes", JOBENV_MAX_BYTES);
			return -1;
		}
	}
	*total = sum;
	return 0;
}

/* Copies the resolved list into one block: pointers, then strings. */
static int pack(const struct varlist *l, size_t bytes, struct jobenv *out, char *err,
                size_t errlen)
{
	size_t ptrs = (l->n + 1) * sizeof(char *);
	char **envp = malloc(ptrs + bytes);
	if (envp == NULL) {
		snprintf(err, errlen, "out of memory building the environment");
		return -1;
	}
	char *p = (char *)envp + ptrs;
	for (size_t i = 0; i < l->n; i++) {
		size_t vlen = strlen(l->v[i].value);
		envp[i] = p;
		memcpy(p, l->v[i].name, l->v[i].name_len);
		p += l->v[i].name_len;
		*p++ = '=';
		memcpy(p, l->v[i].value, vlen + 1);
		p += vlen + 1;
	}
	envp[l->n] = NULL;
	out->envp = envp;
	out->count = l->n;
	return 0;
}

int jobenv_build(const struct jobenv_base *base, const char *const *assignments, size_t n,
                 struct jobenv *out, char *err, size_t errlen)
{
	out->envp = NULL;
	out->count = 0;
	if (base == NULL || base->user == NULL || base->user[0] == '\0' || base->home == NULL ||
	    base->shell == NULL || base->path == NULL) {
		snprintf(err, errlen, "job environment: missing user, home, shell or path");
		return -1;
	}
	if (n > JOBENV_MAX_VARS || (n > 0 && assignments == NULL)) {
		snprintf(err, errlen, "more than %d environment variables", JOBENV_MAX_VARS);
		return -1;
	}
	struct varlist l = { malloc((n + 5) * sizeof(struct var)), 0 };
	if (l.v == NULL) {
		snprintf(err, errlen, "out of memory building the environment");
		return -1;
	}
	add_base(&l, "HOME", base->home);
	add_base(&l, "LOGNAME", base->user);
	add_base(&l, "USER", base->user);
	add_base(&l, "SHELL", base->shell);
	add_base(&l, "PATH", base->path);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = apply(&l, assignments[i], i, err, errlen);
	size_t bytes = 0;
	if (rc == 0)
		rc = measure(&l, &bytes, err, errlen);
	if (rc == 0)
		rc = pack(&l, bytes, out, err, errlen);
	free(l.v);
	return rc;
}

void jobenv_free(struct jobenv *env)
{
	free(env->envp);
	env->envp = NULL;
	env->count = 0;
}

const char *jobenv_get(const struct jobenv *env, const char *name)
{
	if (env == NULL || env->envp == NULL)
		return NULL;
	size_t len = strlen(name);
	for (size_t i = 0; i < env->count; i++) {
		if (strncmp(env->envp[i], name, len) == 0 && env->envp[i][len] == '=')
			return env->envp[i] + len + 1;
	}
	return NULL;
}

/* crond/crond.c: the state struct's one shared operation (see crond.h). */
#include "crond/crond.h"

#include <stdio.h>
#include <string.h>

unsigned crond_config_copy(struct crond *c, struct config *out)
{
	pthread_mutex_lock(&c->cfg_lock);
	memcpy(out, &c->cfg, sizeof(*out));
	unsigned gen = atomic_load(&c->cfg_gen);
	pthread_mutex_unlock(&c->cfg_lock);
	return gen;
}

int crond_set_node(struct crond *c, const struct config *cfg, char *err, size_t errlen)
{
	const char *name = cfg->node[0] ? cfg->node : c->hostname;
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                        "0123456789._-");
	if (name[0] == '\0' || name[n] != '\0' || n > SPOOL_NODE_MAX) {
		snprintf(err, errlen, "the host name '%.80s' is not a valid node name (1 to %d "
		         "letters, digits, '.', '_' or '-'): set node = in crond.conf", name,
		         SPOOL_NODE_MAX);
		return -1;
	}
	memcpy(c->node, name, n + 1);
	return 0;
}

int crond_spool_open(const struct crond *c, const char *path, int flags, struct spool **out,
                     struct spool_err *err)
{
	int rc = spool_open(path, flags, out, err);
	if (rc != SPOOL_OK || c->node[0] == '\0')   /* unnamed: the spool's default */
		return rc;
	rc = spool_set_node(*out, c->node, err);
	if (rc != SPOOL_OK) {
		spool_close(*out);
		*out = NULL;
	}
	return rc;
}

/* crond/crond.c: the state struct's one shared operation (see crond.h). */
#include "crond/crond.h"

#include <string.h>

unsigned crond_config_copy(struct crond *c, struct config *out)
{
	pthread_mutex_lock(&c->cfg_lock);
	memcpy(out, &c->cfg, sizeof(*out));
	unsigned gen = atomic_load(&c->cfg_gen);
	pthread_mutex_unlock(&c->cfg_lock);
	return gen;
}

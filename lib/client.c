/* lib/client.c: the CLIs' side of a request (see client.h). */
#include "lib/client.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/proto_client.h"

int client_open(const struct config *cfg, struct client *c, int *no_daemon, char *err,
                size_t errlen)
{
	struct proto_error pe = { 0 };
	c->fd = -1;
	snprintf(c->socket, sizeof(c->socket), "%s", cfg->socket);
	*no_daemon = 0;
	if (proto_client_connect(cfg->socket, CLIENT_CONNECT_TIMEOUT_MS, &c->fd, &pe) != PROTO_OK) {
		*no_daemon = pe.code == PROTO_E_NO_DAEMON || pe.code == PROTO_E_REFUSED;
		snprintf(err, errlen, "%s", pe.msg);
		c->fd = -1;
		return -1;
	}
	return 0;
}

int client_call(struct client *c, struct proto_buf *req, struct proto_msg *reply,
                uint32_t *code, char *err, size_t errlen)
{
	struct proto_error pe = { 0 };
	*reply = (struct proto_msg){ 0 };
	*code = MSGE_INTERNAL;
	enum proto_code rc = proto_client_call(c->fd, req, reply, CLIENT_MAX_REPLY,
	                                       CLIENT_CALL_TIMEOUT_MS, &pe);
	proto_buf_free(req);
	if (rc != PROTO_OK) {
		snprintf(err, errlen, "%s", pe.msg);
		return -1;
	}
	if (reply->type == MSG_OK) {
		*code = MSGE_NONE;
		return 0;
	}
	if (reply->type != MSG_ERROR) {
		snprintf(err, errlen, "unexpected reply type %u from crond", reply->type);
		proto_msg_free(reply);
		return -1;
	}
	uint32_t ecode = MSGE_INTERNAL;
	(void)proto_get_u32(reply, TAG_ERROR_CODE, &ecode, NULL);
	*code = ecode;
	struct proto_field f;
	if (proto_find(reply, TAG_ERROR_TEXT, &f, NULL) == PROTO_OK)
		snprintf(err, errlen, "%.*s", (int)(f.len > 1000 ? 1000 : f.len),
		         (const char *)f.data);
	else
		snprintf(err, errlen, "crond refused the request (code %u)", ecode);
	return -1;
}

void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

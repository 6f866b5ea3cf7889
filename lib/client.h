/* lib/client.h: what every CLI does to talk to crond.
 *
 * Connect to the socket the configuration names, send one request, read one
 * reply, turn MSG_ERROR replies into a message and a code. The CLIs print
 * the messages as "PROG: MESSAGE" and exit 1.
 */
#ifndef CROND_LIB_CLIENT_H
#define CROND_LIB_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/config.h"
#include "lib/proto.h"
#include "lib/proto_msgs.h"

#define CLIENT_CONNECT_TIMEOUT_MS 5000
#define CLIENT_CALL_TIMEOUT_MS 60000
#define CLIENT_MAX_REPLY PROTO_MAX_PAYLOAD

struct client {
	int fd;
	char socket[CONFIG_PATH_MAX];
};

/* Connects to CFG->socket. Returns 0, or -1 with a message (e.g. "crond is
 * not running (no socket at /run/crond.sock)") and *NO_DAEMON set when crond
 * is simply not there (so root may fall back to the spool). */
int client_open(const struct config *cfg, struct client *c, int *no_daemon, char *err,
                size_t errlen);

/* Sends REQ (freed in every case) and reads the reply into REPLY (free with
 * proto_msg_free). Returns 0 for MSG_OK; -1 for a transport failure or a
 * MSG_ERROR reply, with the text in ERR and the enum msg_error in *CODE
 * (MSGE_INTERNAL for transport failures). On MSG_ERROR, REPLY is kept (it may
 * carry TAG_DIAG lines); on transport failure it is empty. */
int client_call(struct client *c, struct proto_buf *req, struct proto_msg *reply,
                uint32_t *code, char *err, size_t errlen);

void client_close(struct client *c);

#endif

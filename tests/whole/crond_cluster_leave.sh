#!/bin/bash
# tests/whole/crond_cluster_leave.sh: a node stopped cleanly leaves the
# cluster. Three crond nodes on one PostgreSQL spool with node_timeout = 2:
# B is stopped with SIGTERM (it says NODE_LEAVE, its heartbeat row goes),
# C is killed with SIGKILL. After more than node_timeout, A has taken C for
# lost (NODE_LOST node node-c) and says nothing of B. Needs CROND_TEST_PG
# (tests/run starts a private server); skipped without it.
. "$ROOT/tests/whole/lib.sh"
. "$ROOT/tests/tools/cluster-lib.sh"
cluster_test

for n in node-a node-b node-c; do node_conf "$n" "node_timeout = 2"; done
beats() { pg_sql "SELECT string_agg(name, ' ' ORDER BY name) FROM node"; }
# A first: it makes the schema.
node_start node-a
node_start node-b
node_start node-c
[ "$(beats)" = "node-a node-b node-c" ] || fail "the three nodes do not beat: $(beats)"

node_stop node-b
grep -q "(crond) NODE_LEAVE (node node-b left the cluster)" "$(node_log node-b)" ||
    fail "node B did not say NODE_LEAVE: $(tail -n 5 "$(node_log node-b)")"
node_kill node-c

# node_timeout 2 s, a heartbeat (and reap) every second: C is lost within
# about 3 s (longer on a busy machine).
c_lost() { grep -q "(crond) NODE_LOST node node-c: its running jobs recorded interrupted" "$(node_log node-a)"; }
wait_for 20 "node A takes the killed node C for lost" c_lost
sleep 1
grep -q "NODE_LOST node node-b" "$(node_log node-a)" &&
    fail "node A took node B, stopped cleanly, for lost: $(grep NODE_LOST "$(node_log node-a)")"
[ "$(beats)" = "node-a" ] || fail "heartbeat rows left: $(beats)"
node_stop node-a
echo "crond_cluster_leave: ok"

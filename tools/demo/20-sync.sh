#!/usr/bin/env bash
# Two tablets of one team work offline, then sync through head office's server on this machine:
# the same walk-in registered on both ends up as one customer, and two agents changing the same
# field is kept as a conflict for review. A tablet of another team sees none of it.
set -euo pipefail
make_certs="$(cd "$(dirname "$0")/.." && pwd)/tls/make-certs.sh"
cd "$DEMO_DIR"
server_bin="$FIELDCRM_BUILD_DIR/tools/fieldcrm-server/fieldcrm-server"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
on() { local db=$1; shift; echo "\$ fieldcrm --db $db $*" >&2; "$FIELDCRM" --db "$db" "$@"; }
hq() { echo "\$ fieldcrm-server --db hq.db $*" >&2; "$server_bin" --db hq.db "$@"; }

say "Head office issues tokens (only their hashes are stored)"
token_a=$(hq token create --agent 王芳 --team 滨江一组)
token_b=$(hq token create --agent 李强 --team 滨江一组)
token_c=$(hq token create --agent 赵磊 --team 城东二组)
hq token list

say "Head office's plugin-signing key, and the tiering plugin signed and published to every tablet"
hq_key=$(hq keys init)
hq plugins publish "$FIELDCRM_BUILD_DIR/plugins/tiering.so" --kind tiering --publisher 总部IT
hq plugins list

say "Head office's own CA and a server certificate (tablets get tls/ca.pem)"
bash "$make_certs" tls 127.0.0.1 localhost

say "Head office's server over HTTPS, on 127.0.0.1 with a free port"
"$server_bin" --db hq.db serve --listen 127.0.0.1:0 --cert tls/server.pem --key tls/server.key \
  >server.out 2>server.log &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; true' EXIT
until grep -q listening server.out 2>/dev/null; do sleep 0.1; done
url=$(sed -n 's/^listening on //p' server.out)
echo "server at $url (log in $DEMO_DIR/server.log)"

say "Tablet A (from the first part) sends its day; tablet B joins the team and receives it"
on tablet-a.db sync --server "$url" --token "$token_a" --ca-file tls/ca.pem --head-office-key "$hq_key"
on tablet-b.db init --device booth-b --agent 李强 --team 滨江一组
on tablet-b.db sync --server "$url" --token "$token_b" --ca-file tls/ca.pem --head-office-key "$hq_key"
on tablet-b.db plugins list
zhang=$(on tablet-b.db customer find --phone 13800138000 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

say "Offline: the same walk-in registered on both tablets, and both agents change 张伟's budget"
on tablet-a.db customer add --name 陈明 --phone "136 0000 1111" --source 来访 --budget 500万 >/dev/null
on tablet-b.db customer add --name "陈明(B)" --phone 13600001111 --set notes="周末看房" >/dev/null
on tablet-a.db customer set "$zhang" budget=380万
on tablet-b.db customer set "$zhang" budget=420万
on tablet-a.db status

say "Back online: each syncs (twice for the last one to see the other's change)"
on tablet-a.db sync
on tablet-b.db sync
on tablet-a.db sync

say "One 陈明 on both tablets: the earliest registration kept, the other's facts folded in"
on tablet-a.db customer find --phone 13600001111
on tablet-b.db customer find --phone 13600001111 --json

say "The budget conflict: one value kept everywhere, the other kept for review"
on tablet-a.db customer get "$zhang" | grep -i budget || true
on tablet-b.db conflicts

say "A tablet of another team receives none of 滨江一组's customers"
on tablet-c.db init --device booth-c --agent 赵磊 --team 城东二组 >/dev/null
on tablet-c.db sync --server "$url" --token "$token_c" --ca-file tls/ca.pem --head-office-key "$hq_key"
on tablet-c.db customer list

say "Head office sees which tablets synced and when"
hq devices
say "Who registered 张伟 first, and every change to him since (the audit trail)"
hq audit "$zhang"
say "The figures the dashboard shows, in the terminal (here from tablet A's own store)"
on tablet-a.db report funnel
on tablet-a.db report tiers
say "陈明 asks to be forgotten (PIPL): head office erases him, tablets erase him at their next sync"
chen=$(on tablet-a.db customer find --phone 13600001111 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
hq erase "$chen" --reason "PIPL deletion request" --by 法务部
on tablet-a.db sync
on tablet-b.db sync
on tablet-b.db customer find --phone 13600001111 || true
hq erasures
say "The server's request log"
tail -n 5 server.log

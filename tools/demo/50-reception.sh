#!/usr/bin/env bash
# Walk-in rotation at the sales office (来访轮流接待), by the rotation plugin on the reception
# tablet, offline: the duty list, walk-ins in turn, a busy agent skipped (keeping their place), a
# returning customer going to the agent who registered them, and the evening meeting's log (夕会).
set -euo pipefail
cd "$DEMO_DIR"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
crm() { echo "\$ fieldcrm --db reception.db $*" >&2; "$FIELDCRM" --db reception.db "$@"; }
at() { echo "--as-of=2026-06-15T$1+08:00"; }

say "The reception tablet: today's agents on duty, in turn order"
crm init --device front-desk --agent 前台 --team 滨江一组 >/dev/null
crm "$(at 09:00)" reception duty 王芳 李强 赵敏

say "Walk-ins go in turn; each is registered as the receiving agent's customer"
crm "$(at 09:10)" reception walkin --phone 13800000001 --name 张一 --source 来访
crm "$(at 09:20)" reception walkin --phone 13800000002 --name 张二 --source 老带新
crm "$(at 09:30)" reception done 王芳
crm "$(at 09:40)" reception walkin --phone 13800000003 --name 张三 --source 活动

crm "$(at 09:45)" reception done 赵敏
crm "$(at 09:50)" reception walkin --phone 13800000004 --name 张四 --source 线上

say "李强 is still with 张二: skipped, he keeps his place at the front"
crm "$(at 09:55)" reception walkin --phone 13800000005 --name 张五 --source 来访
crm "$(at 09:56)" reception queue

say "张二 comes back: he goes to 李强, who registered him (no turn used)"
crm "$(at 10:00)" reception done 李强
crm "$(at 10:20)" reception walkin --phone 138-0000-0002

say "The evening meeting (夕会): who received whom, new vs returning, sources"
crm "$(at 18:00)" reception log

say "Each walk-in's record carries the office's team (sync gives it only to that team's tablets and head office); a registered walk-in's record links its customer, written in one transaction with it"
crm log >reception-log.txt
grep -m 4 -E ' reception .* (team|customer) ' reception-log.txt

say "The same log as head office's dashboard shows it (its Reception page, report reception): by agent, source, every walk-in"
crm report reception --from 2026-06-15 --to 2026-06-15

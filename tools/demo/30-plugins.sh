#!/usr/bin/env bash
# Business rules as loadable plugins, on a fresh store: tiers with their reasons, head office
# tightening the rules, a referral reward granted once, an NPS figure from surveys, and the
# alerts due per agent. Times are fixed with --as-of so the demo tells the same story every day.
set -euo pipefail
cd "$DEMO_DIR"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# The build's own plugins are unsigned: this demo asks for them explicitly (head office's signed
# delivery is in 20-sync.sh).
crm() {
  echo "\$ fieldcrm --db plugins.db --allow-unsigned-plugins $*" >&2
  "$FIELDCRM" --db plugins.db --allow-unsigned-plugins "$@"
}
asof=--as-of=2026-06-15T12:00+08:00

say "The plugins this fieldcrm loads (each its own shared library)"
crm init --device office-demo --agent 王芳 --team 滨江一组
crm plugins list

say "A few customers and what happened around them"
zhang=$(crm customer add --name 张伟 --phone 13800138000 --budget 800万 --stage owner --set created_at=2025-10-01)
for at in 2026-05-20T10:00+08:00 2026-06-01T15:00+08:00 2026-06-12T11:00+08:00; do
  crm visit add "$zhang" --at "$at" --minutes 40 >/dev/null
done
li=$(crm customer add --name 李娜 --phone 13900001111 --budget 300万 --source 老带新 --set created_at=2026-06-01)
crm visit add "$li" --at 2026-06-13T16:00+08:00 --minutes 60 >/dev/null
chen=$(crm customer add --name 陈静 --phone 13700002222 --budget 150万 --set created_at=2025-12-01 --set birthday=1990-06-20)
crm contact add "$chen" --channel wechat --at 2026-04-02T10:00+08:00 --outcome "暂不考虑" >/dev/null

say "Tiers are computed by the tiering plugin from the synced facts"
crm $asof customer list
crm $asof tier explain "$li"
crm $asof customer list --tier A

say "Head office tightens the rules once (a synced record: every tablet gets it at its next sync)"
crm plugins config tiering '{"thresholds": {"A": 80, "B": 45, "C": 25}}' >/dev/null
crm $asof tier summary
crm plugins config tiering '{"colour": "red"}' || echo "(refused: not in the plugin's schema)"

say "老带新: 张伟 brought 李娜; her signed deal earns him the program's reward, once"
crm referral add "$zhang" "$li" >/dev/null
deal=$(crm deal add "$li" --unit 5-801 --price 300万 --status 认购)
crm deal set "$deal" --status 签约
crm deal set "$deal" --status 交房
crm referral rewards
crm referral leaderboard

say "A satisfaction survey, filled in on the tablet, and its NPS"
cat > handover.json <<'JSON'
{"key": "visit-2026", "title": "到访体验回访",
 "questions": [
   {"id": "recommend", "type": "nps", "text": "您有多大可能向亲友推荐我们的楼盘？"},
   {"id": "service", "type": "single", "text": "对置业顾问的服务满意吗？",
    "options": ["很满意", "满意", "一般", "不满意"], "scores": [4, 3, 2, 0], "satisfaction": true},
   {"id": "comment", "type": "text", "text": "其他建议"}]}
JSON
crm survey define handover.json
crm survey answer "$zhang" visit-2026 recommend=10 service=很满意 >/dev/null
crm survey answer "$li" visit-2026 recommend=9 service=满意 comment=希望有更多车位 >/dev/null
crm survey answer "$chen" visit-2026 recommend=5 service=一般 >/dev/null
crm survey answer "$chen" visit-2026 recommend=12 service=一般 || echo "(refused: NPS runs from 0 to 10)"
crm survey report --by team

say "What is due, per agent"
crm $asof alerts

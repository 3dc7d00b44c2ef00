#!/usr/bin/env bash
# After-sales service: a complaint and a repair with their clocks (answer within 2 h, resolve
# within 48 h, attend on site within 48 h), on the customer's history, in the alerts and in head
# office's complaints report; holiday greetings 3 days before, from the shipped holiday list.
set -euo pipefail
cd "$DEMO_DIR"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
crm() { echo "\$ fieldcrm --db service.db $*" >&2; "$FIELDCRM" --db service.db "$@"; }

say "An owner complains (投诉) and reports a leak (报修)"
crm init --device service-desk --agent 王芳 --team 滨江一组 >/dev/null
zhao=$(crm customer add --name 赵敏 --phone 13600003333 --stage owner --set project=滨江壹号 --set created_at=2025-03-01)
crm contact add "$zhao" --channel phone --at 2026-09-20T09:00+08:00 >/dev/null
lift=$(crm complaint add "$zhao" --category 物业 --channel 微信 --severity 高 --note "电梯三天没修好" --at "2026-09-20 09:00")
noise=$(crm complaint add "$zhao" --category 噪音 --channel phone --at "2026-09-21 20:00")
leak=$(crm repair add "$zhao" --category 漏水 --unit 3-1502 --at "2026-09-20 10:00")
crm complaint answer "$lift" --note "物业经理已上门查看" --at "2026-09-20 10:30"
crm complaint resolve "$lift" --satisfaction 4 --at "2026-09-21 15:00"
crm complaint answer "$lift" || echo "(refused: a resolved complaint does not move any more)"
crm repair fix "$leak" --satisfaction 9 || echo "(refused: satisfaction runs from 1 to 5)"
crm complaint list

say "On the customer's history"
crm customer get "$zhao"

say "What is due on 22 September: the unanswered complaint, the repair nobody attended, and the Mid-Autumn greeting (25 September)"
crm --as-of "2026-09-22 09:00" alerts

say "Head office's complaints report: rate, time to answer and resolve, by project and team"
crm report complaints --from 2026-09-01 --to 2026-09-30

say "Retention on the plugins demo's store: repurchase and referral share of sales (target 30%), tag coverage, follow-up timeliness by tier"
# customer add with a phone already on the store prints that customer's id.
zhang=$("$FIELDCRM" --db plugins.db customer add --name 张伟 --phone 13800138000 2>/dev/null)
"$FIELDCRM" --db plugins.db customer set "$zhang" tags=学区,改善 >/dev/null
echo "\$ fieldcrm --db plugins.db report retention" >&2
"$FIELDCRM" --db plugins.db report retention

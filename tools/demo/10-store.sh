#!/usr/bin/env bash
# A field agent's day on one tablet, offline: register walk-ins (typed every which way), spot a
# duplicate, log visits and follow-ups, import the agency's GBK spreadsheet, merge two records.
set -euo pipefail
cd "$DEMO_DIR"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
crm() { echo "\$ fieldcrm --db tablet-a.db $*" >&2; "$FIELDCRM" --db tablet-a.db "$@"; }

say "A new tablet for agent 王芳 of team 滨江一组"
crm init --device booth-a --agent 王芳 --team 滨江一组

say "Walk-ins registered at the booth"
zhang=$(crm customer add --name 张伟 --phone "138 0013 8000" --budget 350万 --source 来访 --set purpose=改善 --set tags=学区,地铁)
li=$(crm customer add --name 李娜 --phone "+852 5123 4567" --budget 8000000 --source event --stage intent)
crm customer add --name 陈静 --phone "139-1234-5678" --source call --set office.wechat=chenjing88 >/dev/null

say "The same phone typed another way is the same customer"
crm customer add --name "张伟(重复)" --phone "+86 138-0013-8000"

say "Visits and a follow-up"
crm visit add "$zhang" --note "看了三房样板间" --minutes 45 >/dev/null
crm contact add "$li" --channel wechat --outcome "约周六二次到访" >/dev/null
crm followup add "$zhang" --due 2026-01-05T10:00+08:00 --note "电话回访：学区名额" >/dev/null
crm customer set "$li" stage=intent notes="想要高楼层"

say "An agency's list, saved by Excel as GBK, checked first, then imported without its bad row"
printf '序号,客户姓名（必填）,手机号码*,客户来源,意向预算（万元）,出生日期\n1,王磊,13700001111,中介,280,1985/3/9\n2,赵敏,not-a-phone,中介,200,1979年12月31日\n' | iconv -f UTF-8 -t GBK > agency.csv
crm import agency.csv --dry-run || echo "(nothing was written: the file has a bad row)"
crm import agency.csv --skip-bad-rows agency-rejected.csv

say "Two records of one person, merged"
wang2=$(crm customer add --name 王磊 --phone 13700002222 --set notes="第二个号码")
wang=$(crm customer find --phone 13700001111 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
crm customer merge "$wang" "$wang2"

say "Customers on this tablet"
crm customer list
say "Overdue follow-ups"
crm followup list --overdue
say "The change log every write went into (last 5 entries)"
crm log | tail -n 5

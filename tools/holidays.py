#!/usr/bin/env python3
"""Writes plugins/alerts/holidays.json: the holidays the alerts plugin greets customers for, by
year. Lunar holidays move every year, so their Gregorian dates are computed here, offline, with
python3-lunardate (tools/packages.txt); Qingming is a solar term (4 or 5 April), listed from the
astronomical tables. Run it to extend the years, review the diff, commit the file.

    python3 tools/holidays.py 2026 2030 > plugins/alerts/holidays.json
"""
import datetime
import json
import sys

from lunardate import LunarDate

# Qingming (清明) by year: the day of the solar longitude 15°, China time.
QINGMING = {2026: 5, 2027: 5, 2028: 4, 2029: 4, 2030: 5}


def holidays(year):
    def lunar(month, day):
        return LunarDate(year, month, day).toSolarDate()

    return [
        ("元旦 New Year's Day", datetime.date(year, 1, 1)),
        ("春节 Spring Festival", lunar(1, 1)),
        ("元宵 Lantern Festival", lunar(1, 15)),
        ("清明 Qingming", datetime.date(year, 4, QINGMING[year])),
        ("劳动节 Labour Day", datetime.date(year, 5, 1)),
        ("端午 Dragon Boat Festival", lunar(5, 5)),
        ("中秋 Mid-Autumn Festival", lunar(8, 15)),
        ("国庆 National Day", datetime.date(year, 10, 1)),
        ("重阳 Double Ninth Festival", lunar(9, 9)),
    ]


def main():
    first, last = int(sys.argv[1]), int(sys.argv[2])
    days = [{"name": name, "date": day.isoformat()}
            for year in range(first, last + 1) for name, day in holidays(year)]
    days.sort(key=lambda h: h["date"])
    lines = ",\n".join("  " + json.dumps(h, ensure_ascii=False) for h in days)
    print('{"holidays": [\n' + lines + "\n]}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes a 全銀協 振込入金通知 file (docs/billing.md, "payments") for the integration tests.

Usage: zengin_file.py OUT SPEC.json
SPEC: {"created": "2027-01-09", "from": "2027-01-04", "to": "2027-01-08", "newline": "\\r\\n",
       "break": "trailer_sum" | "sjis_name" | null,
       "transfers": [{"inquiry": 1, "date": "2027-01-08", "amount": 2292,
                      "name": "2611000001ｸﾘﾆﾂｸ", "code": "0000000000", "cancel": false}]}
Names are given in UTF-8 half-width kana and written as JIS X 0201 bytes (Shift_JIS single
bytes). Dates are written as 令和 YYMMDD, as the layout wants.
"""
import json
import sys


def wareki(iso):
    y, m, d = (int(x) for x in iso.split("-"))
    return b"%02d%02d%02d" % (y - 2018, m, d)


def txt(s, width):
    b = s.encode("shift_jis") if isinstance(s, str) else s
    return (b + b" " * width)[:width]


def num(v, width):
    return str(v).zfill(width).encode()


def main():
    out, spec_path = sys.argv[1], sys.argv[2]
    spec = json.load(open(spec_path, encoding="utf-8"))
    header = (b"1" b"01" b"0" + wareki(spec["created"]) + wareki(spec["from"]) + wareki(spec["to"]) +
              b"0005" + txt("ﾃｽﾄｷﾞﾝｺｳ", 15) + b"001" + txt("ﾎﾝﾃﾝ", 15) + b"1" + b"1234567" +
              txt("ｼｬ)ｼﾝｾｲｷｮｳｶｲ", 40) + b" " * 93)
    records = [header]
    n = s = cn = cs = 0
    for t in spec["transfers"]:
        name = txt(t["name"], 48)
        if spec.get("break") == "sjis_name":
            name = ("ク".encode("shift_jis") + name)[:48]  # a double-byte character
        cancel = t.get("cancel", False)
        records.append(b"2" + num(t["inquiry"], 6) + wareki(t["date"]) + wareki(t["date"]) +
                       num(t["amount"], 10) + num(0, 10) + t.get("code", "0000000000").encode() +
                       name + txt("ﾐｽﾞﾎ", 15) + txt("ﾄｳｷｮｳ", 15) + (b"1" if cancel else b" ") +
                       txt("", 20) + b" " * 52)
        if cancel:
            cn, cs = cn + 1, cs + t["amount"]
        else:
            n, s = n + 1, s + t["amount"]
    if spec.get("break") == "trailer_sum":
        s += 1
    records.append(b"8" + num(n, 6) + num(s, 12) + num(cn, 6) + num(cs, 12) + b" " * 163)
    records.append(b"9" + b" " * 199)
    for r in records:
        assert len(r) == 200, len(r)
    sep = spec.get("newline", "\r\n").encode()
    with open(out, "wb") as f:
        f.write(b"".join(r + sep for r in records))


if __name__ == "__main__":
    main()

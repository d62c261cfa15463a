#!/usr/bin/env python3
"""Load client of a portal page: logs in portal accounts and times GET PATH (bench/statement.sh:
/portal/billing, the 請求明細; bench/cluster.sh: /portal/applications, the 申請状況照会).

usage: portal_client.py [--path PATH] [--title TEXT] [--row REGEX] [--min-rows N]
                        BASE_URL ACCOUNTS_FILE PASSWORD REQUESTS CONC [CONC...]
  --path      the page (default /portal/billing)
  --title     text every answer must hold (default 請求明細)
  --row       a regular expression naming one row of the page (default B\d{13}, a charge's
              request ID, bench/billing_seed.sh)
  --min-rows  distinct matches of --row every answer must hold (default 1)

ACCOUNTS_FILE: one account ID per line. Each account logs in through the portal's own form
(GET /portal/login for the CSRF cookie and field, POST /portal/login), which gives it a
session cookie. Then, for each CONC, REQUESTS requests GET PATH are made by CONC threads, each on its own keep-alive connection, the sessions
taken in turn (request k uses session k mod N), after one warm-up request per session.
Every answer must be 200 and hold the title and at least --min-rows distinct rows.
The time of a request is from sending it to the last byte of the answer (time.perf_counter).

Prints one line per CONC:
  conc=C count=N p50=… p90=… p99=… max=… (ms) rps=… errors=E
Around each phase it asks for /__bench/phase-C-start and /__bench/phase-C-end (404s), so
that the caller finds the phase in the server's access log and reads the server's own
time of each request there (duration_us).
"""
import argparse
import http.client
import re
import sys
import threading
import time
import urllib.parse


def percentile(sorted_vals, q):
    # Nearest rank: the smallest value with at least q of the values at or below it.
    if not sorted_vals:
        return float("nan")
    k = max(0, min(len(sorted_vals) - 1, int(-(-q * len(sorted_vals) // 1)) - 1))
    return sorted_vals[k]


def cookie_of(resp, name):
    for k, v in resp.getheaders():
        if k.lower() == "set-cookie" and v.startswith(name + "="):
            return v.split(";", 1)[0].split("=", 1)[1]
    return None


def login(host, port, account, password):
    c = http.client.HTTPConnection(host, port, timeout=60)
    c.request("GET", "/portal/login")
    r = c.getresponse()
    body = r.read().decode("utf-8", "replace")
    csrf_cookie = cookie_of(r, "claimsca_csrf")
    m = re.search(r'name="csrf"\s+value="([0-9a-f]+)"', body)
    if r.status != 200 or not csrf_cookie or not m:
        raise RuntimeError("login page: %d, no CSRF" % r.status)
    form = urllib.parse.urlencode({"csrf": m.group(1), "account_id": account, "password": password})
    c.request("POST", "/portal/login", body=form,
              headers={"Content-Type": "application/x-www-form-urlencoded",
                       "Cookie": "claimsca_csrf=" + csrf_cookie})
    r = c.getresponse()
    r.read()
    session = cookie_of(r, "claimsca_session")
    c.close()
    if r.status != 303 and r.status != 302 or not session:
        raise RuntimeError("login of %s: %d" % (account, r.status))
    return session


PAGE = {"path": "/portal/billing", "title": "請求明細", "row": re.compile(r"B\d{13}"), "min_rows": 1}


def get_page(conn, session):
    conn.request("GET", PAGE["path"], headers={"Cookie": "claimsca_session=" + session})
    r = conn.getresponse()
    body = r.read()
    return r.status, body


def check(status, body):
    text = body.decode("utf-8", "replace")
    return (status == 200 and PAGE["title"] in text and
            len(set(PAGE["row"].findall(text))) >= PAGE["min_rows"])


def mark(host, port, name):
    c = http.client.HTTPConnection(host, port, timeout=60)
    c.request("GET", "/__bench/" + name)
    c.getresponse().read()
    c.close()


def run(host, port, sessions, requests, conc):
    times = [0.0] * requests
    errors = [0]
    lock = threading.Lock()
    nxt = [0]

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=60)
        while True:
            with lock:
                k = nxt[0]
                nxt[0] += 1
            if k >= requests:
                break
            t0 = time.perf_counter()
            try:
                status, body = get_page(conn, sessions[k % len(sessions)])
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
                status, body = 0, b""
            times[k] = (time.perf_counter() - t0) * 1000.0
            if not check(status, body):
                with lock:
                    errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(conc)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return sorted(times), errors[0], wall


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--path", default=PAGE["path"])
    ap.add_argument("--title", default=PAGE["title"])
    ap.add_argument("--row", default=PAGE["row"].pattern)
    ap.add_argument("--min-rows", type=int, default=PAGE["min_rows"])
    ap.add_argument("base_url")
    ap.add_argument("accounts_file")
    ap.add_argument("password")
    ap.add_argument("requests", type=int)
    ap.add_argument("concs", type=int, nargs="+")
    a = ap.parse_args()
    PAGE.update(path=a.path, title=a.title, row=re.compile(a.row), min_rows=a.min_rows)
    url = urllib.parse.urlsplit(a.base_url)
    host, port = url.hostname, url.port or 80
    accounts = [x.strip() for x in open(a.accounts_file, encoding="utf-8") if x.strip()]
    password = a.password
    requests = a.requests
    concs = a.concs
    t0 = time.perf_counter()
    sessions = [login(host, port, a, password) for a in accounts]
    print("logged in %d accounts in %.1f s" % (len(sessions), time.perf_counter() - t0),
          file=sys.stderr, flush=True)
    # Warm-up: one page per session (first touch of each institution's rows).
    conn = http.client.HTTPConnection(host, port, timeout=60)
    bad = 0
    for s in sessions:
        status, body = get_page(conn, s)
        bad += 0 if check(status, body) else 1
    conn.close()
    if bad:
        print("warm-up: %d of %d pages wrong" % (bad, len(sessions)), file=sys.stderr)
        return 1
    rc = 0
    for c in concs:
        mark(host, port, "phase-%d-start" % c)
        times, errors, wall = run(host, port, sessions, requests, c)
        mark(host, port, "phase-%d-end" % c)
        print("conc=%d count=%d p50=%.2f p90=%.2f p99=%.2f max=%.2f rps=%.0f errors=%d" %
              (c, len(times), percentile(times, 0.50), percentile(times, 0.90),
               percentile(times, 0.99), times[-1], len(times) / wall, errors), flush=True)
        rc = rc or (1 if errors else 0)
    return rc


if __name__ == "__main__":
    sys.exit(main())

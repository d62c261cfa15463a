#!/usr/bin/env python3
"""Walks the authorization matrix (tests/integration/authz_matrix.tsv) against a running
`claimsca serve`: every route x every principal x the resources of institution A and B.

Usage: authz_matrix.py MATRIX.tsv ROUTES.txt SETUP.json [EXCHANGES.log]

A matrix may include the rows of another file with "@include FILE" (a name beside it:
authz_matrix_newinst.tsv, one module's routes, in authz_matrix.tsv), and name its own
principals with a line "@principals NAME..." before its rows
(authz_matrix_kokuhoren.tsv: the 国保連 accounts; the default is PRINCIPALS), and take the
@body lines of another matrix with "@bodies FILE" (a name beside it). Accounts whose ID
starts with "KJ" log in at /kj/login. A module's matrix may cover only its own routes with
"@scope PREFIX..." (authz_matrix_qualcheck.tsv): the route table is then checked for the
routes whose pattern starts with a prefix.

ROUTES.txt is `claimsca serve --list-routes` ("METHOD PATTERN", "*" = prefix). SETUP.json
is written by authz_matrix_test.sh: ports, CA file, credentials and resources. With
EXCHANGES.log, every answer is also recorded there in the format of lib.sh's curl wrapper
(method, URL, status, Content-Type, body file), so that check_contract validates it
against docs/openapi.yaml like every other integration test's answers. Prints one
line per mismatch and exits 1 when any cell, any route or any row is wrong.
"""

import http.client
import json
import re
import secrets
import ssl
import sys
import time
import urllib.parse

SCOPE = []  # "@scope": the route prefixes a module's matrix covers (empty: every route)
PRINCIPALS = ["anon", "instA", "instB", "reviewer", "operator", "admin", "init", "forged",
              "terminal"]
RESOURCE_KEYS = ("app", "issued", "serial", "code", "facility", "name", "kjoffice", "kjapp",
                 "kjissued")
MATRIX_NAME = "tests/integration/authz_matrix.tsv"
# Accounts of institution (or office) A and B: the other one's resource answers 404, never 403.
OWNERS_A, OWNERS_B = ("instA", "kjA", "kjagent"), ("instB", "kjB")


def fail_usage(msg):
    print(msg, file=sys.stderr)
    sys.exit(2)


class Row:
    def __init__(self, lineno, route, target, body, cells, last):
        self.lineno, self.route, self.target, self.body = lineno, route, target, body
        self.cells, self.last = cells, last

    def text(self, bodies):
        return self.target + (bodies[self.body][1] if self.body != "-" else "")

    def uses_resource(self, bodies):
        return any("{" + k + "}" in self.text(bodies) for k in RESOURCE_KEYS)


def parse_matrix(path):
    global PRINCIPALS, MATRIX_NAME, SCOPE
    MATRIX_NAME = "tests/integration/" + path.rsplit("/", 1)[-1]
    rows, bodies, errors, last = [], {}, [], False

    def lines_of(p):
        # "@include FILE" (a name beside it): that file's rows and bodies, in place, with
        # this matrix's principals (authz_matrix_newinst.tsv: the rows of one module).
        with open(p, encoding="utf-8") as f:
            for n, text in enumerate(f, 1):
                if text.startswith("@include"):
                    yield from lines_of(p.rsplit("/", 1)[0] + "/" + text.split()[1])
                else:
                    yield n, text

    if True:
        for lineno, line in lines_of(path):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line.startswith("@last"):
                last = True
                continue
            if line.startswith("@scope"):
                SCOPE = line.split()[1:]
                continue
            if line.startswith("@principals"):
                PRINCIPALS = line.split()[1:]
                continue
            if line.startswith("@bodies"):
                other = path.rsplit("/", 1)[0] + "/" + line.split()[1]
                with open(other, encoding="utf-8") as g:
                    for body in g:
                        if body.startswith("@body"):
                            _, name, ctype, text = body.rstrip("\n").split(None, 3)
                            bodies[name] = (ctype, text)
                continue
            if line.startswith("@body"):
                _, name, ctype, text = line.split(None, 3)
                bodies[name] = (ctype, text)
                continue
            f_ = line.split()
            if len(f_) != 4 + len(PRINCIPALS):
                errors.append(f"{MATRIX_NAME}:{lineno}: expected METHOD PATTERN TARGET BODY and "
                              f"{len(PRINCIPALS)} cells ({' '.join(PRINCIPALS)}), got {len(f_)} fields")
                continue
            cells = {}
            for p, c in zip(PRINCIPALS, f_[4:]):
                a, _, b = c.partition("|")
                cells[p] = (int(a), int(b or a))
            rows.append(Row(lineno, f_[0] + " " + f_[1], f_[2], f_[3], cells, last))
    for r in rows:
        if r.body != "-" and r.body not in bodies:
            errors.append(f"{MATRIX_NAME}:{r.lineno}: unknown body '{r.body}'")
    return rows, bodies, errors


def resolve(routes, method, path):
    """The route the router picks for (method, path): the exact pattern, else the longest
    prefix (web::Router::Find); a GET route also answers HEAD."""
    best = None
    for route in routes:
        m, pattern = route.split(" ", 1)
        if m != method and not (method == "HEAD" and m == "GET"):
            continue
        if pattern == path:
            return route
        if pattern.endswith("*") and path.startswith(pattern[:-1]):
            if best is None or len(pattern) > len(best.split(" ", 1)[1]):
                best = route
    return best


class Client:
    """One principal: its credentials and a keep-alive connection."""

    def __init__(self, name, setup, creds):
        self.name, self.setup, self.creds = name, setup, creds
        self.conn = None

    def connect(self):
        if self.name == "terminal":
            ctx = ssl.create_default_context(cafile=self.setup["ca_file"])
            ctx.check_hostname = False
            ctx.load_cert_chain(self.setup["terminal_cert"], self.setup["terminal_key"])
            return http.client.HTTPSConnection("127.0.0.1", self.setup["mtls_port"],
                                               context=ctx, timeout=30)
        return http.client.HTTPConnection("127.0.0.1", self.setup["port"], timeout=30)

    def request(self, method, target, headers, body):
        for attempt in range(3):
            if self.conn is None:
                self.conn = self.connect()
            try:
                self.conn.request(method, target, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, data, r
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                time.sleep(0.1)
        raise AssertionError("unreachable")

    def headers(self):
        h = {}
        cookies = [f"claimsca_csrf={self.creds['anon_csrf']}"]
        if self.creds.get("session"):
            cookies.append(f"claimsca_session={self.creds['session']}")
        h["Cookie"] = "; ".join(cookies)
        if self.creds.get("bearer"):
            h["Authorization"] = "Bearer " + self.creds["bearer"]
        return h

    def csrf(self):
        return self.creds.get("csrf") or self.creds["anon_csrf"]


def fill(text, resource, client):
    values = dict(resource or {})
    values["csrf"] = client.csrf()
    values["anon_csrf"] = client.creds["anon_csrf"]
    values["rand"] = secrets.token_hex(8)
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), text)


def encode_body(ctype, text):
    if ctype == "json":
        return "application/json", text.encode()
    if ctype == "form":
        return "application/x-www-form-urlencoded", text.encode()
    if ctype == "multipart":
        boundary = "authz" + secrets.token_hex(8)
        parts = []
        for pair in text.split("&"):
            k, _, v = pair.partition("=")
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                         f"{urllib.parse.unquote_plus(v)}\r\n")
        return f"multipart/form-data; boundary={boundary}", ("".join(parts) + f"--{boundary}--\r\n").encode()
    if ctype == "ocsp":
        return "application/ocsp-request", bytes.fromhex(text)
    if ctype == "cmp":
        return "application/pkixcmp", bytes.fromhex(text)
    raise ValueError("unknown body type " + ctype)


def record(log, client, method, target, status, resp, data):
    """One line of lib.sh's exchanges.log, the body in a file beside it."""
    path = f"{log}.{secrets.token_hex(6)}.body"
    with open(path, "wb") as f:
        f.write(data)
    scheme, port = ("https", client.setup["mtls_port"]) if client.name == "terminal" \
        else ("http", client.setup["port"])
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{method}\t{scheme}://127.0.0.1:{port}{target}\t{status}\t"
                f"{resp.getheader('Content-Type') or ''}\t{path}\n")


def login(setup, account, password, anon_csrf):
    """An API token (POST /api/v1/login) and a portal session with its CSRF secret; a KJ
    user ID's session comes from /kj/login (and its API login may be refused: no token)."""
    c = http.client.HTTPConnection("127.0.0.1", setup["port"], timeout=60)
    kj = account.upper().startswith("KJ")
    c.request("POST", "/api/v1/login", body=json.dumps({"account_id": account, "password": password}),
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    body = r.read()
    if r.status != 200 and not kj:
        fail_usage(f"setup: API login of {account} answered {r.status}: {body[:200]!r}")
    bearer = json.loads(body)["token"] if r.status == 200 else None
    form = urllib.parse.urlencode({"user_id" if kj else "account_id": account,
                                   "password": password, "csrf": anon_csrf})
    c.request("POST", "/kj/login" if kj else "/portal/login", body=form,
              headers={"Content-Type": "application/x-www-form-urlencoded",
                       "Cookie": f"claimsca_csrf={anon_csrf}"})
    r = c.getresponse()
    r.read()
    m = re.search(r"claimsca_session=([^;]+)", r.getheader("Set-Cookie") or "")
    if r.status != 303 or not m:
        fail_usage(f"setup: portal login of {account} answered {r.status}")
    session = m.group(1)
    home = r.getheader("Location")
    c.request("GET", home, headers={"Cookie": f"claimsca_session={session}"})
    r = c.getresponse()
    page = r.read().decode()
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    if not m:
        fail_usage(f"setup: no CSRF secret on {home} for {account} ({r.status})")
    return {"bearer": bearer, "session": session, "csrf": m.group(1)}


def main():
    if len(sys.argv) not in (4, 5):
        fail_usage(__doc__)
    exchanges = sys.argv[4] if len(sys.argv) == 5 else None
    rows, bodies, errors = parse_matrix(sys.argv[1])
    routes = [l.strip() for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
    if SCOPE:
        routes = [r for r in routes if any(r.split(" ", 1)[1].startswith(p) for p in SCOPE)]
    setup = json.load(open(sys.argv[3], encoding="utf-8"))

    # The route table and the matrix name each other exactly.
    covered = {r.route for r in rows}
    for route in routes:
        if route not in covered:
            errors.append(f"route '{route}' (claimsca serve --list-routes) has no row in "
                          f"{MATRIX_NAME}: add one (its expected answer for every principal, "
                          f"see the file's header)")
    for r in rows:
        if r.route not in routes:
            errors.append(f"{MATRIX_NAME}:{r.lineno}: row names '{r.route}', which serve does "
                          f"not register (renamed or removed? update the row)")
        method = r.route.split(" ", 1)[0]
        probe = re.sub(r"\{\w+\}", "0", r.target.split("?")[0])
        if r.route in routes and resolve(routes, method, probe) != r.route:
            errors.append(f"{MATRIX_NAME}:{r.lineno}: target {r.target} is not answered by "
                          f"{r.route} but by {resolve(routes, method, probe)}")
        # Other institutions' resources answer 404, never 403.
        if r.uses_resource(bodies):
            kj_resource = "{kj" in r.text(bodies)
            for p, (own, other) in r.cells.items():
                if p.startswith("kj") != kj_resource:
                    continue  # an account of the other program: not its kind of resource
                if p in OWNERS_A and other == 403 or p in OWNERS_B and own == 403:
                    errors.append(f"{MATRIX_NAME}:{r.lineno}: {p} on the other institution's "
                                  f"resource must not be 403 (not found, never forbidden)")
    if errors:
        print("\n".join(errors))
        sys.exit(1)

    anon_csrf = setup["anon_csrf"]
    creds = {p: {"anon_csrf": anon_csrf} for p in PRINCIPALS}
    for p, (account, password) in setup["accounts"].items():
        creds[p].update(login(setup, account, password, anon_csrf))
    if "init" in creds:
        creds["init"]["bearer"] = setup["init_token"]
    if "forged" in creds:
        creds["forged"].update({"bearer": secrets.token_urlsafe(32), "session": secrets.token_urlsafe(32),
                                "csrf": secrets.token_hex(32)})
    clients = {p: Client(p, setup, creds[p]) for p in PRINCIPALS}

    mismatches, cells = [], 0
    started = time.monotonic()
    for phase in (False, True):
        for r in [x for x in rows if x.last == phase]:
            method = r.route.split(" ", 1)[0]
            resources = [("A", setup["resources"]["A"]), ("B", setup["resources"]["B"])] \
                if r.uses_resource(bodies) else [("-", None)]
            for p in PRINCIPALS:
                client = clients[p]
                for which, res in resources:
                    want = r.cells[p][1 if which == "B" else 0]
                    target = fill(r.target, res, client)
                    headers = client.headers()
                    body = None
                    if r.body != "-":
                        ctype, text = bodies[r.body]
                        headers["Content-Type"], body = encode_body(ctype, fill(text, res, client))
                    got, data, resp = client.request(method, target, headers, body)
                    cells += 1
                    if exchanges:
                        record(exchanges, client, method, target, got, resp, data)
                    if got != want:
                        snippet = data[:160].decode("utf-8", "replace").replace("\n", " ")
                        mismatches.append(f"{MATRIX_NAME}:{r.lineno}: {method} {target} as {p} "
                                          f"(resource {which}): expected {want}, got {got}: {snippet}")
    elapsed = time.monotonic() - started
    for m in mismatches:
        print("MISMATCH " + m)
    print(f"{len(routes)} routes, {len(rows)} rows, {cells} cells in {elapsed:.1f} s, "
          f"{len(mismatches)} mismatches")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""CivicGrid load benchmark: wrk scenarios beside ceilings measured in the same run.

    python3 bench/run.py                       # district data, SQLite then PostgreSQL
    python3 bench/run.py --engines sqlite      # one engine
    python3 bench/run.py --smoke               # tiny data, ~2 s a scenario (CI)

For each engine it starts `civicgrid serve` on a copy of a generated dataset
(generated once by `civicgrid demo --preset NAME` and cached in bench/data/),
signs in demo staff and makes bearer tokens, collects search terms and cases to
act on through the API, then runs every scenario with wrk: a warm-up, then
`--repeats` runs of `--duration` seconds at `--connections` keep-alive
connections, reporting medians. Ceilings in the same run: nginx serving a file
the size of a case-list response with the same wrk settings, and
bench/sqlite_ceiling inserting the rows of a filed case in big transactions.
Results go to bench/results/<date>-<engine>.md and .json. Exit status 1 when any
scenario had errors (non-2xx responses, socket errors) or could not run.

Only the standard library: it runs wherever the server builds.
"""
import argparse
import datetime
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import struct
import urllib.parse
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
WRK_DIR = os.path.join(BENCH, "wrk")
DEMO_PASSWORD = "Demo@2026cg"
SCENARIOS = ["case-list", "resident-search", "case-stats", "case-submit", "case-actions", "mixed",
             "volunteer-checkin"]
# Which ceiling each scenario is compared with.
CEILING_OF = {
    "case-list": "nginx",
    "resident-search": "nginx",
    "case-stats": "nginx",
    "mixed": "nginx",
    "case-submit": "sqlite",
    "case-submit-full": "sqlite-full",
    "case-actions": "sqlite",
    # volunteer-checkin: no ceiling; a scan writes an attendance and a scan row
    # (not a case's rows), and the run is a burst, not a steady load.
}
SAMPLES = [  # (category code, title, description) as residents phone them in
    ("GY01", "电动车充电桩坏了", "小区门口的充电桩插上没反应，晚上没法充电"),
    ("GY02", "路灯不亮", "3幢西侧路灯连续几天晚上不亮，老人走路不方便"),
    ("SR01", "垃圾桶满溢", "垃圾分类亭的垃圾桶满了没人清运，气味很大"),
    ("SR02", "楼道堆放杂物", "2单元楼道堆满纸箱和旧家具，影响通行"),
    ("DL02", "共享单车乱停", "地铁口共享单车堆在盲道上"),
    ("JM02", "夜间施工噪声", "晚上十点以后还在施工，影响休息"),
    ("WY01", "电梯经常故障", "5幢电梯一周停了两次，老人被困过一次"),
    ("AQ02", "消防通道被占", "消防通道停了好几辆私家车"),
]


def log(msg):
    print(f"[bench] {msg}", flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------- datasets


def ensure_dataset(binary, preset):
    """The cached SQLite dataset for `preset`, generated on first use."""
    home = os.path.join(BENCH, "data", preset)
    meta_file = os.path.join(home, "generation.json")
    if os.path.exists(meta_file):
        with open(meta_file) as f:
            return home, json.load(f)
    tmp = home + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    log(f"generating the {preset} dataset (once; cached in {home}) …")
    started = time.monotonic()
    out = subprocess.run(
        [binary, "demo", "--preset", preset, "--db", f"sqlite:{tmp}/civicgrid.db",
         "--data-dir", f"{tmp}/data"],
        check=True, capture_output=True, text=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("demo:"))
    meta = {"preset": preset, "summary": line, "wall_seconds": round(time.monotonic() - started, 1),
            "size_bytes": os.path.getsize(f"{tmp}/civicgrid.db"),
            "generated_at": datetime.datetime.now().isoformat(timespec="seconds")}
    with open(os.path.join(tmp, "generation.json"), "w") as f:
        json.dump(meta, f, indent=1)
    shutil.rmtree(home, ignore_errors=True)
    os.rename(tmp, home)
    log(f"generated: {line}")
    return home, meta


class Engine:
    """A database for one run: a private copy of the dataset."""

    def __init__(self, name, dataset, work, binary, in_place=False):
        self.name, self.dataset, self.work, self.binary = name, dataset, work, binary
        self.data_dir = os.path.join(work, "data")
        shutil.copytree(os.path.join(dataset, "data"), self.data_dir)
        self.pg_dir = None
        self.load_note = None  # how a PostgreSQL run got its data, for the report
        if name == "sqlite" and in_place:
            # city: a copy would need another ~30 GB of disk and minutes; the
            # scenarios' writes (new cases, transitions) stay in the cache.
            self.db_file = os.path.join(dataset, "civicgrid.db")
            self.url = f"sqlite:{self.db_file}"
        elif name == "sqlite":
            self.db_file = os.path.join(work, "civicgrid.db")
            shutil.copyfile(os.path.join(dataset, "civicgrid.db"), self.db_file)
            self.url = f"sqlite:{self.db_file}"
        else:
            self.pg_dir = os.path.join(work, "pg")
            self.url = subprocess.run(["bash", os.path.join(ROOT, "scripts/pg-test-server"), "start",
                                       self.pg_dir], check=True, capture_output=True,
                                      text=True).stdout.strip()
            self.load_postgres()

    def load_postgres(self):
        """Restores the cached PostgreSQL dump of the dataset, made on first use
        by running the same generator (same seed, same key) against PostgreSQL."""
        dump = os.path.join(self.dataset, "postgres.dump")
        pgbin = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
        if not os.path.exists(dump):
            preset = os.path.basename(self.dataset)
            log(f"generating the {preset} dataset on PostgreSQL (once; cached as {dump}) …")
            started = time.monotonic()
            out = subprocess.run([self.binary, "demo", "--preset", preset, "--db", self.url,
                                  "--data-dir", self.data_dir],
                                 check=True, capture_output=True, text=True).stdout
            line = next(l for l in out.splitlines() if l.startswith("demo:"))
            seconds = time.monotonic() - started
            log(f"generated on PostgreSQL in {seconds:.0f} s: {line}")
            self.load_note = f"generated on PostgreSQL by the same generator in {seconds:.0f} s: {line}"
            subprocess.run([f"{pgbin}/pg_dump", "-Fc", "-f", dump + ".tmp", self.url], check=True)
            os.rename(dump + ".tmp", dump)
            return
        started = time.monotonic()
        subprocess.run([f"{pgbin}/pg_restore", "--no-owner", "-j", "2", "-d", self.url, dump],
                       check=True)
        subprocess.run([f"{pgbin}/psql", "-q", "-c", "ANALYZE", self.url], check=True)
        seconds = time.monotonic() - started
        log(f"restored PostgreSQL dump in {seconds:.0f} s")
        self.load_note = (f"restored in {seconds:.0f} s from {os.path.basename(dump)}, the dump of "
                          "the same generator's run on PostgreSQL (same seed and key)")

    def close(self):
        if self.pg_dir:
            subprocess.run(["bash", os.path.join(ROOT, "scripts/pg-test-server"), "stop",
                            self.pg_dir], capture_output=True)


# ---------------------------------------------------------------- server


def cpu_seconds(pids):
    """User + system CPU time of processes (their threads included)."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError):
            pass
    return total


def children_of(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return out


def wal_mb(engine):
    """The size of SQLite's WAL file now (None on PostgreSQL)."""
    if not engine.url.startswith("sqlite:"):
        return None
    try:
        return round(os.path.getsize(engine.url[len("sqlite:"):] + "-wal") / 2**20, 1)
    except OSError:
        return 0.0


class Server:
    def __init__(self, binary, engine, synchronous_full=False):
        self.port = free_port()
        env = dict(os.environ, CIVICGRID_SYNCHRONOUS_FULL="1" if synchronous_full else "0")
        self.log_path = os.path.join(engine.work, f"server-{self.port}.log")
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [binary, "serve", "--db", engine.url, "--data-dir", engine.data_dir, "--port",
             str(self.port), "--web-dir", os.path.join(engine.work, "no-web")], env=env, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)
        for _ in range(600):
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited; see {self.log_path}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        else:
            raise RuntimeError("server did not become healthy in 30 s")
        self.start_seconds = time.monotonic() - started

    def request(self, method, path, body=None, token=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        conn.request(method, path, data, h)
        res = conn.getresponse()
        raw = res.read()
        conn.close()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return res.status, parsed, raw, res

    def api(self, method, path, body=None, token=None, expect=(200, 201)):
        status, parsed, raw, _ = self.request(method, path, body, token)
        if status not in expect:
            raise RuntimeError(f"{method} {path}: {status} {raw[:300]!r}")
        return parsed

    def token_for(self, username, password=DEMO_PASSWORD):
        """Signs in and makes a bearer API token, as a program would."""
        status, parsed, raw, res = self.request("POST", "/api/v1/auth/login",
                                                {"username": username, "password": password})
        if status != 200:
            raise RuntimeError(f"login {username}: {status} {raw[:200]!r}")
        cookie = res.getheader("Set-Cookie").split(";")[0]
        status, made, raw, _ = self.request(
            "POST", "/api/v1/auth/tokens", {"name": "bench", "days": 1},
            headers={"Cookie": cookie, "X-CSRF-Token": parsed["csrf_token"]})
        if status != 201:
            raise RuntimeError(f"token {username}: {status} {raw[:200]!r}")
        return made["token"]

    def reset_peak_rss(self):
        # Writing 5 to clear_refs resets VmHWM, so each scenario has its own peak.
        try:
            with open(f"/proc/{self.proc.pid}/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass

    def peak_rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        return None

    def wait_idle(self, limit=180):
        """Waits until the server has finished requests wrk gave up on (slow
        ones queue up behind the run), so they do not eat the next scenario."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            before = cpu_seconds([self.proc.pid])
            time.sleep(0.5)
            if cpu_seconds([self.proc.pid]) - before < 0.05:
                return
        log("server still busy after the scenario; going on")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---------------------------------------------------------------- fixtures


def walk(node):
    yield node
    for child in node.get("children", []):
        yield from walk(child)


def collect_fixtures(server, args):
    """Accounts, tokens and data the scenarios use, all made through the API."""
    admin = server.token_for("admin")
    tree = server.api("GET", "/api/v1/areas/tree", token=admin)["roots"]
    areas = [a for root in tree for a in walk(root)]
    district = next(a for a in areas if a["level"] == "district")
    streets = [a for a in areas if a["level"] == "street"]
    communities = [a for a in areas if a["level"] == "community"]
    categories = server.api("GET", "/api/v1/case-categories", token=admin)["items"]
    code_to_id = {c["code"]: c["id"] for root in categories for c in root["children"]}
    stamp = str(int(time.time()))[-6:]

    def staff(role, area, n):
        name = f"b{stamp}{role[:4]}{n}"
        server.api("POST", "/api/v1/users", {
            "username": name, "display_name": f"基准{n}", "password": DEMO_PASSWORD,
            "roles": [{"role": role, "area_id": area["id"]}]}, token=admin)
        return server.token_for(name)

    # Community workers ("offices") of several communities file and search.
    offices = []
    step = max(1, len(communities) // args.offices)
    for i, community in enumerate(communities[::step][:args.offices]):
        token = staff("community_worker", community, i)
        grids = [g["id"] for g in walk(community) if g["level"] == "grid"]
        names, phones, ids = search_terms(server, token, community)
        offices.append({"token": token, "grids": grids, "names": names, "phones": phones,
                        "id_numbers": ids})
    # Grid workers of grids spread over the district read their lists.
    grids = [a for a in areas if a["level"] == "grid"]
    step = max(1, len(grids) // args.grid_workers)
    grid_workers = [{"token": staff("grid_worker", g, i)}
                    for i, g in enumerate(grids[::step][:args.grid_workers])]
    viewers = [{"token": staff("street_admin", s, i)} for i, s in enumerate(streets[:4])]
    viewers.append({"token": admin, "area": district["id"]})
    samples = [{"title": t, "description": d, "category_id": code_to_id[c]}
               for c, t, d in SAMPLES if c in code_to_id]
    return {
        "admin": admin, "offices": offices, "grid_workers": grid_workers,
        "stats_viewers": viewers, "samples": samples,
        "reporters": ["王秀英", "李建国", "张桂兰", "刘志强", "陈玲玲", "周晓燕"],
        "action_token": admin, "action_cases": [],
        "after_photo": upload_after_photo(server, admin),
    }


def after_photo_png():
    """A small real PNG (handling a case needs an "after" photo)."""
    w, h = 64, 48
    raw = b"".join(b"\0" + bytes((x * 3 + y) % 256 for x in range(w * 3)) for y in range(h))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def upload_after_photo(server, token):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.request("POST", "/api/v1/files", after_photo_png(),
                 {"Authorization": f"Bearer {token}", "Content-Type": "image/png"})
    res = conn.getresponse()
    body = res.read()
    conn.close()
    if res.status != 201:
        raise RuntimeError(f"photo upload: {res.status} {body[:200]!r}")
    return json.loads(body)["id"]


def search_terms(server, token, community):
    """Names from the community's residents list, and phone and ID numbers
    revealed (with a reason, audited) for a few of them."""
    page = server.api("GET", f"/api/v1/residents?limit=200&area={community['id']}",
                      token=token)["items"]
    names = sorted({r["name"] for r in page})[:100]
    phones, ids = [], []
    for r in page[:12]:
        for field, out in (("phone", phones), ("id_number", ids)):
            status, parsed, _, _ = server.request(
                "POST", f"/api/v1/residents/{r['id']}/reveal",
                {"field": field, "reason": "基准测试取样"}, token)
            if status == 200:
                out.append(parsed["value"])
    return names or ["王"], phones or ["13900000000"], ids or ["320602199001011234"]


def checkin_volunteers(server, fixtures, args):
    """A street's campaign crew: `--volunteers` grid workers of one street, each
    registered as a volunteer and approved through the API, with a bearer token,
    and the street team that runs the campaign's activities."""
    admin = fixtures["admin"]
    tree = server.api("GET", "/api/v1/areas/tree", token=admin)["roots"]
    street = next(a for root in tree for a in walk(root) if a["level"] == "street")
    grids = [a for a in walk(street) if a["level"] == "grid"]
    stamp = str(int(time.time()))[-6:]
    tokens = []
    for n in range(args.volunteers):
        name = f"v{stamp}{n}"
        server.api("POST", "/api/v1/users", {
            "username": name, "display_name": f"志愿者{n}", "password": DEMO_PASSWORD,
            "roles": [{"role": "grid_worker", "area_id": grids[n % len(grids)]["id"]}]},
            token=admin)
        token = server.token_for(name)
        me = server.api("POST", "/api/v1/volunteers/register", {"skills": ["秩序维护"]},
                        token=token)
        server.api("POST", f"/api/v1/volunteers/{me['id']}/decision", {"decision": "approve"},
                   token=admin)
        tokens.append(token)
    team = server.api("POST", "/api/v1/volunteer-teams",
                      {"name": f"基准志愿服务队{stamp}", "kind": "street", "area_id": street["id"]},
                      token=admin)
    fixtures["checkin"] = {"volunteers": tokens, "team": team["id"], "street": street["id"],
                           "runs": 0, "activity": 0, "qr": "", "lat": 32.0156, "lng": 120.8739}


def open_checkin(server, fixtures, fixtures_path):
    """Before each wrk run of volunteer-checkin: a new activity of the campaign,
    published, every volunteer signed up, and the QR code the organizer shows
    now. Each run's activity is 3 minutes later than the last, so no volunteer
    is booked twice at once, and all start within the 30 minutes before the
    start in which check-in is open."""
    c, admin = fixtures["checkin"], fixtures["admin"]
    start = (int(time.time()) + 300 + 180 * c["runs"]) * 1000
    c["runs"] += 1
    activity = server.api("POST", "/api/v1/volunteer-activities", {
        "team_id": c["team"], "area_id": c["street"], "title": f"文明城市创建志愿服务第{c['runs']}场",
        "venue": "街道文化广场", "lat": c["lat"], "lng": c["lng"], "start_at": start,
        "end_at": start + 120_000, "signup_deadline": start, "capacity": len(c["volunteers"]),
        "points_per_hour": 10}, token=admin)
    server.api("POST", f"/api/v1/volunteer-activities/{activity['id']}/actions",
               {"action": "publish"}, token=admin)
    for token in c["volunteers"]:
        server.api("POST", f"/api/v1/volunteer-activities/{activity['id']}/signup", {},
                   token=token)
    c["activity"] = activity["id"]
    c["qr"] = server.api("GET", f"/api/v1/volunteer-activities/{activity['id']}/qr",
                         token=admin)["token"]
    write_fixtures(fixtures, fixtures_path)


def fill_action_pool(server, fixtures, limit):
    """Cases waiting to be accepted (many were just filed by case-submit)."""
    ids, cursor = [], None
    while len(ids) < limit:
        q = "/api/v1/cases?status=reported&limit=100" + (f"&cursor={urllib.parse.quote(cursor)}"
                                                       if cursor else "")
        page = server.api("GET", q, token=fixtures["action_token"])
        ids += [c["id"] for c in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    fixtures["action_cases"] = ids[:limit]


def lua_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid Lua string here
    if isinstance(v, list):
        return "{" + ",".join(lua_value(x) for x in v) + "}"
    if isinstance(v, dict):
        return "{" + ",".join(f"[{json.dumps(k)}]={lua_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def write_fixtures(fixtures, path):
    with open(path, "w") as f:
        f.write("return " + lua_value(fixtures) + "\n")


# ---------------------------------------------------------------- wrk


def wrk_once(url, script, seconds, args, fixtures_path, pids=(), slice_="0/1"):
    env = dict(os.environ, CG_FIXTURES=fixtures_path, CG_WRK_DIR=WRK_DIR,
               CG_RUN_TAG=str(time.time_ns()), CG_SLICE=slice_,
               CG_THREADS=str(args.threads), CG_CONNECTIONS=str(args.connections))
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{seconds}s",
           "--timeout", "10s", "-s", os.path.join(WRK_DIR, script), url]
    cpu_before = cpu_seconds(pids)
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    cpu = cpu_seconds(pids) - cpu_before
    line = next((l for l in out.stdout.splitlines() if l.startswith("CGRESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk {script} failed: {out.stdout[-500:]} {out.stderr[-500:]}")
    r = json.loads(line[len("CGRESULT "):])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0
    # A run in which no request completed (every one slower than the run) is
    # a failure too, not "0 errors".
    r["errors"]["no_response"] = 0 if r["requests"] else args.connections
    r["error_count"] = sum(r["errors"].values())
    # CPU time the server spent per request: steadier than requests/s when
    # other work shares the cores, and what requests/s would be on idle cores.
    r["cpu_us_per_req"] = cpu * 1e6 / r["requests"] if pids and r["requests"] else None
    return r


def page_cache_counters(server):
    """The case-list page cache's counters from /metrics (empty before the cache existed)."""
    _, _, raw, _ = server.request("GET", "/metrics")
    out = {}
    for line in raw.decode(errors="replace").splitlines():
        if line.startswith("civicgrid_case_list_cache_"):
            name, value = line.rsplit(" ", 1)
            out[name[len("civicgrid_case_list_cache_"):]] = float(value)
    return out


def page_cache_delta(before, after):
    """Hits, misses and hit rate of the case-list page cache during a scenario."""
    if not after:
        return None
    hits = after["hits_total"] - before.get("hits_total", 0)
    misses = after["misses_total"] - before.get("misses_total", 0)
    return {"hits": int(hits), "misses": int(misses),
            "hit_rate": round(hits / (hits + misses), 3) if hits + misses else None,
            "bytes": int(after["bytes"])}


def measure(url, script, args, fixtures_path, before_each=None, pids=()):
    """Warm-up, then `repeats` runs; medians of requests/s and latencies."""
    slices = args.repeats + (1 if args.warmup > 0 else 0)  # of the case-actions pool
    if args.warmup > 0:
        if before_each:
            before_each()
        wrk_once(url, script, args.warmup, args, fixtures_path, slice_=f"{slices - 1}/{slices}")
    runs = []
    for i in range(args.repeats):
        if before_each:
            before_each()
        runs.append(wrk_once(url, script, args.duration, args, fixtures_path, pids,
                             f"{i}/{slices}"))
    med = lambda key: statistics.median(r[key] for r in runs)
    lat = lambda p: statistics.median(r["latency_us"][p] for r in runs) / 1000
    cpu = [r["cpu_us_per_req"] for r in runs if r["cpu_us_per_req"]]
    return {
        "rps": round(med("rps"), 1),
        "cpu_us_per_req": round(statistics.median(cpu), 1) if cpu else None,
        "rps_runs": [round(r["rps"], 1) for r in runs],
        "p50_ms": round(lat("p50"), 2),
        "p99_ms": round(lat("p99"), 2),
        "errors": sum(r["error_count"] for r in runs),
        "error_detail": {k: sum(r["errors"][k] for r in runs) for k in runs[0]["errors"]},
        "requests": sum(r["requests"] for r in runs),
    }


# ---------------------------------------------------------------- ceilings


def nginx_ceiling(size, args, work, fixtures_path):
    root = os.path.join(work, "nginx")
    os.makedirs(os.path.join(root, "logs"), exist_ok=True)
    # nginx started as root serves files as `nobody`, which cannot enter the
    # work directory (mkdtemp makes it 0700): every request was a 403 page.
    for d in (work, root):
        os.chmod(d, 0o755)
    with open(os.path.join(root, "case-list.json"), "wb") as f:
        f.write(b"x" * size)
    port = free_port()
    conf = os.path.join(root, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""daemon off;
worker_processes {os.cpu_count()};
pid {root}/nginx.pid;
error_log {root}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {root}; proxy_temp_path {root}; fastcgi_temp_path {root};
  uwsgi_temp_path {root}; scgi_temp_path {root};
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{port};
    location / {{ root {root}; default_type application/json; }}
  }}
}}
""")
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", root], stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        return measure(f"http://127.0.0.1:{port}/case-list.json", "static.lua", args,
                       fixtures_path, pids=[proc.pid] + children_of(proc.pid))
    finally:
        proc.terminate()
        proc.wait()


def sqlite_ceiling(args, dataset, work, full):
    copy = os.path.join(work, f"ceiling-{'full' if full else 'normal'}.db")
    shutil.copyfile(os.path.join(dataset, "civicgrid.db"), copy)
    # The cached dataset may predate newer migrations: bring its schema to the
    # server's, so the ceiling writes the same tables the server does.
    subprocess.run([args.binary, "migrate", "--db", f"sqlite:{copy}"], check=True,
                   capture_output=True)
    cmd = [os.path.join(args.build, "sqlite_ceiling"), copy, "--seconds",
           str(max(2, args.duration // 2))] + (["--full"] if full else [])
    runs = [json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            for _ in range(args.repeats)]
    os.remove(copy)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(copy + suffix):
            os.remove(copy + suffix)
    return {"rps": round(statistics.median(r["cases_per_s"] for r in runs), 1),
            "cpu_us_per_req": round(statistics.median(r["cpu_us_per_case"] for r in runs), 1),
            "rps_runs": [r["cases_per_s"] for r in runs], "batch": runs[0]["batch"],
            "p50_ms": None, "p99_ms": None, "errors": 0}


# ---------------------------------------------------------------- one engine


def run_engine(name, args, dataset, meta):
    work = tempfile.mkdtemp(prefix=f"cg-bench-{name}-", dir=os.path.join(BENCH, "results", "tmp"))
    os.makedirs(os.path.join(work, "no-web"))
    engine = Engine(name, dataset, work, args.binary, in_place=args.in_place)
    fixtures_path = os.path.join(work, "fixtures.lua")
    results, ceilings, facts = {}, {}, {}
    server = None
    try:
        server = Server(args.binary, engine)
        facts["server_start_s"] = round(server.start_seconds, 2)
        if engine.load_note:
            facts["dataset_load"] = engine.load_note
        log(f"{name}: server up on :{server.port} in {server.start_seconds:.2f} s; collecting "
            "fixtures")
        fixtures = collect_fixtures(server, args)
        write_fixtures(fixtures, fixtures_path)
        # The ceiling's file is as big as a real first page of a grid worker's list.
        _, _, raw, _ = server.request("GET", "/api/v1/cases?mine=true&limit=20",
                                      token=fixtures["grid_workers"][0]["token"])
        facts["case_list_bytes"] = len(raw)
        url = f"http://127.0.0.1:{server.port}"
        for scenario in args.scenarios:
            if scenario in ("case-actions", "mixed"):
                fill_action_pool(server, fixtures, args.action_pool)
                write_fixtures(fixtures, fixtures_path)
            before_each = server.reset_peak_rss
            if scenario == "volunteer-checkin":
                log(f"{name}: registering {args.volunteers} volunteers …")
                checkin_volunteers(server, fixtures, args)

                def before_each():
                    open_checkin(server, fixtures, fixtures_path)
                    server.reset_peak_rss()
            log(f"{name}: {scenario} …")
            cache_before = page_cache_counters(server)
            r = measure(url, f"{scenario}.lua", args, fixtures_path, before_each, [server.proc.pid])
            r["peak_rss_mb"] = server.peak_rss_mb()
            r["case_list_cache"] = page_cache_delta(cache_before, page_cache_counters(server))
            r["wal_mb"] = wal_mb(engine)
            results[scenario] = r
            server.wait_idle()
            log(f"{name}: {scenario}: {r['rps']:.0f} req/s, p99 {r['p99_ms']} ms, "
                f"errors {r['errors']}, case-list cache {r['case_list_cache']}, "
                f"WAL {r['wal_mb']} MB")
        server.stop()
        if name == "sqlite" and "case-submit" in args.scenarios and not args.smoke:
            server = Server(args.binary, engine, synchronous_full=True)
            log(f"{name}: case-submit with synchronous=FULL …")
            r = measure(url.rsplit(":", 1)[0] + f":{server.port}", "case-submit.lua", args,
                        fixtures_path, server.reset_peak_rss, [server.proc.pid])
            r["peak_rss_mb"] = server.peak_rss_mb()
            results["case-submit-full"] = r
            server.stop()
        log(f"{name}: ceilings …")
        ceilings["nginx"] = nginx_ceiling(facts["case_list_bytes"], args, work, fixtures_path)
        if not args.in_place:  # the insert program works on a copy of the dataset
            ceilings["sqlite"] = sqlite_ceiling(args, dataset, work, full=False)
            ceilings["sqlite-full"] = sqlite_ceiling(args, dataset, work, full=True)
    finally:
        if server and server.proc.poll() is None:  # a scenario failed: do not leave it running
            server.stop()
        engine.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for scenario, r in results.items():
        ceiling = ceilings.get(CEILING_OF.get(scenario))
        r["ceiling"] = CEILING_OF.get(scenario)
        r["ratio"] = round(r["rps"] / ceiling["rps"], 3) if ceiling and ceiling["rps"] else None
        # The same ratio in CPU time per request, which contention skews less.
        r["cpu_ratio"] = (round(ceiling["cpu_us_per_req"] / r["cpu_us_per_req"], 3)
                          if ceiling and ceiling.get("cpu_us_per_req") and r.get("cpu_us_per_req")
                          else None)
    return {"engine": name, "results": results, "ceilings": ceilings, "facts": facts}


# ---------------------------------------------------------------- report


def machine_facts(args, meta):
    try:
        model = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                     if l.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor()
    return {"cores": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "load_avg_at_start": os.getloadavg()[0], "dataset": meta,
            "settings": {"connections": args.connections, "threads": args.threads,
                         "duration_s": args.duration, "warmup_s": args.warmup,
                         "repeats": args.repeats}}


def fmt(v, spec=""):
    return "–" if v is None else format(v, spec)


def write_report(run, machine, out_dir, stamp):
    base = os.path.join(out_dir, f"{stamp}-{run['engine']}")
    with open(base + ".json", "w") as f:
        json.dump(dict(run, machine=machine, date=stamp), f, indent=1, ensure_ascii=False)
    with open(base + ".md", "w") as f:
        f.write(report(run, machine, stamp))
    return base + ".md"


def report(run, machine, stamp):
    name = run["engine"]
    lines = [f"# CivicGrid benchmark — {name}, {stamp}", "",
             f"Machine: {machine['cores']} cores ({machine['cpu']}), load average at start "
             f"{machine['load_avg_at_start']:.1f} (server, wrk and other work share the cores). "
             f"Engine: {name}. Dataset: `{machine['dataset']['preset']}` — "
             + (f"{run['facts']['dataset_load']}; on SQLite: " if run['facts'].get('dataset_load')
                else "") + f"{machine['dataset']['summary']}.",
             f"wrk: {machine['settings']['connections']} connections, "
             f"{machine['settings']['threads']} thread, {machine['settings']['warmup_s']} s "
             f"warm-up, median of {machine['settings']['repeats']} × "
             f"{machine['settings']['duration_s']} s. Server start: "
             f"{run['facts'].get('server_start_s')} s. case-list response: "
             f"{run['facts'].get('case_list_bytes')} bytes.", "",
             "| scenario | req/s | p50 ms | p99 ms | errors | peak RSS MB | server CPU µs/req "
             "| ceiling | ratio | CPU ratio |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"]
    for scenario, r in run["results"].items():
        lines.append(f"| {scenario} | {r['rps']:.0f} | {fmt(r['p50_ms'])} | {fmt(r['p99_ms'])} | "
                     f"{r['errors']} | {fmt(r['peak_rss_mb'])} | {fmt(r['cpu_us_per_req'])} | "
                     f"{r['ceiling'] or '–'} | {fmt(r['ratio'], '.1%')} | {fmt(r['cpu_ratio'], '.1%')} |")
    lines += ["", "| ceiling | req/s (cases/s for SQLite) | p50 ms | p99 ms | CPU µs/req | runs |",
              "| --- | ---: | ---: | ---: | ---: | --- |"]
    for cname, c in run["ceilings"].items():
        what = {"nginx": "nginx, static file of the case-list size",
                "sqlite": f"SQLite batch insert, synchronous=NORMAL, {c.get('batch')} per commit",
                "sqlite-full": f"SQLite batch insert, synchronous=FULL, {c.get('batch')} per commit"}
        lines.append(f"| {what.get(cname, cname)} | {c['rps']:.0f} | {fmt(c['p50_ms'])} | "
                     f"{fmt(c['p99_ms'])} | {fmt(c.get('cpu_us_per_req'))} | {c['rps_runs']} |")
    lines += ["", "ratio = requests/s ÷ the ceiling's requests/s, both measured in this run. "
              "CPU ratio = the ceiling's CPU time per request ÷ the server's (nginx workers; "
              "the insert program): what the ratio would be if each had the cores to itself."]
    wal = [f"{scenario} {r['wal_mb']}" for scenario, r in run["results"].items()
           if r.get("wal_mb") is not None]
    if wal:
        lines += ["", "SQLite's WAL file after each scenario, MB (the server bounds it at about 256 "
                  "MiB, docs/architecture.md): " + ", ".join(wal) + "."]
    if name == "postgres":
        lines += ["", "PostgreSQL runs from scripts/pg-test-server (fsync=off): its write "
                  "figures are not durable ones; the write ceiling is SQLite's."]
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--preset", default="district", choices=["street", "district", "city"])
    p.add_argument("--engines", default="sqlite,postgres")
    p.add_argument("--scenarios", default=",".join(SCENARIOS))
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--duration", type=int, default=8)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--offices", type=int, default=8, help="community workers filing and searching")
    p.add_argument("--grid-workers", type=int, default=20)
    p.add_argument("--action-pool", type=int, default=20000)
    p.add_argument("--volunteers", type=int, default=400,
                   help="volunteer-checkin: volunteers who each scan once per run")
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--out", default=os.path.join(BENCH, "results"))
    p.add_argument("--smoke", action="store_true",
                   help="street data, 1 × 2 s per scenario, no ceilings' repeats (CI)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    p.add_argument("--in-place", action="store_true",
                   help="SQLite: serve the cached dataset itself, not a copy (for city: its copy "
                        "would take ~30 GB more disk); the runs' writes stay in the cache, and the "
                        "SQLite insert ceiling (which needs a copy) is skipped")
    args = p.parse_args()
    if args.smoke:
        args.preset, args.duration, args.warmup, args.repeats = "street", 2, 0, 1
        args.offices, args.grid_workers, args.connections = 2, 2, 4
        args.action_pool, args.volunteers = 2000, 24
    args.binary = os.path.join(args.build, "civicgrid")
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            sys.exit(f"bench: {tool} is missing: scripts/install-deps --bench")
    os.environ["PATH"] += ":/usr/sbin"
    os.environ["CIVICGRID_LOG_LEVEL"] = "warn"
    dataset, meta = ensure_dataset(args.binary, args.preset)
    os.makedirs(os.path.join(BENCH, "results", "tmp"), exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    machine = machine_facts(args, meta)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    failed = False
    for name in args.engines.split(","):
        run = run_engine(name, args, dataset, meta)
        errors = {s: r["errors"] for s, r in run["results"].items() if r["errors"]}
        if errors:
            failed = True
            log(f"{name}: ERRORS in {errors}")
        if args.smoke:  # CI: a check that the suite runs, not figures to keep
            print(report(run, machine, stamp))
            continue
        path = write_report(run, machine, args.out, stamp)
        log(f"{name}: wrote {path}")
        print(open(path).read())
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

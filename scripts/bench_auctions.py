"""Prepares the auction benchmark on a running demo server: 32 firms with keys and deposits, one
hot lot and 32 lots of their own, all registered, open; and a lot for the stream's fan-out, which
the first two firms register for. Prints shell assignments for
scripts/bench-auctions. Usage: bench_auctions.py PORT DATA_DIR TECHMARKET."""
import datetime, json, subprocess, sys, time, urllib.request, uuid

port, data_dir, binary = sys.argv[1], sys.argv[2], sys.argv[3]
ADMIN, INSTITUTE = "tmk_demo_admin_operator", "tmk_demo_institution_casdq"
FIRMS, OPENING, INCREMENT = 32, 1_000_00, 100
CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def call(method, path, key=None, body=None, idempotent=False):
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = "Bearer " + key
    if idempotent:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as reply:
            return json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{method} {path}: {error.code} {error.read().decode()}")


def at(seconds):
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def credit_code(serial):
    code = "91330521MA2D" + "%05d" % serial
    total = sum(CODE_CHARACTERS.index(c) * w for c, w in zip(code, CODE_WEIGHTS))
    return code + CODE_CHARACTERS[(31 - total % 31) % 31]


firms = [p for p in call("GET", "/v1/parties?kind=firm&limit=100")["items"]][:FIRMS]
serial = 0
while len(firms) < FIRMS:
    serial += 1
    firms.append(call("POST", "/v1/parties", ADMIN, {"handle": f"bench-firm-{serial}", "kind": "firm", "name": f"压测企业{serial}",
                                                     "regionCode": "330521", "creditCode": credit_code(serial)}))
keys = [subprocess.check_output([binary, "keys", "issue", "--party", f["handle"], "--role", "firm", "--data-dir", data_dir],
                                stderr=subprocess.DEVNULL).decode().strip() for f in firms]
start = 20
session = call("POST", "/v1/sessions", ADMIN, {"title": "压测专场", "noticeAt": at(10), "startsAt": at(start)}, True)
lots = []
for _ in range(FIRMS + 2):
    listing = call("POST", "/v1/listings", INSTITUTE, {
        "title": "压测成果", "summary": "用于测量拍卖出价吞吐量的成果，不对外转让。", "field": "geographic_information",
        "keywords": ["压测"], "trl": 6, "transferModes": ["assignment"], "askingPriceFen": 100_000_00})
    call("POST", f"/v1/listings/{listing['id']}/publish", INSTITUTE)
    lot = call("POST", f"/v1/sessions/{session['id']}/lots", ADMIN, {
        "listingId": listing["id"], "format": "english", "openingPriceFen": OPENING, "incrementFen": INCREMENT,
        "startsAt": at(start), "endsAt": at(start + 3_600)}, True)
    call("POST", f"/v1/lots/{lot['id']}/consent", INSTITUTE, {}, True)
    lots.append(lot)
hot, own, watched = lots[0], lots[1:FIRMS + 1], lots[FIRMS + 1]
for firm, key, lot in zip(firms, keys, own):
    call("POST", "/v1/deposits", ADMIN, {"firmId": firm["id"], "amountFen": 3 * hot["depositFen"], "reference": "BENCH-" + uuid.uuid4().hex[:16]}, True)
    call("POST", f"/v1/lots/{hot['id']}/registrations", key, None, True)
    call("POST", f"/v1/lots/{lot['id']}/registrations", key, None, True)
for key in keys[:2]:
    call("POST", f"/v1/lots/{watched['id']}/registrations", key, None, True)
while at(0) < hot["startsAt"]:
    time.sleep(0.2)
time.sleep(1.5)
print(f"FIRM_KEYS={','.join(keys)}")
print(f"LOTS={','.join(str(l['id']) for l in own)}")
print(f"HOT_LOT={hot['id']}")
print(f"WATCHED_LOT={watched['id']}")
print(f"OPENING_FEN={OPENING}")
print(f"INCREMENT_FEN={INCREMENT}")

"""The fault suite's driver, run by scripts/chaos (Python 3, standard library only).

Three checks of what the service promises when things break (docs/reliability.md):

1. kill -9 rounds: a mixed money load (create a program, issue, redeem, claim, approve, reject,
   settle) on server A, which is killed with SIGKILL at a random moment of each round and
   started again. Every request is recorded with its Idempotency-Key and whether it was
   acknowledged (2xx). After each restart the requests that were in flight are sent again
   (same key, same body), and every acknowledged keyed request of the round is replayed: the
   same answer, with `Idempotent-Replayed: true`. After every round, and again at the end, the
   database must hold every acknowledged effect exactly once and nothing half-written
   (HALF_WRITTEN: what that means for the voucher tables and the ledger), and `techmarket
   ledger verify` must be clean.
2. PostgreSQL restarted under load: while the load runs, the cluster is stopped (fast) and
   started again; every answer meanwhile is a 2xx or a 503 problem+json, and every endpoint
   answers again within the bound once PostgreSQL accepts connections.
3. Two servers on one database: a key revoked through the command line or plain SQL is
   refused (401) by both servers within the bound.
4. SIGTERM under load: the server is stopped gracefully while the money load runs; it must
   exit 0 within its shutdown deadline, and every request must have been answered or never
   started: one sent again after the restart must run for the first time (never
   `Idempotent-Replayed: true`), a claim must find its redemption still held, and nothing is
   half-written.
5. Offer books: `techmarket offers replay` is clean on every listing with a book (the demo's and the load's),
   exits 1 naming the command when one command's recorded events are swapped for another's,
   and is clean again once they are restored.
6. Bids: two registered firms bid on one open English lot throughout; a bid the auction rules
   refuse (too low, or the firm leads already) is a settled answer, as an acknowledgement is.
   Every acknowledged bid's events are in the lot's record exactly once, a refused bid's kept
   answer replays, the lot's row agrees with its log, its escrow holds its deposits, and
   `techmarket auctions replay` is clean on the lot.

It prints its figures and one line per check, and exits 1 when a check fails. Every loop is
bounded in count and time; only loopback addresses are used.
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import traceback

VC = 0x5643_0000_0000_0000  # VoucherLedger.Step.high without the step
FUND, ISSUE, HOLD, APPROVE, RELEASE, SETTLE = 1, 2, 3, 4, 5, 6
AU_ESCROW = 0x4155_0000_0000_0002  # AuctionLedger.Step.escrow.high: a registration's deposit into its lot's escrow
FIRM_KEY = "tmk_demo_firm_deqing_mogan_equip"
FIRM2_KEY = "tmk_demo_firm_deqing_xingtu"  # the second bidder on the load's lot
LAB_KEY = "tmk_demo_provider_songjiang_testlab"
BUREAU_KEY = "tmk_demo_regulator_deqing_kjj"
ADMIN_KEY = "tmk_demo_admin_operator"
INSTITUTE_KEY = "tmk_demo_institution_casdq"
OFFER_ASK_FEN = 100_000_000  # the ask of each chaos listing (¥1m)
LOT_OPENING_FEN = 100_000_000  # the load's English lot opens at ¥1m, by ¥10 increments
LOT_INCREMENT_FEN = 1_000
BID_REFUSALS = frozenset({"bid_too_low", "already_leading"})  # what two firms racing on one lot meet
REQUEST_TIMEOUT_S = 15
RETRY_SECONDS_MAX = 15  # how long one request is retried after a 503, a 409 in use or a lost answer

# The settings of each run, from the environment (scripts/chaos documents them).
ROUNDS = int(os.environ.get("CHAOS_ROUNDS", "20"))
ROUND_SECONDS = float(os.environ.get("CHAOS_ROUND_SECONDS", "1.5"))
WORKERS = int(os.environ.get("CHAOS_WORKERS", "6"))
PG_LOAD_SECONDS = float(os.environ.get("CHAOS_PG_LOAD_SECONDS", "2"))
PG_DOWN_SECONDS = float(os.environ.get("CHAOS_PG_DOWN_SECONDS", "1"))
RECOVERY_MS_MAX = int(os.environ.get("CHAOS_RECOVERY_MS_MAX", "2000"))
REVOCATIONS = int(os.environ.get("CHAOS_REVOCATIONS", "6"))
REVOKE_MS_MAX = int(os.environ.get("CHAOS_REVOKE_MS_MAX", "500"))
SHUTDOWN_ROUNDS = int(os.environ.get("CHAOS_SHUTDOWN_ROUNDS", "5"))
SHUTDOWN_DEADLINE_MS = int(os.environ.get("CHAOS_SHUTDOWN_DEADLINE_MS", "10000"))
SEED = int(os.environ.get("CHAOS_SEED", str(random.randrange(1 << 31))))


class ChaosError(Exception):
    """The run could not go on: a server that does not start, a command that fails."""


def log(message):
    print(message, flush=True)


# MARK: - HTTP


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def is_problem(self):
        return self.headers.get("content-type", "").startswith("application/problem+json")

    @property
    def code(self):
        data = self.json()
        return data.get("code") if isinstance(data, dict) else None


class Client:
    """One keep-alive connection to a server; reconnects after an error."""

    def __init__(self, port):
        self.port = port
        self.connection = None

    def send(self, method, path, token=None, body=None, key=None):
        """The answer, or raises OSError / http.client.HTTPException when there is none."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        if key:
            headers["Idempotency-Key"] = key
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S)
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            answer = Answer(response.status, response.getheaders(), response.read())
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if answer.headers.get("connection", "").lower() == "close":
            self.close()
        return answer

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# MARK: - What was sent


class Request:
    """One money request as the load sent it, and what became of it."""

    def __init__(self, kind, method, path, token, body=None, key=None, chain=None, refusals=frozenset()):
        self.kind, self.method, self.path, self.token = kind, method, path, token
        self.refusals = refusals  # the codes of the rules' refusals that settle it as well as a 2xx
        self.body = None if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        self.key = key
        self.chain = chain  # what the request works on (a voucher number, a redemption id)
        self.answer = None  # the first answer it got, or None while unknown
        self.lost_answer = False  # sent, but no answer came (the server died or the connection broke)
        self.retried_without_key = False  # a request without a key sent again after a 503
        self.resent = False  # sent again after a restart, having lost its answer to the kill
        self.effect_seen = False  # a claim that lost its answer, found done after the restart
        self.latency_ms = None  # of its first answer

    @property
    def acknowledged(self):
        return self.answer is not None and 200 <= self.answer.status < 300

    @property
    def refused(self):
        """Answered by a refusal of the rules it may meet (a bid outbid by another's)."""
        return self.answer is not None and self.answer.status in (409, 422) and self.answer.code in self.refusals

    @property
    def settled(self):
        return self.acknowledged or self.refused

    @property
    def kept(self):
        """Its key keeps its answer: an acknowledgement, or a refusal of the rules (a 422; a 409
        is about the state of the moment, and a retry meets it afresh)."""
        return self.key is not None and (self.acknowledged or (self.refused and self.answer.status == 422))

    def describe(self):
        status = self.answer.status if self.answer else "no answer"
        text = self.answer.body[:300].decode(errors="replace") if self.answer else ""
        return f"{self.kind} {self.method} {self.path} key={self.key}: {status} {text}"


class Tally:
    """Every request of the run and the answers that break a rule, shared by the workers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.sent = 0  # HTTP requests sent, retries and replays included
        self.statuses = {}
        self.unexpected = []  # answers no rule allows (a 500, a 4xx the load never provokes)

    def add(self, request):
        with self.lock:
            self.requests.append(request)

    def count(self, answer):
        with self.lock:
            self.sent += 1
            if answer is not None:
                self.statuses[answer.status] = self.statuses.get(answer.status, 0) + 1

    def flag(self, text):
        with self.lock:
            self.unexpected.append(text)


# MARK: - The load


class Market:
    """What the load needs to know of the demo database."""

    firm_id = provider_id = region = None
    lot = None  # the open English lot the load bids on
    paddles = {}  # the bidders' keys and their paddles on it
    programs = []  # ids of acknowledged programs
    programs_lock = threading.Lock()


class Worker(threading.Thread):
    """Runs chains — issue a voucher, redeem it a few times, claim, approve or reject — with a
    program now and then and a settlement now and then, until told to stop."""

    def __init__(self, name, port, tally, stop, rng, server_stays_up, phase):
        super().__init__(daemon=True)
        self.tag, self.client, self.tally, self.stop, self.rng = name, Client(port), tally, stop, rng
        self.server_stays_up = server_stays_up  # under the PostgreSQL restart: no answer at all is a failure
        self.phase = phase
        self.serial = 0
        self.dead = False  # the server stopped answering (the kill)

    def fresh(self, prefix):
        self.serial += 1
        return f"{prefix}-{self.phase}-{self.tag}-{self.serial}"

    def perform(self, request):
        """Sends `request`, again with its key after a 503 or a 409 in use (for a while); returns
        its answer, or None when the server is gone."""
        self.tally.add(request)
        deadline = time.monotonic() + RETRY_SECONDS_MAX
        while True:
            sent_at = time.monotonic()
            try:
                answer = self.client.send(request.method, request.path, request.token, request.body, request.key)
            except (OSError, http.client.HTTPException):
                self.tally.count(None)
                request.lost_answer = True
                if self.server_stays_up:
                    self.tally.flag(f"no answer from the server during the PostgreSQL restart: {request.describe()}")
                self.dead = True
                return None
            self.tally.count(answer)
            if request.latency_ms is None:
                request.latency_ms = (time.monotonic() - sent_at) * 1000
            if request.answer is None or not request.acknowledged:
                request.answer = answer
            if answer.status == 503 and not answer.is_problem:
                self.tally.flag(f"a 503 that is not problem+json: {request.describe()}")
            if answer.status == 503 and "retry-after" not in answer.headers:
                self.tally.flag(f"a 503 without Retry-After: {request.describe()}")
            retry = answer.status == 503 or (answer.status == 409 and answer.code == "idempotency_key_in_use")
            if retry and time.monotonic() < deadline and not self.stop.is_set():
                if request.key is None:
                    # No key: the 503 may have come after the commit; a retry then finds the state moved.
                    request.retried_without_key = True
                time.sleep(0.02)
                continue
            if answer.status == 503:
                request.lost_answer = True  # a 503 says nothing of the outcome: sent again later
            return answer

    def expect(self, request, statuses):
        answer = self.perform(request)
        if answer is None:
            return None
        if answer.status in statuses:
            return answer
        if request.refused:
            return None
        if answer.status == 503:
            return None  # allowed and counted; the chain is dropped
        if answer.status == 409 and answer.code == "invalid_transition" and request.retried_without_key:
            # A claim sent again after a 503 whose first attempt had committed: allowed when the
            # redemption is indeed claimed now.
            current = self.client.send("GET", f"/v1/redemptions/{request.chain}", request.token)
            if current.status == 200 and current.json()["status"] != "held":
                request.effect_seen = True
                return None
        self.tally.flag(f"unexpected answer: {request.describe()}")
        return None

    def create_program(self):
        name = "混沌测试 " + self.fresh("P")
        body = {"year": 2026, "name": name, "budgetFen": 10**11, "shareBasisPoints": 5000, "firmCapFen": 10**12,
                "groupCapFen": 10**12, "useBy": "2099-12-30", "claimBy": "2099-12-31",
                "honours": {"kind": "alliance", "alliance": "g60"}}
        request = Request("program", "POST", "/v1/voucher-programs", BUREAU_KEY, body, self.fresh("ch-p"))
        answer = self.expect(request, {201})
        if answer:
            with Market.programs_lock:
                Market.programs.append(answer.json()["id"])

    def settle(self):
        self.expect(Request("settle", "POST", "/v1/settlements", BUREAU_KEY, {}, self.fresh("ch-s")), {200, 201})

    def chain(self):
        with Market.programs_lock:
            program = self.rng.choice(Market.programs)
        issue = Request("issue", "POST", f"/v1/voucher-programs/{program}/vouchers", BUREAU_KEY,
                        {"firmId": Market.firm_id, "faceValueFen": 10_000}, self.fresh("ch-i"))
        answer = self.expect(issue, {201})
        if not answer:
            return
        number = answer.json()["number"]
        for _ in range(self.rng.randint(1, 3)):
            if self.stop.is_set() or self.dead:
                return
            reference = self.fresh("CH")
            body = {"providerId": Market.provider_id, "contractReference": reference, "contractAmountFen": 400,
                    "voucherAmountFen": 200, "ownPaymentFen": 200}
            redeem = Request("redeem", "POST", f"/v1/vouchers/{number}/redemptions", FIRM_KEY, body,
                             self.fresh("ch-r"), chain=number)
            answer = self.expect(redeem, {201})
            if not answer:
                return
            redemption = answer.json()["id"]
            if self.rng.random() < 0.15:
                continue  # left held
            claim = Request("claim", "POST", f"/v1/redemptions/{redemption}/claim", LAB_KEY,
                            {"evidence": [f"invoice {reference}"]}, chain=redemption)
            if not self.expect(claim, {200}):
                return
            if self.rng.random() < 0.2:
                decide = Request("reject", "POST", f"/v1/redemptions/{redemption}/reject", BUREAU_KEY,
                                 {"reason": "chaos: evidence incomplete"}, self.fresh("ch-x"), chain=redemption)
            else:
                decide = Request("approve", "POST", f"/v1/redemptions/{redemption}/approve", BUREAU_KEY, None,
                                 self.fresh("ch-a"), chain=redemption)
            if not self.expect(decide, {200}):
                return

    def fresh_listing(self):
        """A published listing of the demo institute for one offer chain, so that no two chains
        meet on one book; made without the tally (neither call moves money or takes a key), and
        None when the server does not answer them."""
        body = {"title": "混沌测试 " + self.fresh("L"), "summary": "故障测试用的科技成果：一项普通许可。",
                "field": "geographic_information", "trl": 6, "transferModes": ["licence_non_exclusive"],
                "askingPriceFen": OFFER_ASK_FEN}
        try:
            created = self.client.send("POST", "/v1/listings", INSTITUTE_KEY, json.dumps(body, ensure_ascii=False).encode())
            if created.status != 201:
                return None
            listing = created.json()["id"]
            published = self.client.send("POST", f"/v1/listings/{listing}/publish", INSTITUTE_KEY)
            return listing if published.status == 200 else None
        except (OSError, http.client.HTTPException):
            self.dead = True
            return None

    def offer_chain(self):
        """The firm offers on a fresh listing: at the ask it fills at once (a signed contract);
        below it the institute accepts it, or counters and the firm accepts the counter."""
        listing = self.fresh_listing()
        if listing is None:
            return
        at_ask = self.rng.random() < 0.5
        body = {"mode": "licence_non_exclusive", "priceFen": OFFER_ASK_FEN if at_ask else OFFER_ASK_FEN // 2,
                "terms": "混沌测试", "validUntil": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86_400))}
        offer = Request("offer", "POST", f"/v1/listings/{listing}/offers", FIRM_KEY, body, self.fresh("ch-o"), chain=listing)
        answer = self.expect(offer, {201})
        if not answer or at_ask or self.stop.is_set() or self.dead:
            return
        offer_id = answer.json()["id"]
        if self.rng.random() < 0.5:
            self.expect(Request("accept", "POST", f"/v1/offers/{offer_id}/accept", INSTITUTE_KEY, None, self.fresh("ch-oa"),
                                chain=offer_id), {200})
            return
        counter = Request("counter", "POST", f"/v1/offers/{offer_id}/counter", INSTITUTE_KEY,
                          {"priceFen": OFFER_ASK_FEN * 3 // 4, "terms": "混沌测试还价"}, self.fresh("ch-oc"), chain=offer_id)
        if self.expect(counter, {200}) and not self.stop.is_set() and not self.dead:
            self.expect(Request("accept", "POST", f"/v1/offers/{offer_id}/accept", FIRM_KEY, None, self.fresh("ch-oa"),
                                chain=offer_id), {200})

    def bid(self):
        """The firm that does not lead (mostly) bids on the load's lot at or a little above the
        least next bid it reads; another worker's bid may come first (too low now, or this firm
        leads already)."""
        try:
            lot = self.client.send("GET", f"/v1/lots/{Market.lot}", FIRM_KEY)
        except (OSError, http.client.HTTPException):
            self.dead = True
            return
        if lot.status != 200:
            return
        leader = lot.json()["leaderPaddle"]
        others = sorted(key for key, paddle in Market.paddles.items() if paddle != leader)
        key = self.rng.choice(others if others and self.rng.random() < 0.8 else sorted(Market.paddles))
        least = lot.json()["minimumNextBidFen"] or LOT_OPENING_FEN
        body = {"amountFen": least + self.rng.choice([0, 0, 1, 3]) * LOT_INCREMENT_FEN}
        self.expect(Request("bid", "POST", f"/v1/lots/{Market.lot}/bids", key, body, self.fresh("ch-b"), chain=Market.lot,
                            refusals=BID_REFUSALS), {201})

    def run(self):
        steps = 0
        while not self.stop.is_set() and not self.dead and steps < 100_000:
            steps += 1
            roll = self.rng.random()
            if roll < 0.02:
                self.create_program()
            elif roll < 0.05:
                self.settle()
            elif roll < 0.22:
                self.offer_chain()
            elif roll < 0.47:
                self.bid()
            else:
                self.chain()
        self.client.close()


def run_load(port, tally, rng, phase, until, server_stays_up=False):
    """Runs the workers until `until(stop)` returns."""
    stop = threading.Event()
    workers = [Worker(f"w{n}", port, tally, stop, random.Random(rng.random()), server_stays_up, phase) for n in range(WORKERS)]
    for worker in workers:
        worker.start()
    until(stop)
    stop.set()
    for worker in workers:
        worker.join(timeout=RETRY_SECONDS_MAX + REQUEST_TIMEOUT_S + 5)
    return [worker for worker in workers if worker.is_alive()]


# MARK: - Processes


class Server:
    """A `techmarket serve` process on the chaos database."""

    def __init__(self, args, port, name):
        self.args, self.port, self.name = args, port, name
        self.process = None
        self.log = open(os.path.join(args.log_dir, f"server-{name}.log"), "ab")

    def start(self, fixtures):
        command = [self.args.binary, "serve", "--database-url", self.args.conninfo, "--demo", "--port", str(self.port),
                   "--host", "127.0.0.1", "--log-level", "warning", "--shutdown-deadline-ms", str(SHUTDOWN_DEADLINE_MS),
                   "--caller-concurrent-max", "1000", "--auction-notice-days", "0",
                   "--caller-rate-per-second", "1000000", "--caller-burst-max", "1000000"]
        if not fixtures:
            command.append("--no-fixtures")
        started = time.monotonic()
        self.process = subprocess.Popen(command, stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)
        client = Client(self.port)
        deadline = started + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ChaosError(f"server {self.name} exited with {self.process.returncode}; see {self.log.name}")
            try:
                if client.send("GET", "/health").status == 200:
                    client.close()
                    return (time.monotonic() - started) * 1000
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.02)
        raise ChaosError(f"server {self.name} did not answer /health within 90 s")

    def kill(self):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def terminate(self):
        """SIGTERM, as an orchestrator stops it; returns the exit status and the milliseconds to exit."""
        signalled = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=SHUTDOWN_DEADLINE_MS / 1000 + 10)
        except subprocess.TimeoutExpired:
            self.kill()
            status = None
        return status, (time.monotonic() - signalled) * 1000

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def techmarket(args, *arguments, timeout=120):
    result = subprocess.run([args.binary, *arguments], capture_output=True, text=True, timeout=timeout)
    return result.returncode, result.stdout, result.stderr


def psql(args, sql):
    """Rows of a query as lists of strings (tab-separated, no header)."""
    result = subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-h", args.socket, "-p", "5432",
         "-U", "postgres", "-d", args.database, "-c", sql],
        capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise ChaosError(f"psql failed: {result.stderr}\n{sql}")
    return [line.split("\t") for line in result.stdout.splitlines() if line]


# MARK: - Checks of what was acknowledged


def send_until_settled(client, tally, request):
    """Sends `request` with its key until an answer that is neither a 503 nor a 409 in use
    comes, for a while; returns it, or None."""
    deadline = time.monotonic() + RETRY_SECONDS_MAX
    while time.monotonic() < deadline:
        try:
            answer = client.send(request.method, request.path, request.token, request.body, request.key)
        except (OSError, http.client.HTTPException):
            time.sleep(0.05)
            continue
        tally.count(answer)
        if answer.status != 503 and not (answer.status == 409 and answer.code == "idempotency_key_in_use"):
            return answer
        time.sleep(0.05)
    return None


def resend_lost(tally, port, round_requests):
    """Sends every request of the round that lost its answer again: the key's answer, or a
    first execution. A claim (no key) is looked up first and sent again only when still held.
    Returns the requests still unsettled (neither acknowledged nor refused by the rules)."""
    client = Client(port)
    unresolved = []
    for request in round_requests:
        if request.settled or not request.lost_answer:
            continue
        if request.key is None:
            current = client.send("GET", f"/v1/redemptions/{request.chain}", request.token)
            tally.count(current)
            if current.status == 200 and current.json()["status"] != "held":
                request.effect_seen = True
                continue
        answer = send_until_settled(client, tally, request)
        if answer is not None:
            request.answer = answer
            request.resent = True
        if not request.settled:
            unresolved.append(request)
    client.close()
    return unresolved


def replay(tally, port, requests):
    """Replays every request whose key keeps its answer (`Request.kept`); returns the ones whose
    answer differed."""
    client = Client(port)
    mismatched = []
    for request in requests:
        if not request.kept:
            continue
        answer = send_until_settled(client, tally, request)
        same = (answer is not None and answer.status == request.answer.status and answer.json() == request.answer.json()
                and answer.headers.get("idempotent-replayed") == "true")
        if not same:
            mismatched.append((request, answer))
    client.close()
    return mismatched


def acknowledged_effects(args, tally):
    """Every acknowledged request's effect, looked up in the database: returns (lost, doubled),
    lists of descriptions."""
    redemptions = {}
    for row in psql(args, """
            SELECT r.id, r.contract_reference, v.number, r.status, r.voucher_amount_fen, coalesce(r.settlement_id, 0)
            FROM voucher_redemptions r JOIN vouchers v ON v.id = r.voucher_id WHERE r.contract_reference LIKE 'CH-%'"""):
        redemptions.setdefault(row[1], []).append(
            {"id": int(row[0]), "number": row[2], "status": row[3], "amount": int(row[4]), "settlement": int(row[5])})
    vouchers = {row[0]: {"id": int(row[1]), "face": int(row[2]), "program": int(row[3])} for row in psql(
        args, "SELECT number, id, face_value_fen, program_id FROM vouchers WHERE program_id IN "
              "(SELECT id FROM voucher_programs WHERE name LIKE '混沌测试 %')")}
    programs = {row[0]: int(row[1]) for row in psql(args, "SELECT name, id FROM voucher_programs WHERE name LIKE '混沌测试 %'")}
    kept = {(row[0], row[1]): int(row[2]) for row in psql(
        args, "SELECT k.key, coalesce(p.handle, 'admin'), k.response_status FROM idempotency_keys k "
              "JOIN api_keys a ON a.id = k.api_key_id LEFT JOIN parties p ON p.id = a.party_id WHERE k.key LIKE 'ch-%'")}
    by_id = {r["id"]: r for rows in redemptions.values() for r in rows}
    offers = {}  # the chaos listings' offers, by listing
    for row in psql(args, """
            SELECT o.id, o.listing_id, o.status, o.price_fen, coalesce(c.id, 0), coalesce(c.total_fen, 0)
            FROM offers o JOIN listings l ON l.id = o.listing_id
            LEFT JOIN contracts c ON c.source = 'offer' AND c.source_id = o.id
            WHERE l.title LIKE '混沌测试 %'"""):
        offers.setdefault(int(row[1]), []).append(
            {"id": int(row[0]), "status": row[2], "price": int(row[3]), "contract": int(row[4]), "contractTotal": int(row[5])})
    offer_by_id = {o["id"]: o for rows in offers.values() for o in rows}
    # The load lot's bid events: (paddle, price) by sequence.
    bids = {int(row[0]): (int(row[1]), int(row[2])) for row in psql(
        args, f"SELECT sequence, paddle, price_fen FROM lot_events WHERE lot_id = {Market.lot} AND kind = 'bid'")} if Market.lot else {}
    handle = {FIRM_KEY: "deqing-mogan-equip", FIRM2_KEY: "deqing-xingtu", LAB_KEY: "songjiang-testlab", BUREAU_KEY: "deqing-kjj",
              INSTITUTE_KEY: "casdq"}
    lost, doubled = [], []
    issued_numbers, redeemed_references, offered_listings, bid_sequences = set(), set(), set(), set()
    for request in tally.requests:
        if request.kept and kept.get((request.key, handle[request.token])) != request.answer.status:
            lost.append(f"no kept answer {request.answer.status} for its Idempotency-Key: {request.describe()}")
        if not request.acknowledged:
            continue
        data = request.answer.json()
        if request.kind == "program":
            if programs.get(data["name"]) != data["id"]:
                lost.append(f"program not in the database: {request.describe()}")
        elif request.kind == "issue":
            issued_numbers.add(data["number"])
            voucher = vouchers.get(data["number"])
            if not voucher or voucher["face"] != data["faceValueFen"] or voucher["program"] != data["programId"]:
                lost.append(f"voucher not in the database as acknowledged: {request.describe()}")
        elif request.kind == "redeem":
            reference = data["contractReference"]
            redeemed_references.add(reference)
            rows = redemptions.get(reference, [])
            if len(rows) != 1 or rows[0]["id"] != data["id"] or rows[0]["amount"] != data["voucherAmountFen"]:
                lost.append(f"redemption not in the database exactly once ({len(rows)} rows): {request.describe()}")
        elif request.kind in ("claim", "approve", "reject"):
            allowed = {"claim": {"claimed", "approved", "rejected", "paid"}, "approve": {"approved", "paid"},
                       "reject": {"rejected"}}[request.kind]
            row = by_id.get(data["id"])
            if not row or row["status"] not in allowed:
                lost.append(f"{request.kind} not in the database (status {row and row['status']}): {request.describe()}")
        elif request.kind == "offer":
            offered_listings.add(data["listingId"])
            rows = offers.get(data["listingId"], [])
            # Its price may have moved since (a counter accepted); a fill's is final.
            if len(rows) != 1 or rows[0]["id"] != data["id"]:
                lost.append(f"offer not in the database exactly once ({len(rows)} rows): {request.describe()}")
            elif data["status"] == "filled" and (rows[0]["status"] != "filled" or rows[0]["contract"] != data["deal"]["contractId"]
                                                 or rows[0]["price"] != data["priceFen"]):
                lost.append(f"filled offer without its contract {data['deal']['contractId']} at its price: {request.describe()}")
        elif request.kind in ("counter", "accept"):
            row = offer_by_id.get(data["id"])
            allowed = {"counter": {"countered", "filled"}, "accept": {"filled"}}[request.kind]
            if not row or row["status"] not in allowed:
                lost.append(f"{request.kind} not in the database (status {row and row['status']}): {request.describe()}")
        elif request.kind == "bid":
            events = [event for event in data["events"] if event["kind"] == "bid"]
            for event in events:
                bid_sequences.add(event["sequence"])
            if [bids.get(event["sequence"]) for event in events] != [(data["paddle"], json.loads(request.body)["amountFen"])]:
                lost.append(f"bid not in the lot's record as its one bid event at its price: {request.describe()}")
        elif request.kind == "settle" and data.get("batch"):
            batch = data["batch"]
            lines = [line["redemptionId"] for region in batch["regions"] for provider in region["providers"]
                     for line in provider["redemptions"]]
            for redemption in lines:
                row = by_id.get(redemption)
                if row and (row["status"] != "paid" or row["settlement"] != batch["id"]):
                    lost.append(f"redemption {redemption} of batch {batch['id']} not paid by it: {request.describe()}")
    # A voucher or redemption that no acknowledged request returned: written twice, or written
    # for a request whose answer was lost and that was then never acknowledged.
    for number in vouchers:
        if number not in issued_numbers:
            doubled.append(f"voucher {number} is in the database but no acknowledged request issued it")
    for reference, rows in redemptions.items():
        if reference not in redeemed_references or len(rows) != 1:
            doubled.append(f"redemption {reference}: {len(rows)} row(s), acknowledged: {reference in redeemed_references}")
    for listing, rows in offers.items():
        if listing not in offered_listings or len(rows) != 1:
            doubled.append(f"offers on listing {listing}: {len(rows)} row(s), acknowledged: {listing in offered_listings}")
    for sequence in sorted(set(bids) - bid_sequences):
        doubled.append(f"bid event {sequence} of lot {Market.lot} is in its record but no acknowledged bid made it")
    return lost, doubled


HALF_WRITTEN = {
    # Each query counts the rows that break one rule; 0 everywhere means nothing is half-written.
    "redemption without its hold (VC·3)": f"""
        SELECT count(*) FROM voucher_redemptions r
        WHERE NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.id_high = {VC | HOLD} AND t.id_low = r.id)""",
    "hold without its redemption": f"""
        SELECT count(*) FROM ledger_transfers t
        WHERE t.id_high = {VC | HOLD} AND NOT EXISTS (SELECT 1 FROM voucher_redemptions r WHERE r.id = t.id_low)""",
    "hold not on its voucher's account for the voucher amount": f"""
        SELECT count(*) FROM voucher_redemptions r JOIN vouchers v ON v.id = r.voucher_id
        JOIN ledger_transfers t ON t.id_high = {VC | HOLD} AND t.id_low = r.id
        WHERE t.debit_account_id <> v.account_id OR t.amount_fen <> r.voucher_amount_fen OR t.flags & 2 = 0""",
    "hold's state not the redemption's (pending, posted, voided)": f"""
        SELECT count(*) FROM voucher_redemptions r JOIN ledger_transfers t ON t.id_high = {VC | HOLD} AND t.id_low = r.id
        WHERE t.pending_status <> CASE WHEN r.status IN ('held', 'claimed') THEN 1
                                       WHEN r.status IN ('approved', 'paid') THEN 2 ELSE 3 END""",
    "approval (VC·4) without an approved or paid redemption, or the reverse": f"""
        SELECT count(*) FROM voucher_redemptions r
        WHERE (r.status IN ('approved', 'paid')) <> EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.id_high = {VC | APPROVE} AND t.id_low = r.id)""",
    "release (VC·5) without a rejected or lapsed redemption, or the reverse": f"""
        SELECT count(*) FROM voucher_redemptions r
        WHERE (r.status IN ('rejected', 'lapsed')) <> EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.id_high = {VC | RELEASE} AND t.id_low = r.id)""",
    "settlement payment (VC·6) without a paid redemption, or the reverse": f"""
        SELECT count(*) FROM voucher_redemptions r
        WHERE (r.status = 'paid') <> EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.id_high = {VC | SETTLE} AND t.id_low = r.id)""",
    "approval, release or payment without a redemption row": f"""
        SELECT count(*) FROM ledger_transfers t
        WHERE t.id_high IN ({VC | APPROVE}, {VC | RELEASE}, {VC | SETTLE}) AND NOT EXISTS (SELECT 1 FROM voucher_redemptions r WHERE r.id = t.id_low)""",
    "voucher without its issuance (VC·2) of its face value to its account": f"""
        SELECT count(*) FROM vouchers v WHERE NOT EXISTS (
            SELECT 1 FROM ledger_transfers t JOIN voucher_programs p ON p.id = v.program_id
            WHERE t.id_high = {VC | ISSUE} AND t.id_low = v.id AND t.credit_account_id = v.account_id
              AND t.debit_account_id = p.budget_account_id AND t.amount_fen = v.face_value_fen)""",
    "issuance without a voucher row": f"""
        SELECT count(*) FROM ledger_transfers t
        WHERE t.id_high = {VC | ISSUE} AND NOT EXISTS (SELECT 1 FROM vouchers v WHERE v.id = t.id_low)""",
    "program without its funding (VC·1) of its budget, or funding without a program": f"""
        SELECT (SELECT count(*) FROM voucher_programs p WHERE NOT EXISTS (
                    SELECT 1 FROM ledger_transfers t WHERE t.id_high = {VC | FUND} AND t.id_low = p.id
                      AND t.credit_account_id = p.budget_account_id AND t.amount_fen = p.budget_fen))
             + (SELECT count(*) FROM ledger_transfers t WHERE t.id_high = {VC | FUND}
                  AND NOT EXISTS (SELECT 1 FROM voucher_programs p WHERE p.id = t.id_low))""",
    "voucher account's balances not what its redemptions say": """
        SELECT count(*) FROM vouchers v JOIN ledger_accounts a ON a.id = v.account_id
        LEFT JOIN LATERAL (
            SELECT coalesce(sum(voucher_amount_fen) FILTER (WHERE status IN ('held', 'claimed')), 0) AS held,
                   coalesce(sum(voucher_amount_fen) FILTER (WHERE status IN ('approved', 'paid')), 0) AS spent
            FROM voucher_redemptions r WHERE r.voucher_id = v.id) s ON true
        WHERE a.credits_posted_fen <> v.face_value_fen OR a.credits_pending_fen <> 0
           OR a.debits_pending_fen <> s.held OR a.debits_posted_fen <> s.spent""",
    "voucher or program without its ledger account": """
        SELECT (SELECT count(*) FROM vouchers v WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = v.account_id))
             + (SELECT count(*) FROM voucher_programs p WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = p.budget_account_id))""",
    "program budget's account not its budget less its vouchers": """
        SELECT count(*) FROM voucher_programs p JOIN ledger_accounts a ON a.id = p.budget_account_id
        WHERE a.credits_posted_fen <> p.budget_fen
           OR a.debits_posted_fen <> (SELECT coalesce(sum(face_value_fen), 0) FROM vouchers v WHERE v.program_id = p.id)""",
    "paid redemption without its batch, or a batch without a paid redemption": """
        SELECT (SELECT count(*) FROM voucher_redemptions r WHERE r.status = 'paid'
                   AND NOT EXISTS (SELECT 1 FROM settlement_batches b WHERE b.id = r.settlement_id))
             + (SELECT count(*) FROM settlement_batches b WHERE NOT EXISTS (SELECT 1 FROM voucher_redemptions r WHERE r.settlement_id = b.id))""",
    "filled offer without its signed contract of the deal's price, or an offer's contract without a filled offer": """
        SELECT (SELECT count(*) FROM offers o WHERE o.status = 'filled' AND NOT EXISTS (
                    SELECT 1 FROM contracts c WHERE c.source = 'offer' AND c.source_id = o.id AND c.total_fen = o.deal_price_fen))
             + (SELECT count(*) FROM contracts c WHERE c.source = 'offer' AND NOT EXISTS (
                    SELECT 1 FROM offers o WHERE o.id = c.source_id AND o.status = 'filled'))""",
    "offer whose first step is not its offering": """
        SELECT count(*) FROM offers o WHERE o.steps->0->>'kind' IS DISTINCT FROM 'offered'""",
    "offer whose book has no command log": """
        SELECT count(*) FROM offers o WHERE NOT EXISTS (
            SELECT 1 FROM offer_books b JOIN offer_book_commands c ON c.book_id = b.id WHERE b.listing_id = o.listing_id AND b.mode = o.mode)""",
    "registration without its deposit moved into its lot's escrow (AU·2), or a move without its registration": f"""
        SELECT (SELECT count(*) FROM lot_registrations r
                WHERE NOT EXISTS (SELECT 1 FROM ledger_transfers t JOIN auction_accounts e ON e.kind = 'escrow' AND e.owner = r.lot_id
                                  WHERE t.id_high = {AU_ESCROW} AND t.id_low = r.id AND t.credit_account_id = e.account_id
                                    AND t.amount_fen = r.deposit_fen))
             + (SELECT count(*) FROM ledger_transfers t WHERE t.id_high = {AU_ESCROW}
                  AND NOT EXISTS (SELECT 1 FROM lot_registrations r WHERE r.id = t.id_low))""",
    "open lot whose escrow is not the deposits it holds": """
        SELECT count(*) FROM lots l LEFT JOIN auction_accounts e ON e.kind = 'escrow' AND e.owner = l.id
        LEFT JOIN ledger_accounts a ON a.id = e.account_id
        WHERE l.status = 'consented' AND coalesce(a.credits_posted_fen - a.debits_posted_fen, 0) <> (
            SELECT coalesce(sum(deposit_fen), 0) FROM lot_registrations r WHERE r.lot_id = l.id AND r.deposit_status = 'held')""",
    "lot's row not at the end of its record (last command, last event)": """
        SELECT count(*) FROM lots l
        WHERE l.last_command_id <> coalesce((SELECT max(command_id) FROM lot_commands c WHERE c.lot_id = l.id), 0)
           OR l.last_event_sequence <> coalesce((SELECT max(sequence) FROM lot_events e WHERE e.lot_id = l.id), 0)""",
    "bid answered 201 under a key but its events not in its lot's record": """
        SELECT count(*) FROM idempotency_keys k, jsonb_array_elements(k.response_body::jsonb->'events') e
        WHERE k.response_status = 201 AND k.response_body::jsonb ? 'standing' AND NOT EXISTS (
            SELECT 1 FROM lot_events le WHERE le.lot_id = (k.response_body::jsonb->'lot'->>'id')::bigint
              AND le.sequence = (e->>'sequence')::bigint AND le.kind = e->>'kind')""",
    "Idempotency-Key left running (claimed apart from its use case)": """
        SELECT count(*) FROM idempotency_keys WHERE state <> 'done'""",
    "redemption answered 201 under a key but not in the database": """
        SELECT count(*) FROM idempotency_keys k WHERE k.response_status = 201 AND k.response_body::jsonb ? 'contractReference'
          AND NOT EXISTS (SELECT 1 FROM voucher_redemptions r WHERE r.id = (k.response_body::jsonb->>'id')::bigint
                            AND r.contract_reference = k.response_body::jsonb->>'contractReference')""",
    "voucher answered 201 under a key but not in the database": """
        SELECT count(*) FROM idempotency_keys k WHERE k.response_status = 201 AND k.response_body::jsonb ? 'faceValueFen'
          AND NOT EXISTS (SELECT 1 FROM vouchers v WHERE v.number = k.response_body::jsonb->>'number')""",
    "chaos redemption or voucher written without its key's answer": """
        SELECT (SELECT count(*) FROM voucher_redemptions r WHERE r.contract_reference LIKE 'CH-%' AND NOT EXISTS (
                    SELECT 1 FROM idempotency_keys k WHERE k.response_status = 201 AND k.response_body::jsonb ? 'contractReference'
                      AND (k.response_body::jsonb->>'id')::bigint = r.id))
             + (SELECT count(*) FROM vouchers v JOIN voucher_programs p ON p.id = v.program_id
                WHERE p.name LIKE '混沌测试 %' AND NOT EXISTS (
                    SELECT 1 FROM idempotency_keys k WHERE k.response_status = 201 AND k.response_body::jsonb ? 'faceValueFen'
                      AND k.response_body::jsonb->>'number' = v.number))""",
}


def half_written(args):
    """The rules broken, with how many rows break each."""
    broken = {}
    for name, sql in HALF_WRITTEN.items():
        count = int(psql(args, sql)[0][0])
        if count:
            broken[name] = count
    return broken


def offers_replay(args, results):
    """`techmarket offers replay` over every listing with a book is clean; with one command's
    recorded events swapped for another's it exits 1 naming that command; restored, clean again."""
    listings = psql(args, "SELECT count(DISTINCT listing_id) FROM offer_books")[0][0]
    status, out, err = techmarket(args, "offers", "replay", "--database-url", args.conninfo)
    summary = out.strip().splitlines()[-1] if out.strip() else err.strip()[:200]
    results.check("techmarket offers replay is clean on every listing with a book",
                  status == 0 and summary.startswith(f"{listings} listing(s)") and summary.endswith("replay clean"),
                  f"exit {status}: {summary}")
    rows = psql(args, "SELECT b.listing_id, c.book_id, c.command_id FROM offer_book_commands c JOIN offer_books b ON b.id = c.book_id "
                      "WHERE c.command_id > 1 AND c.events <> (SELECT events FROM offer_book_commands p "
                      "WHERE p.book_id = c.book_id AND p.command_id = c.command_id - 1) ORDER BY 2, 3 LIMIT 1")
    if not rows:
        results.check("a tampered offer book is caught by techmarket offers replay", False, "no book with two different commands")
        return
    listing, book, command = rows[0]
    swap = (f"UPDATE offer_book_commands c SET events = p.events FROM offer_book_commands p "
            f"WHERE c.book_id = {book} AND c.command_id = {command} AND p.book_id = {book} AND p.command_id = {int(command) - 1}")
    original = psql(args, f"SELECT encode(events, 'hex') FROM offer_book_commands WHERE book_id = {book} AND command_id = {command}")[0][0]
    psql(args, swap)
    try:
        status, out, err = techmarket(args, "offers", "replay", listing, "--database-url", args.conninfo)
        every_status, every_out, _ = techmarket(args, "offers", "replay", "--database-url", args.conninfo)
    finally:
        psql(args, f"UPDATE offer_book_commands SET events = decode('{original}', 'hex') WHERE book_id = {book} AND command_id = {command}")
    named = f"command {command} of" in out
    results.check("a tampered offer book is caught by techmarket offers replay", status == 1 and named,
                  f"listing {listing}, command {command}: exit {status}, {out.strip().splitlines()[:1]}")
    results.check("and by the replay of every listing", every_status == 1 and f"listing {listing}, " in every_out,
                  f"exit {every_status}, {every_out.strip().splitlines()[-1:]}")
    status, _, _ = techmarket(args, "offers", "replay", listing, "--database-url", args.conninfo)
    results.check("the restored book replays clean again", status == 0, f"exit {status}")


def open_lot(args, client):
    """The load's lot: an English lot of a fresh listing of the demo institute in a session of its
    own, consented, open for a day, with both demo firms' deposits received and their paddles
    registered. Made before the load, outside the tally."""
    def send(method, path, token, body=None, key=None, status=200):
        encoded = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        answer = client.send(method, path, token, encoded, key)
        if answer.status != status:
            raise ChaosError(f"setting up the load's lot: {method} {path}: {answer.status} {answer.body[:300]}")
        return answer.json()

    def at(seconds):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds))

    listing = send("POST", "/v1/listings", INSTITUTE_KEY, {
        "title": "混沌测试 拍卖标的", "summary": "故障测试用的科技成果：一项普通许可的拍卖。", "field": "geographic_information", "trl": 6,
        "transferModes": ["licence_non_exclusive"], "negotiable": True}, status=201)["id"]
    send("POST", f"/v1/listings/{listing}/publish", INSTITUTE_KEY)
    opens = 4  # seconds from now: the consent comes before the notice, the notice before the start
    session = send("POST", "/v1/sessions", ADMIN_KEY, {"title": "混沌测试专场", "noticeAt": at(opens - 1), "startsAt": at(opens)},
                   "chaos-session", status=201)["id"]
    lot = send("POST", f"/v1/sessions/{session}/lots", ADMIN_KEY, {
        "listingId": listing, "mode": "licence_non_exclusive", "format": "english", "openingPriceFen": LOT_OPENING_FEN,
        "reserveFen": LOT_OPENING_FEN, "incrementFen": LOT_INCREMENT_FEN, "startsAt": at(opens), "endsAt": at(86_400)},
        "chaos-lot", status=201)
    send("POST", f"/v1/lots/{lot['id']}/consent", INSTITUTE_KEY, {}, "chaos-consent")
    for n, key in enumerate((FIRM_KEY, FIRM2_KEY)):
        firm = send("GET", "/v1/me", key)["party"]["id"]
        send("POST", "/v1/deposits", ADMIN_KEY, {"firmId": firm, "amountFen": lot["depositFen"], "reference": f"CHAOS-{SEED}-{n}"},
             f"chaos-deposit-{n}", status=201)
        Market.paddles[key] = send("POST", f"/v1/lots/{lot['id']}/registrations", key, None, f"chaos-registration-{n}", status=201)["paddle"]
    Market.lot = lot["id"]
    deadline = time.monotonic() + opens + 5
    while send("GET", f"/v1/lots/{Market.lot}", FIRM_KEY)["phase"] != "open":
        if time.monotonic() > deadline:
            raise ChaosError(f"the load's lot {Market.lot} did not open")
        time.sleep(0.1)


def auctions_replay(args, results):
    """`techmarket auctions replay` on the load's lot: its recorded commands run through a fresh
    engine give the recorded events, result and money steps."""
    commands = psql(args, f"SELECT count(*) FROM lot_commands WHERE lot_id = {Market.lot}")[0][0]
    status, out, err = techmarket(args, "auctions", "replay", str(Market.lot), "--database-url", args.conninfo)
    results.check("techmarket auctions replay is clean on the load's lot", status == 0,
                  f"exit {status}, {commands} command(s): {(out + err).strip().splitlines()[-1] if (out + err).strip() else ''}")


def ledger_verify(args):
    started = time.monotonic()
    status, out, err = techmarket(args, "ledger", "verify", "--database-url", args.conninfo)
    return status == 0, (time.monotonic() - started) * 1000, (out + err).strip()


# MARK: - The three checks


class Results:
    def __init__(self):
        self.checks = []

    def check(self, name, ok, detail=""):
        self.checks.append((name, ok))
        log(f"{'PASS' if ok else 'FAIL'}  {name}{': ' + detail if detail else ''}")


def percentile(values, fraction):
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def kill_rounds(args, server, tally, rng, results):
    log(f"== {ROUNDS} rounds of kill -9 under load ({WORKERS} workers, {ROUND_SECONDS} s ± half a round each, seed {SEED})")
    restart_ms, lost_answers, resent_acknowledged, mismatched, unresolved = [], 0, 0, [], []
    replayed = 0
    half = {}
    verify_ms = []
    missing, unclean = [], []
    committed_total = 0
    for number in range(1, ROUNDS + 1):
        first = len(tally.requests)
        seconds = ROUND_SECONDS * rng.uniform(0.5, 1.5)
        stragglers = run_load(server.port, tally, rng, f"k{number}", lambda stop: (time.sleep(seconds), server.kill()))
        if stragglers:
            raise ChaosError(f"{len(stragglers)} workers did not stop after the kill")
        round_requests = tally.requests[first:]
        restart_ms.append(server.start(fixtures=False))
        lost_here = [r for r in round_requests if r.lost_answer and not r.acknowledged]
        lost_answers += len(lost_here)
        still = resend_lost(tally, server.port, round_requests)
        unresolved += still
        resent_acknowledged += sum(1 for r in lost_here if r.acknowledged)
        wrong = replay(tally, server.port, round_requests)
        mismatched += wrong
        replayed += sum(1 for r in round_requests if r.kept)
        broken = half_written(args)
        for name, count in broken.items():
            half[name] = max(half.get(name, 0), count)
        lost, doubled = acknowledged_effects(args, tally)
        missing += [text for text in lost + doubled if text not in missing]
        clean, verify_took, verify_text = ledger_verify(args)
        verify_ms.append(verify_took)
        if not clean:
            unclean.append(f"round {number}: {verify_text[-300:]}")
        resent = [r for r in lost_here if r.resent and r.acknowledged]
        committed = sum(1 for r in resent if r.answer.headers.get("idempotent-replayed") == "true")
        committed += sum(1 for r in lost_here if r.effect_seen)
        committed_total += committed
        latencies = [r.latency_ms for r in round_requests if r.latency_ms is not None]
        slowest = max(round_requests, key=lambda r: r.latency_ms or 0, default=None)
        acknowledged = sum(1 for r in round_requests if r.acknowledged)
        log(f"round {number:2}: {len(round_requests):4} requests, {acknowledged:4} acknowledged; {len(lost_here)} in flight at the kill: "
            f"{committed} had committed, {len(resent) - committed + sum(1 for r in lost_here if r.effect_seen)} ran when sent again, "
            f"{len(still)} neither; replays differing {len(wrong)}, lost {len(lost)}, doubled {len(doubled)}, "
            f"half-written {sum(broken.values())}, ledger {'clean' if clean else 'NOT CLEAN'}; load {seconds:.1f} s, "
            f"p50 {percentile(latencies, 0.5):.0f} ms, max {max(latencies, default=0):.0f} ms ({slowest.kind if slowest else ''}); "
            f"restart {restart_ms[-1]:.0f} ms")
    requests = len(tally.requests)
    acknowledged = sum(1 for r in tally.requests if r.acknowledged)
    log(f"kill rounds: {ROUNDS} rounds, {requests} requests, {acknowledged} acknowledged, {replayed} replayed, "
        f"{lost_answers} in flight at a kill ({committed_total} of them had committed; {resent_acknowledged} acknowledged "
        f"when sent again), lost {len(missing)}; restart to /health p50 {percentile(restart_ms, 0.5):.0f} ms, "
        f"max {max(restart_ms):.0f} ms; ledger verify p50 {percentile(verify_ms, 0.5):.0f} ms")
    for text in missing[:5] + unclean[:3]:
        log(f"  {text}")
    for request, answer in mismatched[:5]:
        log(f"  replay differs: {request.describe()} -> {answer.status if answer else 'no answer'} "
            f"{answer.headers.get('idempotent-replayed') if answer else ''} {answer.body[:200] if answer else ''}")
    for request in unresolved[:5]:
        log(f"  sent again, not acknowledged: {request.describe()}")
    results.check("kill rounds: every kept answer replays (Idempotent-Replayed: true)",
                  not mismatched, f"{replayed} replayed, {len(mismatched)} differed")
    results.check("kill rounds: every request in flight at a kill is settled when sent again (acknowledged, or a bid refused)",
                  not unresolved, f"{lost_answers} in flight, {len(unresolved)} not settled")
    results.check("kill rounds: after every round each acknowledged request is in the database exactly once",
                  not missing, f"{len(missing)} lost or doubled")
    results.check("kill rounds: ledger verify clean after every round", not unclean, f"{len(unclean)} rounds not clean")
    results.check("kill rounds: nothing half-written after any round", not half,
                  "; ".join(f"{k}: {v}" for k, v in half.items()) or "0 rows break any of "
                  f"{len(HALF_WRITTEN)} rules")
    return requests, acknowledged


def endpoints(args):
    """One request for every GET of the OpenAPI document, with ids from the database, each as a
    (label, method, path, token) — and the money POSTs, sent as a chain by the probe."""
    document = json.load(open(os.path.join(args.root, "Sources/MarketAPI/openapi.json")))
    program, = psql(args, "SELECT max(id) FROM voucher_programs")[0]
    number, = psql(args, "SELECT max(number) FROM vouchers WHERE firm_id = (SELECT id FROM parties WHERE handle = 'deqing-mogan-equip')")[0]
    redemption, = psql(args, "SELECT max(id) FROM voucher_redemptions")[0]
    settlement, = psql(args, "SELECT coalesce(max(id), 0) FROM settlement_batches")[0]
    listing, = psql(args, "SELECT min(id) FROM listings")[0]
    offer, = psql(args, "SELECT coalesce(max(id), 0) FROM offers")[0]
    contract, = psql(args, "SELECT coalesce(max(id), 0) FROM contracts WHERE seller_region = '330521'")[0]
    lot, = psql(args, "SELECT coalesce(min(id), 0) FROM lots")[0]
    values = {"/v1/regions/{code}": {"code": "330521"}, "/v1/parties/{id}": {"id": str(Market.firm_id)},
              "/v1/listings/{id}": {"id": listing}, "/v1/voucher-programs/{id}": {"id": program},
              "/v1/vouchers/{number}": {"number": number}, "/v1/redemptions/{id}": {"id": redemption},
              "/v1/settlements/{id}": {"id": settlement}, "/v1/listings/{id}/sale-terms": {"id": listing},
              "/v1/offers/{id}": {"id": offer}, "/v1/contracts/{id}": {"id": contract},
              "/v1/lots/{id}": {"id": lot}, "/v1/lots/{id}/bids": {"id": lot}}
    probes = []
    for path, operations in document["paths"].items():
        if "get" not in operations:
            continue
        concrete = path
        for name, value in values.get(path, {}).items():
            concrete = concrete.replace("{" + name + "}", value)
        if "{" in concrete or re.search(r"/0(/|$)", concrete):
            continue
        # The operator reads what the bureau may not (offers are their parties' and the operator's);
        # a firm reads its own registrations; a lot's live stream never ends, so it is not probed.
        if path.endswith("/events"):
            continue
        if path == "/v1/registrations":
            token = FIRM_KEY
        elif path.startswith(("/v1/voucher-programs", "/v1/settlements", "/metrics", "/v1/offers")):
            token = ADMIN_KEY
        else:
            token = BUREAU_KEY
        probes.append((f"GET {path}", "GET", concrete, token))
    return probes


def postgres_restart(args, server, tally, rng, results):
    log(f"== PostgreSQL stopped and started under load (down {PG_DOWN_SECONDS} s)")
    probes = endpoints(args)
    marks = {}
    first = len(tally.requests)
    statuses_before = dict(tally.statuses)

    def pg_ready():
        return subprocess.run(["pg_isready", "-q", "-h", args.socket, "-p", "5432"], timeout=10).returncode == 0

    def outage(stop):
        time.sleep(PG_LOAD_SECONDS / 2)
        marks["stop"] = time.monotonic()
        status, out, err = techmarket(args, "db", "stop", "--data-dir", args.data_dir)
        if status != 0:
            raise ChaosError(f"db stop failed: {out}{err}")
        marks["stopped"] = time.monotonic()
        time.sleep(PG_DOWN_SECONDS)
        starter = subprocess.Popen([args.binary, "db", "status", "--data-dir", args.data_dir],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not pg_ready() and time.monotonic() < deadline:
            time.sleep(0.01)
        marks["back"] = time.monotonic()
        # Every endpoint, probed in parallel from the moment PostgreSQL accepts connections.
        answered = {}
        threads = [threading.Thread(target=probe, args=(p, answered)) for p in probes + [("POST money chain", None, None, None)]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        marks["answered"] = answered
        starter.wait(timeout=60)
        time.sleep(PG_LOAD_SECONDS / 2)

    def probe(entry, answered):
        label, method, path, token = entry
        client = Client(server.port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if method is None:
                    ok = probe_chain(client)
                else:
                    answer = client.send(method, path, token)
                    tally.count(answer)
                    ok = answer.status == 200
                    if answer.status not in (200, 503):
                        tally.flag(f"probe {label}: {answer.status} {answer.body[:200]}")
            except (OSError, http.client.HTTPException) as error:
                tally.flag(f"probe {label}: no answer ({error})")
                ok = False
            if ok:
                answered[label] = (time.monotonic() - marks["back"]) * 1000
                break
            time.sleep(0.01)
        client.close()

    chain_state = {}

    def probe_chain(client):
        """Issue, redeem, claim and approve: each step once it passes (one key per step)."""
        if "number" not in chain_state:
            request = Request("issue", "POST", f"/v1/voucher-programs/{Market.programs[0]}/vouchers", BUREAU_KEY,
                              {"firmId": Market.firm_id, "faceValueFen": 10_000}, "ch-probe-issue")
            if not send_step(client, request, 201):
                return False
            chain_state["number"] = request.answer.json()["number"]
        if "redemption" not in chain_state:
            body = {"providerId": Market.provider_id, "contractReference": "CH-probe", "contractAmountFen": 400,
                    "voucherAmountFen": 200, "ownPaymentFen": 200}
            request = Request("redeem", "POST", f"/v1/vouchers/{chain_state['number']}/redemptions", FIRM_KEY, body, "ch-probe-redeem")
            if not send_step(client, request, 201):
                return False
            chain_state["redemption"] = request.answer.json()["id"]
        if "claimed" not in chain_state:
            request = Request("claim", "POST", f"/v1/redemptions/{chain_state['redemption']}/claim", LAB_KEY, {"evidence": ["probe"]})
            if not send_step(client, request, 200):
                return False
            chain_state["claimed"] = True
        request = Request("approve", "POST", f"/v1/redemptions/{chain_state['redemption']}/approve", BUREAU_KEY, None, "ch-probe-approve")
        return send_step(client, request, 200)

    def send_step(client, request, status):
        answer = client.send(request.method, request.path, request.token, request.body, request.key)
        tally.count(answer)
        if answer.status == 503:
            return False
        request.answer = answer
        tally.add(request)
        if answer.status != status:
            tally.flag(f"probe chain: {request.describe()}")
        return answer.status == status

    stragglers = run_load(server.port, tally, rng, "pg", outage, server_stays_up=True)
    if stragglers:
        tally.flag(f"{len(stragglers)} workers did not stop")
    answers = {s: tally.statuses.get(s, 0) - statuses_before.get(s, 0) for s in tally.statuses}
    answers = {s: n for s, n in sorted(answers.items()) if n}
    # A request whose last answer was a 503 (its retries ran out, or the load stopped) is sent
    # again now, with its key: the 503 said nothing of whether it had committed.
    still = resend_lost(tally, server.port, tally.requests[first:])
    for request in still:
        tally.flag(f"answered 503, then not acknowledged when sent again: {request.describe()}")
    answered = marks.get("answered", {})
    recovery = max(answered.values()) if len(answered) == len(probes) + 1 else None
    slowest = sorted(answered.items(), key=lambda item: -item[1])[:3]
    requests = tally.requests[first:]
    log(f"postgres restart: {len(requests)} load requests, answers by status {answers}; stop took "
        f"{(marks['stopped'] - marks['stop']) * 1000:.0f} ms; after PostgreSQL was back every one of {len(probes) + 1} "
        f"endpoints answered within {recovery if recovery is None else round(recovery)} ms "
        f"(slowest: {', '.join(f'{k} {v:.0f} ms' for k, v in slowest)})")
    flagged = list(tally.unexpected)
    for text in flagged[:8]:
        log(f"  {text}")
    results.check("postgres restart: only 2xx or 503 problem+json (with Retry-After) during the restart",
                  not flagged, f"{sum(answers.values())} answers, {answers.get(503, 0)} of them 503, {len(flagged)} otherwise")
    results.check(f"postgres restart: every endpoint answers within {RECOVERY_MS_MAX} ms of PostgreSQL accepting connections",
                  recovery is not None and recovery <= RECOVERY_MS_MAX,
                  f"{recovery:.0f} ms" if recovery is not None else f"{len(probes) + 1 - len(answered)} endpoints never answered")
    tally.unexpected.clear()


def two_servers(args, server, other, results):
    log(f"== two servers on one database: {REVOCATIONS} keys revoked, by the CLI and by SQL")
    other_ms = other.start(fixtures=False)
    log(f"server B answering after {other_ms:.0f} ms")
    clients = {server.name: Client(server.port), other.name: Client(other.port)}
    refused_ms = []
    still_accepted = []  # requests answered 200 between the revoking command's return and the first 401
    failures = []
    for number in range(REVOCATIONS):
        status, out, err = techmarket(args, "keys", "issue", "--party", "deqing-mogan-equip", "--role", "firm",
                                      "--label", f"chaos revocation {number}", "--database-url", args.conninfo)
        if status != 0:
            raise ChaosError(f"keys issue failed: {err}")
        token = out.strip().splitlines()[-1]
        me = {name: client.send("GET", "/v1/me", token) for name, client in clients.items()}
        if any(answer.status != 200 for answer in me.values()):
            failures.append(f"key {number} not accepted before its revocation: {[a.status for a in me.values()]}")
            continue
        key_id = me[server.name].json()["keyId"]
        # Both servers now keep the key's caller; revoke it behind their backs.
        by = "CLI" if number % 2 == 0 else "SQL"
        if by == "CLI":
            status, out, err = techmarket(args, "keys", "revoke", str(key_id), "--database-url", args.conninfo)
            if status != 0:
                raise ChaosError(f"keys revoke failed: {err}")
        else:
            psql(args, f"UPDATE api_keys SET revoked_at = now() WHERE id = {key_id}")
        revoked = time.monotonic()
        # Both servers asked in turn, so that neither's figure includes the other's waiting.
        first_401 = {name: None for name in clients}
        refusals = {name: 0 for name in clients}
        accepted_after = {name: 0 for name in clients}
        accepted_before = {name: 0 for name in clients}
        deadline = revoked + 5
        while time.monotonic() < deadline and min(refusals.values()) < 20:
            for name, client in clients.items():
                answer = client.send("GET", "/v1/me", token)
                if answer.status == 401:
                    if first_401[name] is None:
                        first_401[name] = (time.monotonic() - revoked) * 1000
                    refusals[name] += 1
                elif first_401[name] is not None:
                    accepted_after[name] += 1
                else:
                    accepted_before[name] += 1
            time.sleep(0.001)
        for name in clients:
            still_accepted.append(accepted_before[name])
            if first_401[name] is not None:
                refused_ms.append(first_401[name])
            if first_401[name] is None or first_401[name] > REVOKE_MS_MAX or accepted_after[name]:
                failures.append(f"key {key_id} revoked by {by}: server {name} refused it after "
                                f"{first_401[name] if first_401[name] is None else round(first_401[name])} ms, "
                                f"accepted it {accepted_after[name]} times after")
    for client in clients.values():
        client.close()
    other.stop()
    for text in failures:
        log(f"  {text}")
    log(f"two servers: {len(refused_ms)} refusals measured, from the revoking command's return to the first 401: "
        f"p50 {percentile(refused_ms, 0.5):.1f} ms, max {max(refused_ms, default=0):.1f} ms; requests still accepted "
        f"in between: {sum(still_accepted)} in all, at most {max(still_accepted, default=0)} per key and server")
    results.check(f"two servers: a revoked key is refused (401) by both within {REVOKE_MS_MAX} ms, and stays refused",
                  not failures and len(refused_ms) == 2 * REVOCATIONS, f"max {max(refused_ms, default=0):.1f} ms")


def graceful_shutdowns(args, server, tally, rng, results):
    log(f"== {SHUTDOWN_ROUNDS} rounds of SIGTERM under load ({WORKERS} workers, deadline {SHUTDOWN_DEADLINE_MS} ms)")
    exits, stop_ms, half_done, lost_total, unanswered = [], [], [], 0, []
    half = {}
    for number in range(1, SHUTDOWN_ROUNDS + 1):
        first = len(tally.requests)
        seconds = ROUND_SECONDS * rng.uniform(0.5, 1.5)
        outcome = {}

        def until(stop):
            time.sleep(seconds)
            outcome["status"], outcome["ms"] = server.terminate()

        stragglers = run_load(server.port, tally, rng, f"t{number}", until)
        if stragglers:
            raise ChaosError(f"{len(stragglers)} workers did not stop after the SIGTERM")
        exits.append(outcome["status"])
        stop_ms.append(outcome["ms"])
        round_requests = tally.requests[first:]
        server.start(fixtures=False)
        lost_here = [r for r in round_requests if r.lost_answer and not r.acknowledged]
        lost_total += len(lost_here)
        client = Client(server.port)
        for request in lost_here:
            if request.key is None:
                current = client.send("GET", f"/v1/redemptions/{request.chain}", request.token)
                if current.status == 200 and current.json()["status"] != "held":
                    half_done.append(f"claimed without an answer: {request.describe()}")
                continue
            answer = send_until_settled(client, tally, request)
            request.answer, request.resent = answer, True
            if not request.settled:
                unanswered.append(request)
            elif answer.headers.get("idempotent-replayed") == "true":
                half_done.append(f"committed without an answer: {request.describe()}")
        client.close()
        wrong = replay(tally, server.port, round_requests)
        half_done += [f"replay differs: {r.describe()}" for r, _ in wrong]
        broken = half_written(args)
        for name, count in broken.items():
            half[name] = max(half.get(name, 0), count)
        acknowledged = sum(1 for r in round_requests if r.acknowledged and not r.resent)
        log(f"round {number}: {len(round_requests):4} requests, {acknowledged:4} answered before the exit, {len(lost_here)} never "
            f"started; exit {outcome['status']} after {outcome['ms']:.0f} ms; half-written {sum(broken.values())}")
    for text in half_done[:8]:
        log(f"  {text}")
    for request in unanswered[:5]:
        log(f"  sent again, not acknowledged: {request.describe()}")
    results.check(f"SIGTERM: the server exits 0 within its {SHUTDOWN_DEADLINE_MS} ms deadline",
                  all(status == 0 for status in exits) and max(stop_ms) < SHUTDOWN_DEADLINE_MS,
                  f"exits {exits}, stop p50 {percentile(stop_ms, 0.5):.0f} ms, max {max(stop_ms):.0f} ms")
    results.check("SIGTERM: every request was answered or never started (none done without its answer)",
                  not half_done and not unanswered,
                  f"{lost_total} never started and ran when sent again, {len(half_done)} done without an answer, "
                  f"{len(unanswered)} not acknowledged when sent again")
    results.check("SIGTERM: nothing half-written", not half,
                  "; ".join(f"{k}: {v}" for k, v in half.items()) or f"0 rows break any of {len(HALF_WRITTEN)} rules")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-dir", required=True)
    args = parser.parse_args()
    args.root = os.getcwd()
    # scripts/chaos's time bound ends the run with SIGTERM: the servers are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(124))
    args.conninfo = f"host={args.socket} port=5432 user=postgres dbname={args.database}"
    rng = random.Random(SEED)
    started = time.monotonic()
    results = Results()
    tally = Tally()
    server = Server(args, args.port, "a")
    other = Server(args, args.port + 1, "b")
    phase = "start"
    try:
        first_ms = server.start(fixtures=True)
        log(f"server A answering after {first_ms:.0f} ms (migrated, demo fixtures loaded)")
        client = Client(server.port)
        Market.firm_id = client.send("GET", "/v1/me", FIRM_KEY).json()["party"]["id"]
        Market.provider_id = client.send("GET", "/v1/me", LAB_KEY).json()["party"]["id"]
        client.close()
        seeder = Worker("seed", server.port, tally, threading.Event(), rng, False, "seed")
        seeder.create_program()
        if not Market.programs:
            raise ChaosError(f"the first program was refused: {tally.unexpected}")
        client = Client(server.port)
        open_lot(args, client)
        client.close()
        log(f"lot {Market.lot} open, paddles {sorted(Market.paddles.values())}")

        phase = "kill rounds"
        kill_rounds(args, server, tally, rng, results)
        flagged = list(tally.unexpected)
        for text in flagged[:8]:
            log(f"  {text}")
        results.check("kill rounds: no answer but the load's own (no 5xx, no refusal) while the server ran",
                      not flagged, f"answers by status {dict(sorted(tally.statuses.items()))}")
        tally.unexpected.clear()

        phase = "graceful shutdown"
        graceful_shutdowns(args, server, tally, rng, results)
        for text in tally.unexpected[:8]:
            log(f"  {text}")
        results.check("SIGTERM: no answer but the load's own while the server shut down",
                      not tally.unexpected, f"answers by status {dict(sorted(tally.statuses.items()))}")
        tally.unexpected.clear()

        phase = "postgres restart"
        postgres_restart(args, server, tally, rng, results)

        phase = "the database check"
        log("== the database after the kills and the restart")
        lost, doubled = acknowledged_effects(args, tally)
        broken = half_written(args)
        ok, verify_ms, verify_text = ledger_verify(args)
        acknowledged = sum(1 for r in tally.requests if r.acknowledged)
        found_done = sum(1 for r in tally.requests if r.effect_seen)
        bids = [r for r in tally.requests if r.kind == "bid"]
        log(f"bids: {len(bids)} sent, {sum(1 for r in bids if r.acknowledged)} accepted, "
            f"{sum(1 for r in bids if r.refused and r.answer.code == 'bid_too_low')} too low, "
            f"{sum(1 for r in bids if r.refused and r.answer.code == 'already_leading')} from the leader")
        log(f"figures: rounds {ROUNDS}, requests {len(tally.requests)} ({tally.sent} sent with retries and replays), "
            f"acknowledged {acknowledged} (and {found_done} claims found done after their answer was lost), "
            f"lost {len(lost)}, doubled {len(doubled)}, half-written {sum(broken.values())}")
        for text in (lost + doubled)[:10]:
            log(f"  {text}")
        for name, count in broken.items():
            log(f"  half-written: {name}: {count}")
        results.check("every acknowledged request is in the database exactly once, with its key's answer",
                      not lost and not doubled, f"{acknowledged} acknowledged, {len(lost)} lost, {len(doubled)} doubled or unacknowledged")
        results.check("nothing half-written", not broken, f"{len(HALF_WRITTEN)} rules, {sum(broken.values())} rows break them")
        results.check("techmarket ledger verify is clean", ok,
                      f"{verify_ms:.0f} ms: {verify_text.splitlines()[-1] if verify_text else ''}")

        phase = "offers replay"
        offers_replay(args, results)

        phase = "auctions replay"
        auctions_replay(args, results)

        phase = "two servers"
        two_servers(args, server, other, results)
    except (ChaosError, OSError, http.client.HTTPException, subprocess.SubprocessError, KeyError, TypeError, ValueError) as error:
        traceback.print_exc()
        results.check(f"the run went through ({phase} stopped it)", False, f"{type(error).__name__}: {error}")
    finally:
        other.kill()
        server.stop()
    failed = sum(1 for _, ok in results.checks if not ok)
    log(f"chaos: seed {SEED}, {time.monotonic() - started:.0f} s")
    log(f"{len(results.checks) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""The live stream's fan-out for scripts/bench-auctions: WATCHERS connections to one lot's
`GET /v1/lots/{id}/events` (connected 100 at a time, every 0.1 s), then BIDS bids half a second
apart by two firms in turn, each the least next bid; for every bid, the time from its HTTP answer
to its event's arrival at each watcher. Prints one RESULT line: watchers, events, missing, p50 and
p99 in ms. Usage: bench_auctions_fanout.py PORT LOT KEY_A,KEY_B OPENING_FEN INCREMENT_FEN [WATCHERS] [BIDS]."""
import asyncio, json, sys, time, uuid

port, lot = int(sys.argv[1]), sys.argv[2]
keys = sys.argv[3].split(",")[:2]
opening, increment = int(sys.argv[4]), int(sys.argv[5])
watcher_count = int(sys.argv[6]) if len(sys.argv) > 6 else 1_000
bid_count = int(sys.argv[7]) if len(sys.argv) > 7 else 20


async def watch(arrivals, ready):
    """One watcher: the sequence numbers it received, with their arrival times."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    writer.write(f"GET /v1/lots/{lot}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    status = await reader.readline()
    if b" 200 " not in status:
        raise SystemExit(f"a watcher was answered {status.decode().strip()}")
    ready.set()
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            if line.startswith(b"id:"):
                arrivals[int(line[3:].strip())] = time.monotonic()
    except (asyncio.CancelledError, ConnectionError):
        pass
    finally:
        writer.close()


async def bid(key, amount):
    """A bid over HTTP/1.1 on a connection of its own; the time its answer arrived."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = json.dumps({"amountFen": amount}).encode()
    writer.write((f"POST /v1/lots/{lot}/bids HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
                  f"Idempotency-Key: {uuid.uuid4()}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                  "Connection: close\r\n\r\n").encode() + body)
    await writer.drain()
    status = await reader.readline()
    answered = time.monotonic()
    await reader.read()
    writer.close()
    if b" 201 " not in status:
        raise SystemExit(f"a bid was answered {status.decode().strip()}")
    return answered


async def main():
    arrivals = [dict() for _ in range(watcher_count)]
    tasks = []
    for start in range(0, watcher_count, 100):
        readies = []
        for i in range(start, min(start + 100, watcher_count)):
            ready = asyncio.Event()
            readies.append(ready)
            tasks.append(asyncio.create_task(watch(arrivals[i], ready)))
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 30)
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)
    answered = {}
    for k in range(bid_count):
        answered[k + 1] = await bid(keys[k % 2], opening + k * increment)
        await asyncio.sleep(0.5)
    await asyncio.sleep(1)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    delays = sorted((got[sequence] - at) * 1000 for got in arrivals for sequence, at in answered.items() if sequence in got)
    missing = watcher_count * bid_count - len(delays)
    p50 = delays[len(delays) // 2] if delays else float("nan")
    p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))] if delays else float("nan")
    print(f"RESULT watchers={watcher_count} events={bid_count} missing={missing} p50_ms={p50:.1f} p99_ms={p99:.1f}")


asyncio.run(main())

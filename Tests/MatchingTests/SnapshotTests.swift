import Matching
import SeededRandom
import Testing

/// Snapshots decode to an equal state, and a restored engine carries on exactly like the original.
@Suite struct SnapshotTests {
    @Test("English: snapshot round trip mid-stream, then both carry on alike", arguments: Seeds.list(count: 60, salt: 0x81))
    func english(seed: UInt64) throws {
        var stream = EnglishStream(seed: seed)
        var original = try EnglishAuction(config: stream.config)
        _ = stream.run(count: 80, on: &original, close: false)
        var restored = try EnglishAuction(snapshot: original.snapshot())
        #expect(restored == original, "seed \(seed)")
        var a: [AuctionEvent] = [], b: [AuctionEvent] = []
        for _ in 0..<80 {
            let c = stream.next(minimumBidFen: original.minimumBidFen, endAtMs: original.endAtMs)
            original.apply(c, into: &a)
            restored.apply(c, into: &b)
        }
        #expect(a == b, "seed \(seed)")
        #expect(restored == original, "seed \(seed)")
    }

    @Test("listing book: snapshot round trip mid-stream, then both carry on alike", arguments: Seeds.list(count: 60, salt: 0x82))
    func listing(seed: UInt64) throws {
        var stream = ListingStream(seed: seed)
        var original = try ListingBook(config: stream.config)
        var scratch: [ListingEvent] = []
        for _ in 0..<60 { original.apply(stream.next(askFen: original.askFen), into: &scratch) }
        var restored = try ListingBook(snapshot: original.snapshot())
        #expect(restored == original, "seed \(seed)")
        var a: [ListingEvent] = [], b: [ListingEvent] = []
        for _ in 0..<90 {
            let c = stream.next(askFen: original.askFen)
            original.apply(c, into: &a)
            restored.apply(c, into: &b)
        }
        #expect(a == b, "seed \(seed)")
        #expect(restored == original, "seed \(seed)")
    }

    @Test("Dutch and sealed: snapshot round trip", arguments: Seeds.list(count: 40, salt: 0x83))
    func dutchAndSealed(seed: UInt64) throws {
        var ds = DutchStream(seed: seed)
        var dutch = try DutchAuction(config: ds.config)
        var ss = SealedStream(seed: seed)
        var sealed = try SealedBidAuction(config: ss.config)
        var events: [AuctionEvent] = []
        for _ in 0..<40 {
            dutch.apply(ds.next(), into: &events)
            sealed.apply(ss.next(), into: &events)
        }
        #expect(try DutchAuction(snapshot: dutch.snapshot()) == dutch, "seed \(seed)")
        #expect(try SealedBidAuction(snapshot: sealed.snapshot()) == sealed, "seed \(seed)")
    }

    @Test("damaged, truncated or foreign snapshots are refused")
    func damaged() throws {
        var stream = EnglishStream(seed: 42)
        var auction = try EnglishAuction(config: stream.config)
        _ = stream.run(count: 50, on: &auction)
        let bytes = auction.snapshot()
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(throws: SnapshotError.checksumMismatch) { try EnglishAuction(snapshot: flipped) }
        #expect(throws: SnapshotError.truncated) { try EnglishAuction(snapshot: Array(bytes.prefix(6))) }
        #expect(throws: SnapshotError.wrongKind(expected: 4, found: 1)) { try ListingBook(snapshot: bytes) }
    }

    @Test("equal states give equal bytes; different states give different bytes")
    func deterministicBytes() throws {
        let (a, _) = EnglishStream.trace(seed: 7, count: 100)
        let (b, _) = EnglishStream.trace(seed: 7, count: 100)
        let (c, _) = EnglishStream.trace(seed: 7, count: 101)
        #expect(a.snapshot() == b.snapshot())
        #expect(a.snapshot() != c.snapshot())
    }
}

import Matching
import SeededRandom
import Testing

/// Replaying a recorded command log (through its byte encoding) reproduces the live state and events exactly.
@Suite struct ReplayTests {
    /// Encodes commands as a log, decodes them back, and checks the round trip.
    static func roundTripLog<C>(_ commands: [C], encode: (C, inout SnapshotWriter) -> Void,
                                decode: (inout SnapshotReader) throws(SnapshotError) -> C) throws -> [C] {
        var writer = SnapshotWriter()
        for c in commands { encode(c, &writer) }
        var reader = SnapshotReader(writer.bytes)
        var decoded: [C] = []
        while !reader.isAtEnd { decoded.append(try decode(&reader)) }
        return decoded
    }

    @Test("English: replay equals live", arguments: Seeds.list(count: 60, salt: 0x71))
    func english(seed: UInt64) throws {
        let (live, steps) = EnglishStream.trace(seed: seed, count: 200)
        let log = try Self.roundTripLog(steps.map(\.command), encode: { $0.encode(into: &$1) }, decode: { r throws(SnapshotError) in try AuctionCommand(decoding: &r) })
        #expect(log == steps.map(\.command), "seed \(seed): the log did not round-trip")
        var replayed = try EnglishAuction(config: live.config)
        var events: [AuctionEvent] = []
        for command in log { replayed.apply(command, into: &events) }
        #expect(replayed == live, "seed \(seed)")
        #expect(events == steps.flatMap(\.events), "seed \(seed)")
        #expect(replayed.snapshot() == live.snapshot(), "seed \(seed)")
    }

    @Test("listing book: replay equals live", arguments: Seeds.list(count: 60, salt: 0x72))
    func listing(seed: UInt64) throws {
        var stream = ListingStream(seed: seed)
        var live = try ListingBook(config: stream.config)
        var liveEvents: [ListingEvent] = []
        var commands: [ListingCommand] = []
        for _ in 0..<150 {
            let c = stream.next(askFen: live.askFen)
            commands.append(c)
            live.apply(c, into: &liveEvents)
        }
        let log = try Self.roundTripLog(commands, encode: { $0.encode(into: &$1) }, decode: { r throws(SnapshotError) in try ListingCommand(decoding: &r) })
        #expect(log == commands)
        var replayed = try ListingBook(config: stream.config)
        var events: [ListingEvent] = []
        for c in log { replayed.apply(c, into: &events) }
        #expect(replayed == live, "seed \(seed)")
        #expect(events == liveEvents, "seed \(seed)")
        #expect(replayed.snapshot() == live.snapshot(), "seed \(seed)")
        let eventLog = try Self.roundTripLog(liveEvents, encode: { $0.encode(into: &$1) }, decode: { r throws(SnapshotError) in try ListingEvent(decoding: &r) })
        #expect(eventLog == liveEvents, "seed \(seed): the events did not round-trip")
    }

    @Test("Dutch and sealed: replay equals live", arguments: Seeds.list(count: 60, salt: 0x73))
    func dutchAndSealed(seed: UInt64) throws {
        var dutchStream = DutchStream(seed: seed)
        let dutchCommands = (0..<60).map { _ in dutchStream.next() }
        var sealedStream = SealedStream(seed: seed)
        let sealedCommands = (0..<60).map { _ in sealedStream.next() }
        func run<E: AuctionEngine>(_ engine: E, _ commands: [AuctionCommand]) -> (E, [AuctionEvent]) {
            var e = engine
            var events: [AuctionEvent] = []
            for c in commands { e.apply(c, into: &events) }
            return (e, events)
        }
        // Live from the commands as made; replayed from the log they were written to and read back.
        func log(_ commands: [AuctionCommand]) throws -> [AuctionCommand] {
            let decoded = try Self.roundTripLog(commands, encode: { $0.encode(into: &$1) }, decode: { r throws(SnapshotError) in try AuctionCommand(decoding: &r) })
            #expect(decoded == commands, "seed \(seed): the log did not round-trip")
            return decoded
        }
        let d1 = run(try DutchAuction(config: dutchStream.config), dutchCommands)
        let d2 = run(try DutchAuction(config: dutchStream.config), try log(dutchCommands))
        #expect(d1.0 == d2.0 && d1.1 == d2.1, "seed \(seed)")
        #expect(d1.0.snapshot() == d2.0.snapshot(), "seed \(seed)")
        let s1 = run(try SealedBidAuction(config: sealedStream.config), sealedCommands)
        let s2 = run(try SealedBidAuction(config: sealedStream.config), try log(sealedCommands))
        #expect(s1.0 == s2.0 && s1.1 == s2.1, "seed \(seed)")
        #expect(s1.0.snapshot() == s2.0.snapshot(), "seed \(seed)")
    }
}

import Foundation
import Matching

// The auction engines behind lots (Matching: EnglishAuction, DutchAuction, SealedBidAuction):
// one per lot, recovered from its latest snapshot and the commands after it, driven by one
// command per use case, each command and its events kept in the lot's log.

/// One lot's engine, whatever its format.
public enum LotEngine: Sendable, Equatable {
    case english(EnglishAuction)
    case dutch(DutchAuction)
    case sealed(SealedBidAuction)

    static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// A fresh engine on the lot's terms.
    public init(_ terms: LotTerms) throws {
        let start = Self.ms(terms.startsAt), end = Self.ms(terms.endsAt)
        do {
            switch terms.format {
            case .english:
                self = .english(try EnglishAuction(config: EnglishAuctionConfig(
                    openingPriceFen: terms.openingPriceFen, reserveFen: terms.reserveFen, incrementFen: terms.incrementFen, startAtMs: start,
                    endAtMs: end, extensionWindowMs: Int64(terms.extensionWindowSeconds) * 1000, extensionCountMax: terms.extensionCountMax.map { Int32($0) },
                    bidderCountMax: AuctionLimits.biddersPerLotMax)))
            case .dutch:
                self = .dutch(try DutchAuction(config: DutchAuctionConfig(
                    openingPriceFen: terms.openingPriceFen, stepFen: terms.incrementFen, intervalMs: Int64(terms.dutchIntervalSeconds ?? 60) * 1000,
                    floorFen: terms.reserveFen, startAtMs: start, endAtMs: end, bidderCountMax: AuctionLimits.biddersPerLotMax)))
            case .sealedFirstPrice, .sealedSecondPrice:
                self = .sealed(try SealedBidAuction(config: SealedBidAuctionConfig(
                    openingPriceFen: terms.openingPriceFen, reserveFen: terms.reserveFen,
                    pricing: terms.format == .sealedFirstPrice ? .firstPrice : .secondPrice, startAtMs: start, endAtMs: end,
                    bidderCountMax: AuctionLimits.biddersPerLotMax)))
            }
        } catch {
            throw LotInconsistent("the lot's terms were refused by the engine: \(error)")
        }
    }

    /// An engine restored from its snapshot.
    public init(format: LotFormat, snapshot: [UInt8]) throws {
        do {
            switch format {
            case .english: self = .english(try EnglishAuction(snapshot: snapshot))
            case .dutch: self = .dutch(try DutchAuction(snapshot: snapshot))
            case .sealedFirstPrice, .sealedSecondPrice: self = .sealed(try SealedBidAuction(snapshot: snapshot))
            }
        } catch {
            throw LotInconsistent("a lot's snapshot is unreadable: \(error)")
        }
    }

    public mutating func apply(_ command: AuctionCommand, into events: inout [AuctionEvent]) {
        switch self {
        case .english(var engine):
            engine.apply(command, into: &events)
            self = .english(engine)
        case .dutch(var engine):
            engine.apply(command, into: &events)
            self = .dutch(engine)
        case .sealed(var engine):
            engine.apply(command, into: &events)
            self = .sealed(engine)
        }
    }

    public func snapshot() -> [UInt8] {
        switch self {
        case .english(let engine): return engine.snapshot()
        case .dutch(let engine): return engine.snapshot()
        case .sealed(let engine): return engine.snapshot()
        }
    }

    public var outcome: AuctionOutcome? {
        switch self {
        case .english(let engine): return engine.outcome
        case .dutch(let engine): return engine.outcome
        case .sealed(let engine): return engine.outcome
        }
    }

    /// The end after any extension.
    public var endAtMs: Int64 {
        switch self {
        case .english(let engine): return engine.endAtMs
        case .dutch(let engine): return engine.config.endAtMs
        case .sealed(let engine): return engine.config.endAtMs
        }
    }

    /// The least bid the lot accepts now (English and sealed), or the Dutch price at `atMs`.
    public func minimumBidFen(atMs: Int64) -> Int64 {
        switch self {
        case .english(let engine): return engine.minimumBidFen
        case .dutch(let engine): return engine.priceFen(atMs: atMs)
        case .sealed(let engine): return engine.config.openingPriceFen
        }
    }

    /// The bidder's own maximum (English).
    public func maximumFen(of bidder: Matching.PartyID) -> Int64? {
        if case .english(let engine) = self { return engine.maximumFen(of: bidder) }
        return nil
    }

    /// Restores the engine from a snapshot (or the terms) and the encoded commands after it.
    public static func recover(_ terms: LotTerms, snapshot: [UInt8]?, tail: [[UInt8]]) throws -> LotEngine {
        var engine = try snapshot.map { try LotEngine(format: terms.format, snapshot: $0) } ?? LotEngine(terms)
        var events: [AuctionEvent] = []
        for bytes in tail {
            events.removeAll(keepingCapacity: true)
            engine.apply(try AuctionLog.command(bytes), into: &events)
        }
        return engine
    }
}

/// One command of a lot's log as kept: the engine's encoding of the command, and its events in
/// `AuctionLog.text` form.
public struct LotLogEntry: Sendable, Equatable {
    public var commandID: UInt64
    public var command: [UInt8]
    public var events: String

    public init(commandID: UInt64, command: [UInt8], events: String) {
        self.commandID = commandID
        self.command = command
        self.events = events
    }
}

/// How a lot's log writes commands and events, and reads commands back.
public enum AuctionLog {
    public static func encode(_ command: AuctionCommand) -> [UInt8] {
        var writer = SnapshotWriter(capacity: 32)
        command.encode(into: &writer)
        return writer.bytes
    }

    public static func command(_ bytes: [UInt8]) throws -> AuctionCommand {
        var reader = SnapshotReader(bytes)
        do {
            let command = try AuctionCommand(decoding: &reader)
            guard reader.isAtEnd else { throw SnapshotError.trailingBytes }
            return command
        } catch {
            throw LotInconsistent("a command of a lot's log is unreadable: \(error)")
        }
    }

    /// The events of one command, one line each, in a fixed form: what the replay audit compares.
    public static func text(_ events: [AuctionEvent]) -> String {
        events.map(line).joined(separator: "\n")
    }

    static func line(_ event: AuctionEvent) -> String {
        switch event {
        case .registered(let command, let bidder): return "registered cmd=\(command.rawValue) bidder=\(bidder.rawValue)"
        case .bidAccepted(let bid):
            return "bid cmd=\(bid.commandID.rawValue) bidder=\(bid.bidder.rawValue) at=\(bid.atMs) kind=\(bid.kind.rawValue) bid=\(bid.bidFen) price=\(bid.priceFen) leader=\(bid.leader.rawValue)"
        case .sealedBidLodged(let command, let bidder, let atMs): return "sealed cmd=\(command.rawValue) bidder=\(bidder.rawValue) at=\(atMs)"
        case .sealedBidRevealed(let bidder, let amount): return "revealed bidder=\(bidder.rawValue) amount=\(amount)"
        case .refused(let refusal):
            return "refused cmd=\(refusal.commandID.rawValue) bidder=\(refusal.bidder.map { String($0.rawValue) } ?? "-") at=\(refusal.atMs) reason=\(refusal.reason.rawValue) minimum=\(refusal.minimumFen)"
        case .extended(let command, let endAtMs, let count): return "extended cmd=\(command.rawValue) end=\(endAtMs) count=\(count)"
        case .closed(let command, let atMs, let outcome):
            switch outcome {
            case .sold(let winner, let price): return "closed cmd=\(command.rawValue) at=\(atMs) sold winner=\(winner.rawValue) price=\(price)"
            case .noSale(let reason): return "closed cmd=\(command.rawValue) at=\(atMs) no_sale reason=\(reason.rawValue)"
            }
        case .repeated(let command): return "repeated cmd=\(command.rawValue)"
        }
    }
}

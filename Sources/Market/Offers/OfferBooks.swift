import Foundation
import Matching

// The listing books (Matching.ListingBook) behind offers: one per transfer mode of a listing,
// opened on the mode's first offer, recovered from the latest snapshot and the commands after
// it, and driven with commands whose encoded form and events are kept in the book's log.

/// A book as the store keeps it: its terms, the latest snapshot, and the commands after it.
public struct StoredBook: Sendable, Equatable {
    public var id: Int64
    public var mode: TransferMode
    /// The terms the book opened with (its engine's configuration).
    public var terms: BookTerms
    /// Batched matching until this time (the offer window the book opened with); nil: continuous.
    public var windowClosesAt: Date?
    /// Whether the window's batch match has run.
    public var windowMatched: Bool
    public var lastCommandID: UInt64
    /// The snapshot and the id of the last command it includes (0: none yet).
    public var snapshot: [UInt8]?
    public var snapshotCommandID: UInt64
    /// The encoded commands after the snapshot, in order.
    public var tail: [[UInt8]]

    public init(
        id: Int64, mode: TransferMode, terms: BookTerms, windowClosesAt: Date?, windowMatched: Bool, lastCommandID: UInt64,
        snapshot: [UInt8]?, snapshotCommandID: UInt64, tail: [[UInt8]]
    ) {
        self.id = id
        self.mode = mode
        self.terms = terms
        self.windowClosesAt = windowClosesAt
        self.windowMatched = windowMatched
        self.lastCommandID = lastCommandID
        self.snapshot = snapshot
        self.snapshotCommandID = snapshotCommandID
        self.tail = tail
    }
}

/// A book's opening terms: the engine's configuration but for the mode, which follows from the
/// listing's transfer mode.
public struct BookTerms: Sendable, Equatable {
    public var askFen: Int64
    public var seatCount: Int
    public var matchOnArrival: Bool
    public var offerCountMax: Int

    public init(askFen: Int64, seatCount: Int, matchOnArrival: Bool, offerCountMax: Int) {
        self.askFen = askFen
        self.seatCount = seatCount
        self.matchOnArrival = matchOnArrival
        self.offerCountMax = offerCountMax
    }

    init(_ config: ListingBookConfig) {
        self.init(askFen: config.askFen, seatCount: config.seatCount, matchOnArrival: config.matchOnArrival, offerCountMax: config.offerCountMax)
    }

    func config(_ mode: TransferMode) -> ListingBookConfig {
        ListingBookConfig(askFen: askFen, mode: mode.engineMode, seatCount: seatCount, matchOnArrival: matchOnArrival, offerCountMax: offerCountMax)
    }
}

/// One command as the log keeps it: the engine's encoding of the command and of its events.
public struct LoggedCommand: Sendable, Equatable {
    public var commandID: UInt64
    public var command: [UInt8]
    public var events: [UInt8]

    public init(commandID: UInt64, command: [UInt8], events: [UInt8]) {
        self.commandID = commandID
        self.command = command
        self.events = events
    }
}

/// A live book: the engine recovered, and what this unit of work appended to its log.
public struct OfferBook: Sendable {
    /// nil for a book this unit of work opens.
    public var id: Int64?
    public var mode: TransferMode
    public var engine: ListingBook
    public var windowClosesAt: Date?
    public var windowMatched: Bool
    public var lastCommandID: UInt64
    public var commandsSinceSnapshot: Int
    public var appended: [LoggedCommand] = []

    /// Take a snapshot after this many commands, so that a recovery replays at most this many.
    public static let snapshotIntervalCommands = 16
    /// Offers a recovered book reserves room for beyond those it holds: it lives for one use
    /// case's few commands, so it reserves what it holds, not its book's limit (whose storage,
    /// zeroed on every recovery, cost more than the use case's own work).
    static let reservedOffersHeadroom = 8

    /// Recovers the engine from the snapshot and the commands after it.
    public init(_ stored: StoredBook) throws {
        var engine: ListingBook
        if let snapshot = stored.snapshot {
            do { engine = try ListingBook(snapshot: snapshot, reservingOffers: stored.tail.count + Self.reservedOffersHeadroom) } catch {
                throw OfferBookInconsistent("book \(stored.id): snapshot unreadable: \(error)")
            }
        } else {
            do {
                engine = try ListingBook(config: stored.terms.config(stored.mode), reservingOffers: stored.tail.count + Self.reservedOffersHeadroom)
            } catch {
                throw OfferBookInconsistent("book \(stored.id): terms refused: \(error)")
            }
        }
        var events: [ListingEvent] = []
        for bytes in stored.tail {
            var reader = SnapshotReader(bytes)
            let command: ListingCommand
            do { command = try ListingCommand(decoding: &reader) } catch {
                throw OfferBookInconsistent("book \(stored.id): a command of the log is unreadable: \(error)")
            }
            events.removeAll(keepingCapacity: true)
            engine.apply(command, into: &events)
        }
        id = stored.id
        mode = stored.mode
        self.engine = engine
        windowClosesAt = stored.windowClosesAt
        windowMatched = stored.windowMatched
        lastCommandID = stored.lastCommandID
        commandsSinceSnapshot = stored.tail.count
    }

    /// Opens a book for a mode's first offer.
    public init(opening mode: TransferMode, listing: Listing, terms: SaleTerms, now: Date) throws {
        let batched = terms.offerWindowClosesAt.map { $0 > now } ?? false
        let config = ListingBookConfig(
            askFen: OfferBook.engineAsk(listing), mode: mode.engineMode, seatCount: mode.isExclusiveSale ? 1 : terms.licenceSeats,
            matchOnArrival: !batched, offerCountMax: OfferLimits.offersPerBookMax)
        do { engine = try ListingBook(config: config, reservingOffers: Self.reservedOffersHeadroom) } catch {
            throw OfferBookInconsistent("listing \(listing.id): book terms refused: \(error)")
        }
        id = nil
        self.mode = mode
        windowClosesAt = batched ? terms.offerWindowClosesAt : nil
        windowMatched = false
        lastCommandID = 0
        commandsSinceSnapshot = 0
    }

    /// The ask the engine matches against: the listing's, or for a negotiable (面议) listing the
    /// engine's largest price, above any price an offer may name, so that every offer rests for
    /// the institution.
    public static func engineAsk(_ listing: Listing) -> Int64 {
        listing.content.askingPriceFen ?? MatchingLimits.priceFenMax
    }

    /// Whether new offers are matched only in a batch (the offer window is still open).
    public func isBatching(at now: Date) -> Bool {
        guard let closes = windowClosesAt else { return false }
        return !windowMatched || closes > now
    }

    /// Applies one command, logging it, and returns its events.
    public mutating func apply(_ action: ListingAction, atMs: Int64) -> [ListingEvent] {
        lastCommandID += 1
        let command = ListingCommand(id: CommandID(lastCommandID), atMs: atMs, action: action)
        var events: [ListingEvent] = []
        events.reserveCapacity(engine.eventCountMaxPerCommand)
        engine.apply(command, into: &events)
        var commandWriter = SnapshotWriter(capacity: 32)
        command.encode(into: &commandWriter)
        var eventWriter = SnapshotWriter(capacity: 32 * events.count)
        for event in events { event.encode(into: &eventWriter) }
        appended.append(LoggedCommand(commandID: lastCommandID, command: commandWriter.bytes, events: eventWriter.bytes))
        commandsSinceSnapshot += 1
        return events
    }

    /// A snapshot to keep with this unit of work's commands, when one is due.
    public var snapshotDue: [UInt8]? {
        commandsSinceSnapshot >= Self.snapshotIntervalCommands ? engine.snapshot() : nil
    }

    /// Seats sold so far.
    public var seatsSold: Int { engine.fills.count }
    /// Whether the book still sells.
    public var isOpen: Bool { engine.isOpen }
    /// The terms it opened with.
    public var openingTerms: BookTerms { BookTerms(engine.config) }
}

/// The engine's ids for the market's offers and parties. An offer's engine id carries its round:
/// a firm's new price is a new engine offer (the old one cancelled), so that the engine always
/// holds the firm's current price.
enum EngineID {
    static func offer(_ id: OfferID, round: Int) -> Matching.OfferID {
        precondition(round >= 0 && round < 256, "rounds are fewer than 256 (OfferLimits.roundsMax)")
        return Matching.OfferID(UInt64(id.value) << 8 | UInt64(round))
    }

    static func offerID(_ engine: Matching.OfferID) -> OfferID { OfferID(Int64(engine.rawValue >> 8)) }

    static func party(_ id: PartyID) -> Matching.PartyID { Matching.PartyID(UInt64(id.value)) }
}

extension TransferMode {
    /// The engine's mode: equity (作价入股) and co-development (合作开发) go to one partner, as an
    /// assignment does.
    var engineMode: Matching.TransferMode {
        switch self {
        case .assignment, .equity, .coDevelopment: return .assignment
        case .licenceExclusive: return .exclusiveLicence
        case .licenceSole: return .soleLicence
        case .licenceNonExclusive: return .nonExclusiveLicence
        }
    }

    /// Whether one sale ends the listing (every mode but the non-exclusive licence).
    public var isExclusiveSale: Bool { self != .licenceNonExclusive }

    /// The licences that cannot be granted once a non-exclusive licence is sold.
    var excludedByNonExclusiveLicences: Bool { self == .licenceExclusive || self == .licenceSole }
}

extension ListingCommand {
    /// Reads one command of a log.
    static func decoded(_ bytes: [UInt8]) throws(SnapshotError) -> ListingCommand {
        var reader = SnapshotReader(bytes)
        let command = try ListingCommand(decoding: &reader)
        guard reader.isAtEnd else { throw .trailingBytes }
        return command
    }
}

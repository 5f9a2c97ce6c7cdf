/// A command to an auction lot: what happened, when, and its position in the lot's log.
public struct AuctionCommand: Sendable, Equatable {
    /// The command's position in the lot's log; a repeat has no effect.
    public var id: CommandID
    /// When the command was received, in milliseconds since the epoch (given, never read from a clock).
    public var atMs: Int64
    /// What the command asks for.
    public var action: AuctionAction

    /// Builds a command.
    public init(id: CommandID, atMs: Int64, action: AuctionAction) {
        self.id = id
        self.atMs = atMs
        self.action = action
    }
}

/// What an auction command asks for.
public enum AuctionAction: Sendable, Equatable {
    /// Registers a bidder whose deposit (保证金) the ledger already holds.
    case register(PartyID)
    /// A manual bid of exactly `amountFen` (English and sealed-bid lots).
    case bid(PartyID, amountFen: Int64)
    /// A proxy bid (代理出价): the system bids for the bidder up to `maxFen` (English lots).
    case proxyBid(PartyID, maxFen: Int64)
    /// Accepts the current price of a Dutch lot (减价: first acceptance buys).
    case accept(PartyID)
    /// Closes the lot at or after its end and settles the outcome.
    case close
    /// The auctioneer's hammer (落槌) in a live English auction: closes the lot now, before its
    /// end, as at its end (once it has started; other formats refuse it).
    case hammer
}

/// How an accepted bid was placed.
public enum BidKind: UInt8, Sendable, Equatable {
    /// A bid of an exact amount.
    case manual = 0
    /// A maximum the system bids up to.
    case proxy = 1
    /// An acceptance of a Dutch lot's current price.
    case acceptance = 2
}

/// An accepted bid as recorded; `bidFen` is the bidder's own amount or maximum and is private to them.
public struct AcceptedBid: Sendable, Equatable {
    /// The command that placed the bid.
    public var commandID: CommandID
    /// The bidder.
    public var bidder: PartyID
    /// When the bid was accepted.
    public var atMs: Int64
    /// Manual, proxy or Dutch acceptance.
    public var kind: BidKind
    /// The manual amount, the proxy maximum, or the accepted Dutch price (never shown to other bidders).
    public var bidFen: Int64
    /// The visible price (当前价) after the bid.
    public var priceFen: Int64
    /// The bidder leading after the bid.
    public var leader: PartyID

    /// Builds an accepted-bid record.
    public init(commandID: CommandID, bidder: PartyID, atMs: Int64, kind: BidKind, bidFen: Int64, priceFen: Int64, leader: PartyID) {
        self.commandID = commandID
        self.bidder = bidder
        self.atMs = atMs
        self.kind = kind
        self.bidFen = bidFen
        self.priceFen = priceFen
        self.leader = leader
    }
}

/// Why an auction refused a command.
public enum AuctionRefusalReason: UInt8, Sendable, Equatable {
    /// The lot has not started yet.
    case notStarted = 1
    /// The lot's end time has passed: nothing is accepted at or after the end.
    case ended = 2
    /// The lot has been closed.
    case closed = 3
    /// The bidder has not registered (and lodged a deposit) for this lot.
    case notRegistered = 4
    /// The bid is below the minimum acceptable bid (given in the refusal).
    case tooLow = 5
    /// The bid is above `MatchingLimits.priceFenMax`.
    case tooHigh = 6
    /// The leader may not outbid themselves with a manual bid; they may raise their maximum.
    case alreadyLeading = 7
    /// A leader's new maximum must be above their current one.
    case notAboveOwnMaximum = 8
    /// A sealed-bid lot takes one bid per bidder.
    case alreadyBid = 9
    /// The bidder is already registered.
    case alreadyRegistered = 10
    /// The lot cannot register more bidders (`bidderCountMax`).
    case registrationFull = 11
    /// The lot cannot be closed before its end time.
    case notEnded = 12
    /// This auction format does not take this kind of command.
    case notSupportedByFormat = 13
}

/// A refused auction command and why.
public struct AuctionRefusal: Sendable, Equatable {
    /// The refused command.
    public var commandID: CommandID
    /// The bidder named by the command, if any.
    public var bidder: PartyID?
    /// When the command arrived.
    public var atMs: Int64
    /// Why it was refused.
    public var reason: AuctionRefusalReason
    /// For `tooLow` and `notAboveOwnMaximum`: the least amount that would have been accepted; otherwise 0.
    public var minimumFen: Int64

    /// Builds a refusal record.
    public init(commandID: CommandID, bidder: PartyID?, atMs: Int64, reason: AuctionRefusalReason, minimumFen: Int64 = 0) {
        self.commandID = commandID
        self.bidder = bidder
        self.atMs = atMs
        self.reason = reason
        self.minimumFen = minimumFen
    }
}

/// Why a lot closed without a sale (流拍).
public enum NoSaleReason: UInt8, Sendable, Equatable {
    /// Nobody bid.
    case noBids = 1
    /// The best bid stayed below the hidden reserve (保留价).
    case reserveNotMet = 2
}

/// The result of a lot (成交 or 流拍).
public enum AuctionOutcome: Sendable, Equatable {
    /// The reserve was met: the winner buys at the hammer price (落槌价).
    case sold(winner: PartyID, priceFen: Int64)
    /// No sale; every deposit is released.
    case noSale(NoSaleReason)

    /// Whether the lot sold.
    public var isSold: Bool {
        if case .sold = self { return true }
        return false
    }
}

/// Everything an auction reports, in order; the lot's record and its live stream are made of these.
public enum AuctionEvent: Sendable, Equatable {
    /// A bidder registered.
    case registered(commandID: CommandID, bidder: PartyID)
    /// A bid was accepted (English or Dutch); the visible price and leader follow it.
    case bidAccepted(AcceptedBid)
    /// A sealed bid was lodged; its amount stays hidden until close.
    case sealedBidLodged(commandID: CommandID, bidder: PartyID, atMs: Int64)
    /// A sealed bid revealed at close, in the order bids were lodged.
    case sealedBidRevealed(bidder: PartyID, amountFen: Int64)
    /// A command was refused.
    case refused(AuctionRefusal)
    /// Anti-sniping (延时) moved the end time.
    case extended(commandID: CommandID, endAtMs: Int64, extensionCount: Int32)
    /// The lot closed with this outcome.
    case closed(commandID: CommandID, atMs: Int64, outcome: AuctionOutcome)
    /// The command id was not above the last one seen: a repeat, with no effect.
    case repeated(CommandID)
}

/// Why an auction configuration was refused.
public enum AuctionConfigError: Error, Sendable, Equatable {
    /// A price is not in 1...`MatchingLimits.priceFenMax`.
    case priceOutOfRange
    /// The reserve is below the opening price (it may equal it).
    case reserveBelowOpening
    /// The increment or step is not positive or exceeds the price limit.
    case stepOutOfRange
    /// Start must be before end, both within 0...`MatchingLimits.timeMsMax`.
    case timesOutOfRange
    /// The anti-sniping window is not in 1...`MatchingLimits.extensionWindowMsMax`.
    case extensionWindowOutOfRange
    /// The extension cap is not in 0...`MatchingLimits.extensionCountMaxLimit`.
    case extensionCapOutOfRange
    /// The bidder limit is not in 1...`MatchingLimits.bidderCountMax`.
    case bidderCountOutOfRange
    /// The Dutch floor is above the opening price, or the interval is not positive.
    case dutchScheduleInvalid
}

/// The operations every auction format offers, so that the storage layer can drive any lot alike.
public protocol AuctionEngine: Sendable, Equatable {
    /// Applies one command, appending what happened to `events` (which the caller reuses).
    mutating func apply(_ command: AuctionCommand, into events: inout [AuctionEvent])
    /// The outcome once the lot has closed, else nil.
    var outcome: AuctionOutcome? { get }
    /// The state as snapshot bytes.
    func snapshot() -> [UInt8]
    /// Restores a state from snapshot bytes.
    init(snapshot: [UInt8]) throws(SnapshotError)
}

extension AuctionEngine {
    /// Applies one command and returns its events in a fresh array (convenient off the hot path).
    public mutating func apply(_ command: AuctionCommand) -> [AuctionEvent] {
        var events: [AuctionEvent] = []
        apply(command, into: &events)
        return events
    }
}

extension AuctionCommand {
    /// Appends the command in the module's binary form (for command logs).
    public func encode(into writer: inout SnapshotWriter) {
        writer.writeUInt(id.rawValue)
        writer.writeInt(atMs)
        switch action {
        case .register(let p):
            writer.writeByte(1); writer.writeUInt(p.rawValue)
        case .bid(let p, let amountFen):
            writer.writeByte(2); writer.writeUInt(p.rawValue); writer.writeInt(amountFen)
        case .proxyBid(let p, let maxFen):
            writer.writeByte(3); writer.writeUInt(p.rawValue); writer.writeInt(maxFen)
        case .accept(let p):
            writer.writeByte(4); writer.writeUInt(p.rawValue)
        case .close:
            writer.writeByte(5)
        case .hammer:
            writer.writeByte(6)
        }
    }

    /// Reads a command written by `encode(into:)`.
    public init(decoding reader: inout SnapshotReader) throws(SnapshotError) {
        let id = CommandID(try reader.readUInt())
        let atMs = try reader.readInt()
        let action: AuctionAction
        switch try reader.readByte() {
        case 1: action = .register(PartyID(try reader.readUInt()))
        case 2: action = .bid(PartyID(try reader.readUInt()), amountFen: try reader.readInt())
        case 3: action = .proxyBid(PartyID(try reader.readUInt()), maxFen: try reader.readInt())
        case 4: action = .accept(PartyID(try reader.readUInt()))
        case 5: action = .close
        case 6: action = .hammer
        default: throw .invalidValue(field: "AuctionAction")
        }
        self.init(id: id, atMs: atMs, action: action)
    }
}

extension AuctionOutcome {
    func encode(into writer: inout SnapshotWriter) {
        switch self {
        case .sold(let winner, let priceFen):
            writer.writeByte(1); writer.writeUInt(winner.rawValue); writer.writeInt(priceFen)
        case .noSale(let reason):
            writer.writeByte(2); writer.writeByte(reason.rawValue)
        }
    }

    static func decodeOptional(from reader: inout SnapshotReader) throws(SnapshotError) -> AuctionOutcome? {
        switch try reader.readByte() {
        case 0: return nil
        case 1:
            let winner = PartyID(try reader.readUInt())
            let price = try reader.readInt()
            guard price > 0, price <= MatchingLimits.priceFenMax else { throw .invalidValue(field: "outcome.priceFen") }
            return .sold(winner: winner, priceFen: price)
        case 2:
            guard let reason = NoSaleReason(rawValue: try reader.readByte()) else { throw .invalidValue(field: "outcome.reason") }
            return .noSale(reason)
        default:
            throw .invalidValue(field: "outcome")
        }
    }

    static func encodeOptional(_ outcome: AuctionOutcome?, into writer: inout SnapshotWriter) {
        if let outcome { outcome.encode(into: &writer) } else { writer.writeByte(0) }
    }
}

/// The registered bidders of one lot, each with one amount slot (a maximum or a sealed bid).
struct BidderRegistry: Sendable, Equatable {
    private(set) var ids: [PartyID]
    /// Per bidder: the English maximum or the sealed bid; 0 when the bidder has not bid.
    var amountFen: [Int64]
    private var table: IDTable
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        ids = []
        ids.reserveCapacity(capacity)
        amountFen = []
        amountFen.reserveCapacity(capacity)
        table = IDTable(capacity: capacity)
    }

    var count: Int { ids.count }

    /// The bidder's dense index, or -1 when not registered.
    @inline(__always)
    func index(of bidder: PartyID) -> Int32 { table.find(bidder.rawValue) }

    /// Registers a bidder; the caller checks it is new and that there is room.
    mutating func register(_ bidder: PartyID) {
        precondition(ids.count < capacity)
        table.set(bidder.rawValue, Int32(ids.count))
        ids.append(bidder)
        amountFen.append(0)
    }

    func encode(into writer: inout SnapshotWriter) {
        writer.writeUInt(UInt64(ids.count))
        for i in 0..<ids.count {
            writer.writeUInt(ids[i].rawValue)
            writer.writeInt(amountFen[i])
        }
    }

    static func decode(from reader: inout SnapshotReader, capacity: Int) throws(SnapshotError) -> BidderRegistry {
        var registry = BidderRegistry(capacity: capacity)
        let count = try reader.readCount(max: capacity, field: "bidders.count")
        for _ in 0..<count {
            let id = PartyID(try reader.readUInt())
            let amount = try reader.readInt()
            guard registry.index(of: id) < 0 else { throw .invalidValue(field: "bidders.duplicate") }
            guard amount >= 0, amount <= MatchingLimits.priceFenMax else { throw .invalidValue(field: "bidders.amountFen") }
            registry.register(id)
            registry.amountFen[registry.count - 1] = amount
        }
        return registry
    }
}

/// Tracks the last command id seen so that a repeated command has no second effect.
struct CommandSequence: Sendable, Equatable {
    private(set) var lastID: UInt64 = 0
    private(set) var hasSeen: Bool = false

    /// Records `id` and says whether it is new (above every id seen before).
    @inline(__always)
    mutating func admit(_ id: CommandID) -> Bool {
        if hasSeen && id.rawValue <= lastID { return false }
        hasSeen = true
        lastID = id.rawValue
        return true
    }

    func encode(into writer: inout SnapshotWriter) {
        writer.writeBool(hasSeen)
        writer.writeUInt(lastID)
    }

    static func decode(from reader: inout SnapshotReader) throws(SnapshotError) -> CommandSequence {
        var s = CommandSequence()
        s.hasSeen = try reader.readBool()
        s.lastID = try reader.readUInt()
        return s
    }
}

@inline(__always)
func isPriceInRange(_ fen: Int64) -> Bool { fen > 0 && fen <= MatchingLimits.priceFenMax }

@inline(__always)
func isTimeInRange(_ ms: Int64) -> Bool { ms >= 0 && ms <= MatchingLimits.timeMsMax }

/// How a technology achievement changes hands (转让 / 许可 / …); decides how many buyers a listing can have.
public enum TransferMode: UInt8, Sendable, Equatable {
    /// 转让: assignment of the rights; one buyer ends the listing.
    case assignment = 1
    /// 独占许可: exclusive licence; one buyer.
    case exclusiveLicence = 2
    /// 排他许可: sole licence; one buyer (besides the holder).
    case soleLicence = 3
    /// 普通许可: non-exclusive licence; up to the number of seats the institution set.
    case nonExclusiveLicence = 4

    /// Whether one sale ends the listing.
    public var isExclusive: Bool { self != .nonExclusiveLicence }
}

/// The terms a listing book matches offers against.
public struct ListingBookConfig: Sendable, Equatable {
    /// 挂牌价: offers at or above it match by price-time priority.
    public var askFen: Int64
    /// The transfer mode this book sells.
    public var mode: TransferMode
    /// How many buyers can be filled: 1 for exclusive modes, the licence seats otherwise.
    public var seatCount: Int
    /// Continuous (match each offer as it arrives) or batched (match only on `.match`, e.g. at the end of an offer window).
    public var matchOnArrival: Bool
    /// The most offers the book takes over its life; storage is reserved for them up front.
    public var offerCountMax: Int

    /// Builds a configuration; `validate()` checks it.
    public init(askFen: Int64, mode: TransferMode, seatCount: Int = 1, matchOnArrival: Bool = true, offerCountMax: Int = 10_000) {
        self.askFen = askFen
        self.mode = mode
        self.seatCount = seatCount
        self.matchOnArrival = matchOnArrival
        self.offerCountMax = offerCountMax
    }

    /// Throws the first rule the configuration breaks.
    public func validate() throws(ListingConfigError) {
        guard isPriceInRange(askFen) else { throw .askOutOfRange }
        guard seatCount >= 1, seatCount <= MatchingLimits.seatCountMax else { throw .seatCountOutOfRange }
        guard !mode.isExclusive || seatCount == 1 else { throw .exclusiveModeNeedsOneSeat }
        guard offerCountMax >= 1, offerCountMax <= MatchingLimits.offerCountMax else { throw .offerCountOutOfRange }
    }
}

/// Why a listing book configuration was refused.
public enum ListingConfigError: Error, Sendable, Equatable {
    /// The ask is not in 1...`MatchingLimits.priceFenMax`.
    case askOutOfRange
    /// The seat count is not in 1...`MatchingLimits.seatCountMax`.
    case seatCountOutOfRange
    /// Assignment, exclusive and sole licences sell to one buyer.
    case exclusiveModeNeedsOneSeat
    /// The offer limit is not in 1...`MatchingLimits.offerCountMax`.
    case offerCountOutOfRange
}

/// Where an offer stands; every state but `resting` is final.
public enum OfferStatus: UInt8, Sendable, Equatable {
    /// Waiting: for matching (at or above the ask) or for the institution (below it).
    case resting = 1
    /// Filled: the buyer holds a seat.
    case filled = 2
    /// Cancelled by the buyer.
    case cancelled = 3
    /// Rejected by the institution.
    case rejected = 4
    /// The listing sold out or was withdrawn while the offer was resting.
    case expired = 5
}

/// An offer on a listing as the book holds it.
public struct Offer: Sendable, Equatable {
    /// The client-chosen id.
    public var id: OfferID
    /// The offering firm.
    public var buyer: PartyID
    /// The price offered.
    public var priceFen: Int64
    /// When the offer was placed.
    public var atMs: Int64
    /// Where it stands.
    public var status: OfferStatus

    /// Builds an offer record.
    public init(id: OfferID, buyer: PartyID, priceFen: Int64, atMs: Int64, status: OfferStatus) {
        self.id = id
        self.buyer = buyer
        self.priceFen = priceFen
        self.atMs = atMs
        self.status = status
    }
}

/// A filled offer: a deal (成交) that becomes a technology contract.
public struct ListingFill: Sendable, Equatable {
    /// The command that caused the fill.
    public var commandID: CommandID
    /// The filled offer.
    public var offerID: OfferID
    /// The buyer.
    public var buyer: PartyID
    /// The deal price: the offer's own price (≥ the ask, unless the institution accepted a lower offer).
    public var priceFen: Int64
    /// Which seat (1-based) the buyer took.
    public var seat: Int32
    /// When the fill happened.
    public var atMs: Int64

    /// Builds a fill record.
    public init(commandID: CommandID, offerID: OfferID, buyer: PartyID, priceFen: Int64, seat: Int32, atMs: Int64) {
        self.commandID = commandID
        self.offerID = offerID
        self.buyer = buyer
        self.priceFen = priceFen
        self.seat = seat
        self.atMs = atMs
    }
}

/// A command to a listing book.
public struct ListingCommand: Sendable, Equatable {
    /// The command's position in the book's log; a repeat has no effect.
    public var id: CommandID
    /// When the command was received (given, never read from a clock).
    public var atMs: Int64
    /// What the command asks for.
    public var action: ListingAction

    /// Builds a command.
    public init(id: CommandID, atMs: Int64, action: ListingAction) {
        self.id = id
        self.atMs = atMs
        self.action = action
    }
}

/// What a listing command asks for.
public enum ListingAction: Sendable, Equatable {
    /// A firm offers `priceFen` (one open offer per buyer; a retry with the same id and content has no effect).
    case placeOffer(OfferID, buyer: PartyID, priceFen: Int64)
    /// The buyer withdraws a resting offer.
    case cancelOffer(OfferID)
    /// The institution accepts a resting offer below the ask (after negotiating outside this module).
    case acceptOffer(OfferID)
    /// The institution rejects a resting offer.
    case rejectOffer(OfferID)
    /// The institution changes the ask; resting offers that now meet it match by priority.
    case changeAsk(askFen: Int64)
    /// Matches resting offers at or above the ask into free seats (the batch step; harmless when continuous).
    case match
    /// The institution withdraws the listing; resting offers expire.
    case withdraw
}

/// Why a listing command was refused.
public enum ListingRefusalReason: UInt8, Sendable, Equatable {
    /// The listing sold out or was withdrawn.
    case listingEnded = 1
    /// No offer has this id.
    case unknownOffer = 2
    /// The offer is filled, cancelled, rejected or expired: dead offers stay dead.
    case offerNotResting = 3
    /// The offer id was used before with different content.
    case offerIDReused = 4
    /// The buyer already has a resting offer; cancel it first.
    case buyerHasOpenOffer = 5
    /// The buyer already holds a seat on this listing.
    case buyerHoldsSeat = 6
    /// The price is not in 1...`MatchingLimits.priceFenMax`.
    case priceOutOfRange = 7
    /// The book took `offerCountMax` offers already.
    case bookFull = 8
    /// Offers at or above the ask are waiting; they come first (price-time priority).
    case eligibleOffersWaiting = 9
    /// The offer meets the ask, so it matches by priority rather than by acceptance.
    case atOrAboveAsk = 10
}

/// A refused listing command and why.
public struct ListingRefusal: Sendable, Equatable {
    /// The refused command.
    public var commandID: CommandID
    /// The offer named by the command, if any.
    public var offerID: OfferID?
    /// When the command arrived.
    public var atMs: Int64
    /// Why it was refused.
    public var reason: ListingRefusalReason

    /// Builds a refusal record.
    public init(commandID: CommandID, offerID: OfferID?, atMs: Int64, reason: ListingRefusalReason) {
        self.commandID = commandID
        self.offerID = offerID
        self.atMs = atMs
        self.reason = reason
    }
}

/// Why a listing book ended.
public enum ListingEndReason: UInt8, Sendable, Equatable {
    /// Every seat was filled (an exclusive sale ends the listing at once).
    case soldOut = 1
    /// The institution withdrew the listing.
    case withdrawn = 2
}

/// Everything a listing book reports, in order.
public enum ListingEvent: Sendable, Equatable {
    /// The offer rests: awaiting matching (batched) or the institution (below the ask).
    case offerResting(commandID: CommandID, offerID: OfferID, buyer: PartyID, priceFen: Int64)
    /// An offer was filled.
    case filled(ListingFill)
    /// The buyer cancelled a resting offer.
    case offerCancelled(commandID: CommandID, offerID: OfferID)
    /// The institution rejected a resting offer.
    case offerRejected(commandID: CommandID, offerID: OfferID)
    /// The ask changed.
    case askChanged(commandID: CommandID, askFen: Int64)
    /// The book ended; every offer still resting expired.
    case ended(commandID: CommandID, reason: ListingEndReason, expiredOfferCount: Int)
    /// The same offer was placed again (a retry): no effect.
    case offerAlreadyPlaced(commandID: CommandID, offerID: OfferID)
    /// A command was refused.
    case refused(ListingRefusal)
    /// The command id was not above the last one seen: a repeat, with no effect.
    case repeated(CommandID)
}

extension ListingCommand {
    /// Appends the command in the module's binary form (for command logs).
    public func encode(into writer: inout SnapshotWriter) {
        writer.writeUInt(id.rawValue)
        writer.writeInt(atMs)
        switch action {
        case .placeOffer(let offer, let buyer, let priceFen):
            writer.writeByte(1); writer.writeUInt(offer.rawValue); writer.writeUInt(buyer.rawValue); writer.writeInt(priceFen)
        case .cancelOffer(let offer):
            writer.writeByte(2); writer.writeUInt(offer.rawValue)
        case .acceptOffer(let offer):
            writer.writeByte(3); writer.writeUInt(offer.rawValue)
        case .rejectOffer(let offer):
            writer.writeByte(4); writer.writeUInt(offer.rawValue)
        case .changeAsk(let askFen):
            writer.writeByte(5); writer.writeInt(askFen)
        case .match:
            writer.writeByte(6)
        case .withdraw:
            writer.writeByte(7)
        }
    }

    /// Reads a command written by `encode(into:)`.
    public init(decoding reader: inout SnapshotReader) throws(SnapshotError) {
        let id = CommandID(try reader.readUInt())
        let atMs = try reader.readInt()
        let action: ListingAction
        switch try reader.readByte() {
        case 1:
            action = .placeOffer(OfferID(try reader.readUInt()), buyer: PartyID(try reader.readUInt()), priceFen: try reader.readInt())
        case 2: action = .cancelOffer(OfferID(try reader.readUInt()))
        case 3: action = .acceptOffer(OfferID(try reader.readUInt()))
        case 4: action = .rejectOffer(OfferID(try reader.readUInt()))
        case 5: action = .changeAsk(askFen: try reader.readInt())
        case 6: action = .match
        case 7: action = .withdraw
        default: throw .invalidValue(field: "ListingAction")
        }
        self.init(id: id, atMs: atMs, action: action)
    }
}

extension ListingEvent {
    /// Appends the event in the module's binary form, so that a command log can keep what each
    /// command did and a replay can compare it byte for byte.
    public func encode(into writer: inout SnapshotWriter) {
        switch self {
        case .offerResting(let command, let offer, let buyer, let priceFen):
            writer.writeByte(1); writer.writeUInt(command.rawValue); writer.writeUInt(offer.rawValue)
            writer.writeUInt(buyer.rawValue); writer.writeInt(priceFen)
        case .filled(let fill):
            writer.writeByte(2); writer.writeUInt(fill.commandID.rawValue); writer.writeUInt(fill.offerID.rawValue)
            writer.writeUInt(fill.buyer.rawValue); writer.writeInt(fill.priceFen); writer.writeInt(Int64(fill.seat))
            writer.writeInt(fill.atMs)
        case .offerCancelled(let command, let offer):
            writer.writeByte(3); writer.writeUInt(command.rawValue); writer.writeUInt(offer.rawValue)
        case .offerRejected(let command, let offer):
            writer.writeByte(4); writer.writeUInt(command.rawValue); writer.writeUInt(offer.rawValue)
        case .askChanged(let command, let askFen):
            writer.writeByte(5); writer.writeUInt(command.rawValue); writer.writeInt(askFen)
        case .ended(let command, let reason, let expired):
            writer.writeByte(6); writer.writeUInt(command.rawValue); writer.writeByte(reason.rawValue)
            writer.writeUInt(UInt64(expired))
        case .offerAlreadyPlaced(let command, let offer):
            writer.writeByte(7); writer.writeUInt(command.rawValue); writer.writeUInt(offer.rawValue)
        case .refused(let refusal):
            writer.writeByte(8); writer.writeUInt(refusal.commandID.rawValue); writer.writeBool(refusal.offerID != nil)
            writer.writeUInt(refusal.offerID?.rawValue ?? 0); writer.writeInt(refusal.atMs); writer.writeByte(refusal.reason.rawValue)
        case .repeated(let command):
            writer.writeByte(9); writer.writeUInt(command.rawValue)
        }
    }

    /// Reads an event written by `encode(into:)`.
    public init(decoding reader: inout SnapshotReader) throws(SnapshotError) {
        switch try reader.readByte() {
        case 1:
            self = .offerResting(
                commandID: CommandID(try reader.readUInt()), offerID: OfferID(try reader.readUInt()),
                buyer: PartyID(try reader.readUInt()), priceFen: try reader.readInt())
        case 2:
            let command = CommandID(try reader.readUInt())
            let offer = OfferID(try reader.readUInt())
            let buyer = PartyID(try reader.readUInt())
            let price = try reader.readInt()
            let seat = try reader.readInt()
            guard seat >= 1, seat <= Int64(MatchingLimits.seatCountMax) else { throw .invalidValue(field: "fill.seat") }
            self = .filled(ListingFill(
                commandID: command, offerID: offer, buyer: buyer, priceFen: price, seat: Int32(seat), atMs: try reader.readInt()))
        case 3: self = .offerCancelled(commandID: CommandID(try reader.readUInt()), offerID: OfferID(try reader.readUInt()))
        case 4: self = .offerRejected(commandID: CommandID(try reader.readUInt()), offerID: OfferID(try reader.readUInt()))
        case 5: self = .askChanged(commandID: CommandID(try reader.readUInt()), askFen: try reader.readInt())
        case 6:
            let command = CommandID(try reader.readUInt())
            guard let reason = ListingEndReason(rawValue: try reader.readByte()) else { throw .invalidValue(field: "ended.reason") }
            self = .ended(commandID: command, reason: reason, expiredOfferCount: try reader.readCount(max: MatchingLimits.offerCountMax, field: "ended.expired"))
        case 7: self = .offerAlreadyPlaced(commandID: CommandID(try reader.readUInt()), offerID: OfferID(try reader.readUInt()))
        case 8:
            let command = CommandID(try reader.readUInt())
            let hasOffer = try reader.readBool()
            let offer = try reader.readUInt()
            let atMs = try reader.readInt()
            guard let reason = ListingRefusalReason(rawValue: try reader.readByte()) else { throw .invalidValue(field: "refused.reason") }
            self = .refused(ListingRefusal(commandID: command, offerID: hasOffer ? OfferID(offer) : nil, atMs: atMs, reason: reason))
        case 9: self = .repeated(CommandID(try reader.readUInt()))
        default: throw .invalidValue(field: "ListingEvent")
        }
    }
}

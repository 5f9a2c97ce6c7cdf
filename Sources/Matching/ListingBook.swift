/// Listed-price matching (挂牌交易) for one transfer mode of one listing.
///
/// Offers at or above the ask match by price-time priority: the highest price first, the
/// earlier offer (lower position in the command log) on a tie; each fill takes one seat at the
/// offer's own price, so that offering more is what wins a contested seat. Offers below the ask
/// rest until the institution accepts or rejects them (a counter-offer is negotiated outside this
/// module and comes back as a new offer). With `matchOnArrival` an offer that meets the ask fills
/// at once, so no offer that meets the ask ever rests while a seat is free; in batch mode
/// offers collect until `.match`. An exclusive mode has one seat; when the seats are gone, or the
/// listing is withdrawn, every resting offer expires. Offers are never removed, so a dead offer
/// stays dead and a retried offer id is recognised.
public struct ListingBook: Sendable, Equatable {
    /// The book's terms as opened (the ask may change since; see `askFen`).
    public let config: ListingBookConfig
    /// The current ask (挂牌价).
    public private(set) var askFen: Int64
    /// Every offer ever placed, in arrival order.
    public private(set) var offers: [Offer]
    /// Every fill, in order; `fills.count` never exceeds `config.seatCount`.
    public private(set) var fills: [ListingFill]
    /// How many offers are resting.
    public private(set) var restingCount: Int = 0
    /// Why the book ended, or nil while it is open.
    public private(set) var endReason: ListingEndReason?

    private var sequence = CommandSequence()
    private var offerTable: IDTable
    private var buyerTable: IDTable
    /// Resting offers by priority; entries of offers that left `resting` are skipped lazily.
    private var queue: PriorityQueue

    /// Opens a book with validated terms, reserving storage for `offerCountMax` offers (then no
    /// command allocates), or for `reservingOffers` of them, fewer, for a book that lives for a
    /// few commands (its storage then grows as offers come, up to `offerCountMax`).
    public init(config: ListingBookConfig, reservingOffers: Int? = nil) throws(ListingConfigError) {
        try config.validate()
        self.config = config
        askFen = config.askFen
        let reserved = min(config.offerCountMax, max(0, reservingOffers ?? config.offerCountMax))
        offers = []
        offers.reserveCapacity(reserved)
        fills = []
        fills.reserveCapacity(config.seatCount)
        offerTable = IDTable(capacity: reserved)
        buyerTable = IDTable(capacity: reserved)
        queue = PriorityQueue(capacity: reserved)
    }

    /// The most events one command can append: a fill per seat, the end, and one more; reserve this in the event buffer.
    public var eventCountMaxPerCommand: Int { config.seatCount + 2 }

    /// Whether the book still takes offers.
    public var isOpen: Bool { endReason == nil }

    /// The offer with this id, if it was ever placed.
    public func offer(_ id: OfferID) -> Offer? {
        let i = offerTable.find(id.rawValue)
        return i >= 0 ? offers[Int(i)] : nil
    }

    /// Equal when the logical state is equal (the queue's internal layout is not part of it).
    public static func == (lhs: ListingBook, rhs: ListingBook) -> Bool {
        lhs.config == rhs.config && lhs.askFen == rhs.askFen && lhs.offers == rhs.offers && lhs.fills == rhs.fills
            && lhs.restingCount == rhs.restingCount && lhs.endReason == rhs.endReason && lhs.sequence == rhs.sequence
    }

    /// Applies one command, appending what happened to `events`.
    public mutating func apply(_ command: ListingCommand, into events: inout [ListingEvent]) {
        guard sequence.admit(command.id) else {
            events.append(.repeated(command.id))
            return
        }
        switch command.action {
        case .placeOffer(let offerID, let buyer, let priceFen):
            place(offerID, buyer: buyer, priceFen: priceFen, command: command, into: &events)
        case .cancelOffer(let offerID):
            retire(offerID, as: .cancelled, command: command, into: &events)
        case .rejectOffer(let offerID):
            retire(offerID, as: .rejected, command: command, into: &events)
        case .acceptOffer(let offerID):
            accept(offerID, command: command, into: &events)
        case .changeAsk(let newAskFen):
            guard endReason == nil else { return refuse(command, nil, .listingEnded, into: &events) }
            guard isPriceInRange(newAskFen) else { return refuse(command, nil, .priceOutOfRange, into: &events) }
            askFen = newAskFen
            events.append(.askChanged(commandID: command.id, askFen: newAskFen))
            if config.matchOnArrival { matchResting(command: command, into: &events) }
        case .match:
            guard endReason == nil else { return refuse(command, nil, .listingEnded, into: &events) }
            matchResting(command: command, into: &events)
        case .withdraw:
            guard endReason == nil else { return refuse(command, nil, .listingEnded, into: &events) }
            end(.withdrawn, command: command, into: &events)
        }
    }

    /// Applies one command and returns its events in a fresh array (convenient off the hot path).
    public mutating func apply(_ command: ListingCommand) -> [ListingEvent] {
        var events: [ListingEvent] = []
        apply(command, into: &events)
        return events
    }

    @inline(__always)
    private func refuse(
        _ command: ListingCommand, _ offerID: OfferID?, _ reason: ListingRefusalReason, into events: inout [ListingEvent]
    ) {
        events.append(.refused(ListingRefusal(commandID: command.id, offerID: offerID, atMs: command.atMs, reason: reason)))
    }

    private mutating func place(
        _ offerID: OfferID, buyer: PartyID, priceFen: Int64, command: ListingCommand, into events: inout [ListingEvent]
    ) {
        let existing = offerTable.find(offerID.rawValue)
        if existing >= 0 {
            let earlier = offers[Int(existing)]
            if earlier.buyer == buyer && earlier.priceFen == priceFen {
                events.append(.offerAlreadyPlaced(commandID: command.id, offerID: offerID))
            } else {
                refuse(command, offerID, .offerIDReused, into: &events)
            }
            return
        }
        if endReason != nil { return refuse(command, offerID, .listingEnded, into: &events) }
        if !isPriceInRange(priceFen) { return refuse(command, offerID, .priceOutOfRange, into: &events) }
        let latest = buyerTable.find(buyer.rawValue)
        if latest >= 0 {
            switch offers[Int(latest)].status {
            case .resting: return refuse(command, offerID, .buyerHasOpenOffer, into: &events)
            case .filled: return refuse(command, offerID, .buyerHoldsSeat, into: &events)
            case .cancelled, .rejected, .expired: break
            }
        }
        if offers.count >= config.offerCountMax { return refuse(command, offerID, .bookFull, into: &events) }

        let index = Int32(offers.count)
        offers.append(Offer(id: offerID, buyer: buyer, priceFen: priceFen, atMs: command.atMs, status: .resting))
        offerTable.set(offerID.rawValue, index)
        buyerTable.set(buyer.rawValue, index)
        if config.matchOnArrival && priceFen >= askFen {
            // Continuous mode keeps no offer that meets the ask resting while a seat is free,
            // so this offer has nobody ahead of it.
            fill(Int(index), command: command, into: &events)
        } else {
            restingCount += 1
            queue.push(priceFen: priceFen, index: index)
            events.append(.offerResting(commandID: command.id, offerID: offerID, buyer: buyer, priceFen: priceFen))
        }
    }

    private mutating func retire(
        _ offerID: OfferID, as status: OfferStatus, command: ListingCommand, into events: inout [ListingEvent]
    ) {
        let index = offerTable.find(offerID.rawValue)
        if index < 0 { return refuse(command, offerID, .unknownOffer, into: &events) }
        if offers[Int(index)].status != .resting {
            return refuse(command, offerID, endReason != nil ? .listingEnded : .offerNotResting, into: &events)
        }
        offers[Int(index)].status = status
        restingCount -= 1
        if status == .cancelled {
            events.append(.offerCancelled(commandID: command.id, offerID: offerID))
        } else {
            events.append(.offerRejected(commandID: command.id, offerID: offerID))
        }
    }

    private mutating func accept(_ offerID: OfferID, command: ListingCommand, into events: inout [ListingEvent]) {
        let index = offerTable.find(offerID.rawValue)
        if index < 0 { return refuse(command, offerID, .unknownOffer, into: &events) }
        if endReason != nil { return refuse(command, offerID, .listingEnded, into: &events) }
        let offer = offers[Int(index)]
        if offer.status != .resting { return refuse(command, offerID, .offerNotResting, into: &events) }
        if offer.priceFen >= askFen { return refuse(command, offerID, .atOrAboveAsk, into: &events) }
        if let top = bestResting(), offers[Int(top)].priceFen >= askFen {
            return refuse(command, offerID, .eligibleOffersWaiting, into: &events)
        }
        restingCount -= 1
        fill(Int(index), command: command, into: &events)
    }

    /// The best resting offer's index, dropping queue entries of offers that are no longer resting.
    private mutating func bestResting() -> Int32? {
        while let top = queue.top {
            if offers[Int(top.index)].status == .resting { return top.index }
            queue.pop()
        }
        return nil
    }

    private mutating func matchResting(command: ListingCommand, into events: inout [ListingEvent]) {
        while endReason == nil, let top = bestResting(), offers[Int(top)].priceFen >= askFen {
            queue.pop()
            restingCount -= 1
            fill(Int(top), command: command, into: &events)
        }
    }

    @inline(__always)
    private mutating func fill(_ index: Int, command: ListingCommand, into events: inout [ListingEvent]) {
        precondition(fills.count < config.seatCount, "never more fills than seats")
        precondition(offers[index].status == .resting)
        offers[index].status = .filled
        let offer = offers[index]
        let record = ListingFill(
            commandID: command.id, offerID: offer.id, buyer: offer.buyer, priceFen: offer.priceFen,
            seat: Int32(fills.count + 1), atMs: command.atMs)
        fills.append(record)
        events.append(.filled(record))
        if fills.count == config.seatCount { end(.soldOut, command: command, into: &events) }
    }

    private mutating func end(_ reason: ListingEndReason, command: ListingCommand, into events: inout [ListingEvent]) {
        precondition(endReason == nil)
        var expired = 0
        if restingCount > 0 {
            for i in offers.indices where offers[i].status == .resting {
                offers[i].status = .expired
                expired += 1
            }
        }
        precondition(expired == restingCount)
        restingCount = 0
        queue.removeAll()
        endReason = reason
        events.append(.ended(commandID: command.id, reason: reason, expiredOfferCount: expired))
    }

    /// The state as snapshot bytes (deterministic: equal states give equal bytes).
    public func snapshot() -> [UInt8] {
        var w = SnapshotWriter(capacity: 64 + offers.count * 24 + fills.count * 12)
        w.writeHeader(kind: SnapshotKind.listing)
        w.writeInt(config.askFen)
        w.writeByte(config.mode.rawValue)
        w.writeUInt(UInt64(config.seatCount))
        w.writeBool(config.matchOnArrival)
        w.writeUInt(UInt64(config.offerCountMax))
        sequence.encode(into: &w)
        w.writeInt(askFen)
        w.writeByte(endReason?.rawValue ?? 0)
        w.writeUInt(UInt64(offers.count))
        for offer in offers {
            w.writeUInt(offer.id.rawValue)
            w.writeUInt(offer.buyer.rawValue)
            w.writeInt(offer.priceFen)
            w.writeInt(offer.atMs)
            w.writeByte(offer.status.rawValue)
        }
        w.writeUInt(UInt64(fills.count))
        for fill in fills {
            w.writeUInt(fill.commandID.rawValue)
            w.writeUInt(UInt64(offerTable.find(fill.offerID.rawValue)))
            w.writeInt(fill.atMs)
        }
        w.writeChecksum()
        return w.bytes
    }

    /// Restores a book from snapshot bytes, refusing damaged or inconsistent ones; with
    /// `reservingOffers`, it reserves room for its offers and that many more, not for its limit.
    public init(snapshot: [UInt8], reservingOffers: Int? = nil) throws(SnapshotError) {
        var r = try SnapshotReader.opening(snapshot, kind: SnapshotKind.listing)
        let ask = try r.readInt()
        guard let mode = TransferMode(rawValue: try r.readByte()) else { throw .invalidValue(field: "mode") }
        let seats = try r.readCount(max: MatchingLimits.seatCountMax, field: "seatCount")
        let continuous = try r.readBool()
        let offerMax = try r.readCount(max: MatchingLimits.offerCountMax, field: "offerCountMax")
        let config = ListingBookConfig(askFen: ask, mode: mode, seatCount: seats, matchOnArrival: continuous, offerCountMax: offerMax)
        do { try self.init(config: config, reservingOffers: reservingOffers.map { _ in 0 }) } catch { throw .invalidValue(field: "config") }
        sequence = try CommandSequence.decode(from: &r)
        askFen = try r.readInt()
        guard isPriceInRange(askFen) else { throw .invalidValue(field: "askFen") }
        let endByte = try r.readByte()
        if endByte != 0 {
            guard let reason = ListingEndReason(rawValue: endByte) else { throw .invalidValue(field: "endReason") }
            endReason = reason
        }
        let offerCount = try r.readCount(max: offerMax, field: "offers.count")
        if let more = reservingOffers {
            let reserved = min(offerMax, offerCount + max(0, more))
            offers.reserveCapacity(reserved)
            offerTable.reserve(reserved)
            buyerTable.reserve(reserved)
            queue.reserve(reserved)
        }
        for i in 0..<offerCount {
            let id = OfferID(try r.readUInt())
            let buyer = PartyID(try r.readUInt())
            let price = try r.readInt()
            let atMs = try r.readInt()
            guard let status = OfferStatus(rawValue: try r.readByte()) else { throw .invalidValue(field: "offer.status") }
            guard isPriceInRange(price), offerTable.find(id.rawValue) < 0 else { throw .invalidValue(field: "offer") }
            offers.append(Offer(id: id, buyer: buyer, priceFen: price, atMs: atMs, status: status))
            offerTable.set(id.rawValue, Int32(i))
            buyerTable.set(buyer.rawValue, Int32(i))
            if status == .resting {
                guard endReason == nil else { throw .invalidValue(field: "offer.status") }
                restingCount += 1
                queue.push(priceFen: price, index: Int32(i))
            }
        }
        let fillCount = try r.readCount(max: seats, field: "fills.count")
        for seat in 0..<fillCount {
            let commandID = CommandID(try r.readUInt())
            let index = try r.readCount(max: offerCount - 1, field: "fill.offer")
            let atMs = try r.readInt()
            let offer = offers[index]
            guard offer.status == .filled else { throw .invalidValue(field: "fill.offer") }
            fills.append(ListingFill(
                commandID: commandID, offerID: offer.id, buyer: offer.buyer, priceFen: offer.priceFen,
                seat: Int32(seat + 1), atMs: atMs))
        }
        guard offers.reduce(0, { $0 + ($1.status == .filled ? 1 : 0) }) == fillCount else { throw .invalidValue(field: "fills") }
        guard (fillCount == seats) == (endReason == .soldOut) else { throw .invalidValue(field: "endReason") }
        guard r.isAtEnd else { throw .trailingBytes }
    }
}

/// A binary max-heap of resting offers keyed by (price descending, arrival ascending), in one preallocated array.
struct PriorityQueue: Sendable {
    struct Entry: Sendable {
        var priceFen: Int64
        var index: Int32
    }

    private var heap: [Entry]

    init(capacity: Int) {
        heap = []
        heap.reserveCapacity(capacity)
    }

    mutating func reserve(_ capacity: Int) { heap.reserveCapacity(capacity) }

    var top: Entry? { heap.first }

    @inline(__always)
    private static func precedes(_ a: Entry, _ b: Entry) -> Bool {
        a.priceFen > b.priceFen || (a.priceFen == b.priceFen && a.index < b.index)
    }

    mutating func push(priceFen: Int64, index: Int32) {
        let entry = Entry(priceFen: priceFen, index: index)
        heap.append(entry)
        var hole = heap.count - 1
        while hole > 0 {
            let parent = (hole - 1) >> 1
            if !Self.precedes(entry, heap[parent]) { break }
            heap[hole] = heap[parent]
            hole = parent
        }
        heap[hole] = entry
    }

    mutating func pop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        let count = heap.count
        var hole = 0
        while true {
            var child = 2 * hole + 1
            if child >= count { break }
            if child + 1 < count && Self.precedes(heap[child + 1], heap[child]) { child += 1 }
            if !Self.precedes(heap[child], last) { break }
            heap[hole] = heap[child]
            hole = child
        }
        heap[hole] = last
    }

    mutating func removeAll() { heap.removeAll(keepingCapacity: true) }
}

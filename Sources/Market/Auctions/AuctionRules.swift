import Foundation
import Matching

/// One money step of a use case: a ledger transfer between two of the area's accounts, its id
/// made from the business object (`step.id(objectID)`).
public struct AuctionMoneyStep: Sendable, Equatable {
    public var step: AuctionLedger.Step
    public var objectID: Int64
    public var from: AuctionLedger.Holder
    public var to: AuctionLedger.Holder
    public var amountFen: Int64
    public var reference: String

    public init(step: AuctionLedger.Step, objectID: Int64, from: AuctionLedger.Holder, to: AuctionLedger.Holder, amountFen: Int64, reference: String) {
        precondition(amountFen > 0, "a money step moves money")
        self.step = step
        self.objectID = objectID
        self.from = from
        self.to = to
        self.amountFen = amountFen
        self.reference = reference
    }
}

/// What a lot's close decides: the money steps, each registration's deposit, and the sale.
public struct LotSettlement: Sendable, Equatable {
    public var steps: [AuctionMoneyStep] = []
    public var deposits: [LotRegistrationID: LotRegistration.DepositStatus] = [:]
    /// The winner's registration and the hammer price, when sold.
    public var winner: LotRegistration?
    public var hammerPriceFen: Int64?
    public var buyerCommissionFen: Int64 = 0
    public var noSaleReason: String?
}

/// The checks and decisions of the auction use cases that need no storage (docs/auctions.md).
public enum AuctionRules {
    // MARK: - Sessions and lots

    /// A session's terms: a title, the notice at least `settings.noticeSecondsMin` before the
    /// start, commissions at most 5% each, a deposit rate and a payment deadline in range.
    public static func checkSession(_ request: SessionRequest, now: Date, noticeSecondsMin: Int) throws(MarketError) {
        var issues = FieldIssues()
        if !AuctionLimits.titleLength.contains(request.title.count) {
            issues.add("title", "must be \(AuctionLimits.titleLength.lowerBound) to \(AuctionLimits.titleLength.upperBound) characters")
        } else if request.title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            issues.addRule("title", "must not be blank")
        }
        for (field, value) in [("buyerCommissionBasisPoints", request.buyerCommissionBasisPoints), ("sellerCommissionBasisPoints", request.sellerCommissionBasisPoints)]
        where !(0...AuctionLimits.commissionBasisPointsMax).contains(value) {
            issues.add(field, "must be from 0 to \(AuctionLimits.commissionBasisPointsMax) (5%, the Auction Law's most), not \(value)")
        }
        if !(1...AuctionLimits.depositBasisPointsMax).contains(request.depositBasisPoints) {
            issues.add("depositBasisPoints", "must be from 1 to \(AuctionLimits.depositBasisPointsMax), not \(request.depositBasisPoints)")
        }
        if !AuctionLimits.paymentDaysRange.contains(request.paymentDays) {
            issues.add("paymentDays", "must be from \(AuctionLimits.paymentDaysRange.lowerBound) to \(AuctionLimits.paymentDaysRange.upperBound)")
        }
        if !(0...10_000).contains(request.forfeitSellerBasisPoints) {
            issues.add("forfeitSellerBasisPoints", "must be from 0 to 10000")
        }
        if request.startsAt > now.addingTimeInterval(Double(AuctionLimits.startDaysAheadMax) * 86_400) {
            issues.addRule("startsAt", "must be within \(AuctionLimits.startDaysAheadMax) days")
        }
        if request.startsAt <= now { issues.addRule("startsAt", "must be in the future") }
        if request.startsAt.timeIntervalSince(request.noticeAt) < Double(noticeSecondsMin) {
            issues.addRule("noticeAt", "must be at least \(noticeSecondsMin / 86_400 > 0 ? "\(noticeSecondsMin / 86_400) days" : "\(noticeSecondsMin) seconds") before the start (the Auction Law's notice)")
        }
        try issues.throwIfAny()
    }

    /// A lot's terms, within its session: prices in range, the reserve at or above the opening
    /// price (a Dutch floor at or below it), times inside the session's day, the format's own fields.
    public static func checkLot(_ terms: LotTerms, session: AuctionSession, now: Date) throws(MarketError) {
        var issues = FieldIssues()
        let prices = 1...AuctionLimits.priceFenMax
        if !prices.contains(terms.openingPriceFen) { issues.add("openingPriceFen", "must be from 1 to \(AuctionLimits.priceFenMax) fen") }
        if !prices.contains(terms.reserveFen) { issues.add("reserveFen", "must be from 1 to \(AuctionLimits.priceFenMax) fen") }
        if !prices.contains(terms.incrementFen) { issues.add("incrementFen", "must be from 1 to \(AuctionLimits.priceFenMax) fen") }
        if !AuctionLimits.extensionWindowSeconds.contains(terms.extensionWindowSeconds) {
            issues.add("extensionWindowSeconds", "must be from \(AuctionLimits.extensionWindowSeconds.lowerBound) to \(AuctionLimits.extensionWindowSeconds.upperBound)")
        }
        if let cap = terms.extensionCountMax, !(0...AuctionLimits.extensionCountMaxLimit).contains(cap) {
            issues.add("extensionCountMax", "must be from 0 to \(AuctionLimits.extensionCountMaxLimit)")
        }
        if let interval = terms.dutchIntervalSeconds, !(1...86_400).contains(interval) {
            issues.add("dutchIntervalSeconds", "must be from 1 to 86400")
        }
        try issues.throwIfAny()
        if terms.format == .dutch {
            if terms.reserveFen > terms.openingPriceFen { issues.addRule("reserveFen", "a Dutch lot's floor must not be above its opening price") }
            if terms.dutchIntervalSeconds == nil { issues.addRule("dutchIntervalSeconds", "a Dutch lot needs the interval its price falls by") }
        } else if terms.reserveFen < terms.openingPriceFen {
            issues.addRule("reserveFen", "must not be below the opening price")
        }
        if terms.startsAt < session.startsAt { issues.addRule("startsAt", "must not be before the session starts") }
        if terms.endsAt <= terms.startsAt { issues.addRule("endsAt", "must be after the start") }
        if terms.endsAt.timeIntervalSince(terms.startsAt) > Double(AuctionLimits.lotDurationDaysMax) * 86_400 {
            issues.addRule("endsAt", "a lot runs at most \(AuctionLimits.lotDurationDaysMax) days")
        }
        try issues.throwIfAny()
    }

    /// A lot is made of a published listing, in a mode it offers, with no other lot open.
    public static func checkListing(_ listing: Listing, _ terms: LotTerms, openLot: LotID?) throws {
        guard listing.status == .published else { throw AuctionRefusal.listingNotPublished(listing: listing.id, status: listing.status.rawValue) }
        guard listing.content.transferModes.contains(terms.mode) else {
            throw MarketError.invalid([.rule("mode", "is not offered by the listing (\(listing.content.transferModes.map(\.rawValue).joined(separator: ", ")))")])
        }
        if let openLot { throw AuctionRefusal.listingHasOpenLot(listing: listing.id, lot: openLot) }
    }

    /// 保证金: the session's rate of the opening price, at least 1 fen.
    public static func deposit(openingPriceFen: Int64, basisPoints: Int) -> Int64 {
        max(1, AuctionLedger.share(openingPriceFen, basisPoints: basisPoints))
    }

    /// The institution consents before the session's notice, to a lot awaiting it.
    public static func checkConsent(_ lot: Lot, session: AuctionSession, now: Date) throws {
        guard lot.status == .awaitingConsent else { throw AuctionRefusal.lotNotAwaitingConsent(lot: lot.id, status: lot.status) }
        guard now < session.noticeAt else {
            throw AuctionRefusal.noticePassed(lot: lot.id, noticeAt: session.noticeAt)
        }
    }

    // MARK: - Registration

    /// A firm may register for a consented lot that has not ended, once, unless it is the
    /// seller or of a controller group the seller declared under its control (no shill bidding).
    public static func checkRegistration(_ lot: Lot, firm: Party, existingPaddle: Int?, now: Date) throws {
        if lot.status.isClosed { throw AuctionRefusal.lotClosed(lot: lot.id, status: lot.status) }
        guard lot.status == .consented else { throw AuctionRefusal.lotNotConsented(lot: lot.id) }
        guard now < lot.endsAt else { throw AuctionRefusal.ended(endsAt: lot.endsAt) }
        if firm.id == lot.institutionID { throw AuctionRefusal.sellersOwnSide(lot: lot.id) }
        if let group = firm.groupCode, lot.excludedGroupCodes.contains(group) { throw AuctionRefusal.sellersOwnSide(lot: lot.id) }
        if let paddle = existingPaddle { throw AuctionRefusal.alreadyRegistered(lot: lot.id, paddle: paddle) }
        if lot.registeredCount >= AuctionLimits.biddersPerLotMax { throw AuctionRefusal.registrationFull(biddersMax: AuctionLimits.biddersPerLotMax) }
    }

    /// Bids go to a consented lot that has not closed; the engine decides the rest.
    public static func checkBiddable(_ lot: Lot) throws {
        if lot.status.isClosed { throw AuctionRefusal.lotClosed(lot: lot.id, status: lot.status) }
        guard lot.status == .consented else { throw AuctionRefusal.lotNotConsented(lot: lot.id) }
    }

    // MARK: - The close

    /// What a lot's outcome means for the money: sold — the buyer's commission on the hammer
    /// price, the winner's deposit applied (first to the commission, the rest toward the price),
    /// every other deposit released; not sold — every deposit released.
    public static func settle(_ lot: Lot, session: AuctionSession, outcome: AuctionOutcome, registrations: [LotRegistration]) throws -> LotSettlement {
        var settlement = LotSettlement()
        var winnerID: LotRegistrationID?
        switch outcome {
        case .sold(let winner, let price):
            guard let registration = registrations.first(where: { EngineID.party($0.firmID) == winner }) else {
                throw LotInconsistent("lot \(lot.id): the engine's winner \(winner) is not registered")
            }
            winnerID = registration.id
            settlement.winner = registration
            settlement.hammerPriceFen = price
            settlement.buyerCommissionFen = AuctionLedger.share(price, basisPoints: session.buyerCommissionBasisPoints)
            let (toCommission, toPrice, surplus) = depositSplit(registration.depositFen, hammerFen: price, commissionFen: settlement.buyerCommissionFen)
            if toCommission > 0 {
                settlement.steps.append(AuctionMoneyStep(
                    step: .commission, objectID: lot.id.value, from: .escrow(lot.id), to: .commission, amountFen: toCommission,
                    reference: "lot \(lot.id) buyer's commission"))
            }
            if toPrice > 0 {
                settlement.steps.append(AuctionMoneyStep(
                    step: .apply, objectID: lot.id.value, from: .escrow(lot.id), to: .proceeds(lot.id), amountFen: toPrice,
                    reference: "lot \(lot.id) deposit toward the price"))
            }
            if surplus > 0 {
                // A Dutch lot may sell below its deposit: what the price and commission do not take goes back.
                settlement.steps.append(AuctionMoneyStep(
                    step: .release, objectID: registration.id.value, from: .escrow(lot.id), to: .deposit(registration.firmID), amountFen: surplus,
                    reference: "lot \(lot.id) paddle \(registration.paddle) deposit above the price released"))
            }
            settlement.deposits[registration.id] = .applied
        case .noSale(let reason):
            settlement.noSaleReason = reason == .noBids ? "no_bids" : "reserve_not_met"
        }
        for registration in registrations.sorted(by: { $0.id < $1.id }) where registration.id != winnerID && registration.depositStatus == .held {
            settlement.steps.append(AuctionMoneyStep(
                step: .release, objectID: registration.id.value, from: .escrow(lot.id), to: .deposit(registration.firmID),
                amountFen: registration.depositFen, reference: "lot \(lot.id) paddle \(registration.paddle) released"))
            settlement.deposits[registration.id] = .released
        }
        return settlement
    }

    /// How the winner's deposit goes at the close: to the buyer's commission first, then toward
    /// the price, never past it; the surplus (a Dutch lot sold below its deposit) back to the firm.
    static func depositSplit(_ depositFen: Int64, hammerFen: Int64, commissionFen: Int64) -> (toCommission: Int64, toPrice: Int64, surplus: Int64) {
        let toCommission = min(depositFen, commissionFen)
        let toPrice = min(depositFen - toCommission, hammerFen)
        return (toCommission, toPrice, depositFen - toCommission - toPrice)
    }

    /// The most a payment of a sold lot can be: the highest price and the highest commission.
    public static let paymentFenMax = AuctionLimits.priceFenMax + AuctionLedger.share(AuctionLimits.priceFenMax, basisPoints: AuctionLimits.commissionBasisPointsMax)

    /// What the operator records of a payment at the bank (a deposit, a winner's payment): an
    /// amount in range and the bank's reference, on one line.
    public static func checkBankPayment(amountFen: Int64, in range: ClosedRange<Int64>, reference: String) throws(MarketError) {
        var issues = FieldIssues()
        if !range.contains(amountFen) { issues.add("amountFen", "must be from \(range.lowerBound) to \(range.upperBound) fen") }
        if !AuctionLimits.referenceLength.contains(reference.count) || reference.contains(where: { $0.isNewline }) {
            issues.add("reference", "must be 1 to \(AuctionLimits.referenceLength.upperBound) characters on one line")
        }
        try issues.throwIfAny()
    }

    /// The winner's payment, received at the operator's bank: it must be the balance due — the
    /// hammer price and the buyer's commission, less the deposit applied at the close — in one
    /// payment. The rest of the price goes to the lot's proceeds (the seller's), the rest of the
    /// buyer's commission to the operator, and the seller's commission (委托人佣金, on the hammer
    /// price, as the session says) from the proceeds to the operator.
    public static func payment(_ lot: Lot, session: AuctionSession, winner: LotRegistration, amountFen: Int64, reference: String) throws -> [AuctionMoneyStep] {
        guard lot.status == .sold, let result = lot.result, let hammer = result.hammerPriceFen, result.paidAt == nil else {
            throw AuctionRefusal.notAwaitingPayment(lot: lot.id, status: lot.status)
        }
        let (commissionFromDeposit, priceFromDeposit, _) = depositSplit(winner.depositFen, hammerFen: hammer, commissionFen: result.buyerCommissionFen)
        let commissionLeft = result.buyerCommissionFen - commissionFromDeposit
        let priceLeft = hammer - priceFromDeposit
        guard amountFen == priceLeft + commissionLeft else { throw AuctionRefusal.notTheAmountDue(dueFen: priceLeft + commissionLeft) }
        var steps: [AuctionMoneyStep] = []
        if priceLeft > 0 {
            steps.append(AuctionMoneyStep(
                step: .pay, objectID: lot.id.value, from: .bank, to: .proceeds(lot.id), amountFen: priceLeft,
                reference: "lot \(lot.id) payment \(reference)"))
        }
        if commissionLeft > 0 {
            steps.append(AuctionMoneyStep(
                step: .payCommission, objectID: lot.id.value, from: .bank, to: .commission, amountFen: commissionLeft,
                reference: "lot \(lot.id) buyer's commission \(reference)"))
        }
        let sellerCommission = AuctionLedger.share(hammer, basisPoints: session.sellerCommissionBasisPoints)
        if sellerCommission > 0 {
            steps.append(AuctionMoneyStep(
                step: .sellerCommission, objectID: lot.id.value, from: .proceeds(lot.id), to: .commission, amountFen: sellerCommission,
                reference: "lot \(lot.id) seller's commission"))
        }
        return steps
    }

    /// A winner in default: the part of its deposit applied toward the price is forfeited, to
    /// the seller's compensation and the operator as the session says.
    public static func forfeit(_ lot: Lot, session: AuctionSession, winner: LotRegistration, now: Date) throws -> [AuctionMoneyStep] {
        guard lot.status == .sold, let result = lot.result, result.paidAt == nil, let due = result.paymentDueAt, now >= due else {
            throw AuctionRefusal.notInDefault(lot: lot.id, paymentDueAt: lot.result?.paymentDueAt)
        }
        let applied = depositSplit(winner.depositFen, hammerFen: result.hammerPriceFen ?? 0, commissionFen: result.buyerCommissionFen).toPrice
        let toSeller = AuctionLedger.share(applied, basisPoints: session.forfeitSellerBasisPoints)
        var steps: [AuctionMoneyStep] = []
        if toSeller > 0 {
            steps.append(AuctionMoneyStep(
                step: .compensate, objectID: lot.id.value, from: .proceeds(lot.id), to: .compensation(lot.institutionID), amountFen: toSeller,
                reference: "lot \(lot.id) forfeit to the seller"))
        }
        if applied - toSeller > 0 {
            steps.append(AuctionMoneyStep(
                step: .forfeit, objectID: lot.id.value, from: .proceeds(lot.id), to: .forfeits, amountFen: applied - toSeller,
                reference: "lot \(lot.id) forfeit to the operator"))
        }
        return steps
    }
}

/// Drives one lot's engine for one use case (the decide step: no I/O): each command gets the
/// next id and the time the use case took under the lot's lock, its events are logged, the lot's
/// public fields follow them, and the public events (paddles, never firms) are made.
public struct LotDesk: Sendable {
    public internal(set) var lot: Lot
    public let session: AuctionSession
    public internal(set) var engine: LotEngine
    public internal(set) var now: Date
    public internal(set) var lastCommandID: UInt64
    public internal(set) var commandsSinceSnapshot: Int
    public internal(set) var lastEventSequence: Int64
    public internal(set) var appended: [LotLogEntry] = []
    public internal(set) var publicEvents: [LotEvent] = []
    /// Paddles by engine party.
    var paddles: [Matching.PartyID: Int]

    /// Take a snapshot after this many commands, so that a recovery replays at most this many.
    public static let snapshotIntervalCommands = 64

    public init(_ stored: StoredLot, session: AuctionSession, registrations: [LotRegistration], now: Date) throws {
        lot = stored.lot
        self.session = session
        engine = try LotEngine.recover(stored.lot.terms, snapshot: stored.snapshot, tail: stored.tail)
        self.now = now
        lastCommandID = stored.lastCommandID
        commandsSinceSnapshot = stored.tail.count
        lastEventSequence = stored.lastEventSequence
        paddles = Dictionary(registrations.map { (EngineID.party($0.firmID), $0.paddle) }, uniquingKeysWith: { first, _ in first })
    }

    var atMs: Int64 { LotEngine.ms(now) }

    /// A snapshot to keep with this unit of work's commands, when one is due.
    public var snapshotDue: [UInt8]? { commandsSinceSnapshot >= Self.snapshotIntervalCommands ? engine.snapshot() : nil }

    /// Runs one command; an engine refusal comes back as the area's refusal (the command and its
    /// refused event are in the log all the same).
    mutating func run(_ action: AuctionAction, floor: Bool = false) throws -> (events: [AuctionEvent], refusal: AuctionRefusal?) {
        guard lastCommandID < UInt64(AuctionLimits.commandsPerLotMax) else { throw AuctionRefusal.logFull(commandsMax: AuctionLimits.commandsPerLotMax) }
        lastCommandID += 1
        let command = AuctionCommand(id: CommandID(lastCommandID), atMs: atMs, action: action)
        var events: [AuctionEvent] = []
        engine.apply(command, into: &events)
        appended.append(LotLogEntry(commandID: lastCommandID, command: AuctionLog.encode(command), events: AuctionLog.text(events)))
        commandsSinceSnapshot += 1
        var refusal: AuctionRefusal?
        for event in events {
            switch event {
            case .registered(_, let bidder):
                lot.registeredCount += 1
                _ = bidder
            case .bidAccepted(let bid):
                lot.bidCount += 1
                lot.currentPriceFen = bid.priceFen
                lot.leaderPaddle = paddles[bid.leader]
                let kind = floor ? "floor" : bid.kind == .proxy ? "proxy" : bid.kind == .acceptance ? "acceptance" : "manual"
                emit(.bid, paddle: paddles[bid.bidder], priceFen: bid.priceFen, bidKind: kind, leaderPaddle: lot.leaderPaddle)
            case .sealedBidLodged:
                lot.bidCount += 1
                emit(.sealedBid)
            case .sealedBidRevealed(let bidder, let amount):
                emit(.reveal, paddle: paddles[bidder], priceFen: amount)
            case .extended(_, let endAtMs, let count):
                lot.endsAt = Date(timeIntervalSince1970: Double(endAtMs) / 1000)
                lot.extensionCount = Int(count)
                emit(.extended, endsAt: lot.endsAt)
            case .closed(_, let atMs, let outcome):
                // A hammer ends the bidding before the end: the lot's end is when it fell.
                lot.endsAt = min(lot.endsAt, Date(timeIntervalSince1970: Double(atMs) / 1000))
                switch outcome {
                case .sold(let winner, let price): emit(.closed, paddle: paddles[winner], priceFen: price, outcome: "sold")
                case .noSale(let reason): emit(.closed, outcome: reason == .noBids ? "no_bids" : "reserve_not_met")
                }
            case .refused(let refused):
                refusal = Self.refusal(refused, lot: lot, engine: engine, action: action)
            case .repeated:
                throw LotInconsistent("lot \(lot.id): the engine saw command \(lastCommandID) twice")
            }
        }
        return (events, refusal)
    }

    private mutating func emit(
        _ kind: LotEvent.Kind, paddle: Int? = nil, priceFen: Int64? = nil, bidKind: String? = nil, leaderPaddle: Int? = nil,
        endsAt: Date? = nil, outcome: String? = nil
    ) {
        lastEventSequence += 1
        publicEvents.append(LotEvent(
            sequence: lastEventSequence, kind: kind, paddle: paddle, priceFen: priceFen, bidKind: bidKind, leaderPaddle: leaderPaddle,
            endsAt: endsAt, outcome: outcome, at: now))
    }

    static func refusal(_ refused: Matching.AuctionRefusal, lot: Lot, engine: LotEngine, action: AuctionAction) -> AuctionRefusal {
        let bid: String
        switch action {
        case .proxyBid: bid = "proxy"
        case .accept: bid = "accept"
        case .hammer: bid = "hammer"
        default: bid = "amount"
        }
        switch refused.reason {
        case .notStarted: return .notStarted(startsAt: lot.terms.startsAt)
        case .ended, .notEnded: return .ended(endsAt: lot.endsAt)
        case .closed: return .lotClosed(lot: lot.id, status: lot.status)
        case .notRegistered: return .notRegistered(lot: lot.id)
        case .tooLow: return .tooLow(minimumFen: refused.minimumFen)
        case .tooHigh: return .tooHigh(maximumFen: AuctionLimits.priceFenMax)
        case .alreadyLeading: return .alreadyLeading(priceFen: lot.currentPriceFen ?? lot.terms.openingPriceFen)
        case .notAboveOwnMaximum: return .notAboveOwnMaximum(minimumFen: refused.minimumFen)
        case .alreadyBid: return .sealedBidTwice
        case .alreadyRegistered: return .alreadyRegistered(lot: lot.id, paddle: 0)
        case .registrationFull: return .registrationFull(biddersMax: AuctionLimits.biddersPerLotMax)
        case .notSupportedByFormat: return .notSupportedByFormat(format: lot.terms.format, bid: bid)
        }
    }
}

/// A lot as the store keeps it: the lot, its engine's latest snapshot and the commands after it.
public struct StoredLot: Sendable, Equatable {
    public var lot: Lot
    public var lastCommandID: UInt64
    public var lastEventSequence: Int64
    public var snapshot: [UInt8]?
    public var snapshotCommandID: UInt64
    public var tail: [[UInt8]]

    public init(lot: Lot, lastCommandID: UInt64, lastEventSequence: Int64, snapshot: [UInt8]?, snapshotCommandID: UInt64, tail: [[UInt8]]) {
        self.lot = lot
        self.lastCommandID = lastCommandID
        self.lastEventSequence = lastEventSequence
        self.snapshot = snapshot
        self.snapshotCommandID = snapshotCommandID
        self.tail = tail
    }
}

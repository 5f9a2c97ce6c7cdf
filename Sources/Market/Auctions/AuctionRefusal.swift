import Foundation

/// Why an auction use case refused, with the numbers behind it (docs/auctions.md): the engine's
/// reasons with the minimum next bid and the end time, and the market's own rules.
public enum AuctionRefusal: Refusal, Equatable {
    /// Lots are made of published listings (or, for its own lot, one already `in_auction`).
    case listingNotPublished(listing: ListingID, status: String)
    /// The listing already has a lot that has not closed.
    case listingHasOpenLot(listing: ListingID, lot: LotID)
    /// The lot is not in the state the move needs.
    case lotNotAwaitingConsent(lot: LotID, status: LotStatus)
    /// The session's notice has passed: consent comes before it.
    case noticePassed(lot: LotID, noticeAt: Date)
    /// The lot has not been consented to by its institution.
    case lotNotConsented(lot: LotID)
    case lotClosed(lot: LotID, status: LotStatus)
    /// The seller itself, or a firm of a controller group under the seller's control (no shill bidding).
    case sellersOwnSide(lot: LotID)
    case alreadyRegistered(lot: LotID, paddle: Int)
    /// The firm's deposit account holds less than the lot's deposit.
    case depositNotHeld(depositFen: Int64, balanceFen: Int64)
    case notRegistered(lot: LotID)
    case notStarted(startsAt: Date)
    /// Nothing is accepted at or after the end, however close.
    case ended(endsAt: Date)
    /// Below the least acceptable bid.
    case tooLow(minimumFen: Int64)
    case tooHigh(maximumFen: Int64)
    /// The leader raises its own maximum by proxy, never by a manual bid.
    case alreadyLeading(priceFen: Int64)
    case notAboveOwnMaximum(minimumFen: Int64)
    /// A sealed lot takes one bid per firm.
    case sealedBidTwice
    /// The format does not take this kind of bid (`amount`, `proxy`, `accept`).
    case notSupportedByFormat(format: LotFormat, bid: String)
    case registrationFull(biddersMax: Int)
    /// The lot's log is full (`AuctionLimits.commandsPerLotMax`).
    case logFull(commandsMax: Int)
    /// A receipt with this bank reference was recorded already (for another firm or amount).
    case receiptReferenceUsed(reference: String)
    /// Only a sold lot whose payment deadline has passed can be marked in default.
    case notInDefault(lot: LotID, paymentDueAt: Date?)
    /// A floor bid names a paddle not registered for the lot.
    case unknownPaddle(paddle: Int)
    /// The hammer is the auctioneer's in a live session only.
    case sessionNotLive(lot: LotID)
    /// The last bid is too recent for the hammer (`AuctionLimits.hammerQuietSeconds`).
    case hammerTooSoon(quietUntil: Date)
    /// A payment is recorded for a sold lot not yet paid.
    case notAwaitingPayment(lot: LotID, status: LotStatus)
    /// The winner pays the balance due in one payment: the hammer price and the buyer's
    /// commission, less the deposit applied.
    case notTheAmountDue(dueFen: Int64)

    public var kind: RefusalKind {
        switch self {
        case .tooLow, .tooHigh, .notAboveOwnMaximum, .notSupportedByFormat, .unknownPaddle, .notTheAmountDue: return .rule
        case .sellersOwnSide: return .forbidden
        default: return .conflict
        }
    }

    public var title: String { "Refused by the auction rules" }

    public var code: String {
        switch self {
        case .listingNotPublished: return "listing_not_published"
        case .listingHasOpenLot: return "listing_has_open_lot"
        case .lotNotAwaitingConsent: return "lot_not_awaiting_consent"
        case .noticePassed: return "notice_passed"
        case .lotNotConsented: return "lot_not_consented"
        case .lotClosed: return "lot_closed"
        case .sellersOwnSide: return "sellers_own_side"
        case .alreadyRegistered: return "already_registered"
        case .depositNotHeld: return "deposit_not_held"
        case .notRegistered: return "not_registered"
        case .notStarted: return "lot_not_started"
        case .ended: return "lot_ended"
        case .tooLow: return "bid_too_low"
        case .tooHigh: return "bid_too_high"
        case .alreadyLeading: return "already_leading"
        case .notAboveOwnMaximum: return "not_above_own_maximum"
        case .sealedBidTwice: return "sealed_bid_twice"
        case .notSupportedByFormat: return "not_supported_by_format"
        case .registrationFull: return "registration_full"
        case .logFull: return "lot_log_full"
        case .receiptReferenceUsed: return "receipt_reference_used"
        case .notInDefault: return "not_in_default"
        case .unknownPaddle: return "unknown_paddle"
        case .sessionNotLive: return "session_not_live"
        case .hammerTooSoon: return "hammer_too_soon"
        case .notAwaitingPayment: return "lot_not_awaiting_payment"
        case .notTheAmountDue: return "not_the_amount_due"
        }
    }

    static func time(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    public var detail: String {
        switch self {
        case .listingNotPublished(let listing, let status): return "listing \(listing) is \(status); a lot is made of a published listing"
        case .listingHasOpenLot(let listing, let lot): return "listing \(listing) is already offered in lot \(lot)"
        case .lotNotAwaitingConsent(let lot, let status): return "lot \(lot) is \(status.rawValue)"
        case .noticePassed(let lot, let noticeAt): return "lot \(lot)'s session was noticed at \(Self.time(noticeAt)); consent comes before the notice"
        case .lotNotConsented(let lot): return "lot \(lot) awaits its institution's consent"
        case .lotClosed(let lot, let status): return "lot \(lot) is closed (\(status.rawValue))"
        case .sellersOwnSide(let lot): return "the seller of lot \(lot) and firms under its control may not bid on it"
        case .alreadyRegistered(let lot, let paddle): return "the firm is registered for lot \(lot) with paddle \(paddle)"
        case .depositNotHeld(let deposit, let balance):
            return "the lot's deposit is \(MoneyText.yuan(deposit)); the firm's deposit account holds \(MoneyText.yuan(balance))"
        case .notRegistered(let lot): return "the firm is not registered for lot \(lot)"
        case .notStarted(let startsAt): return "bidding opens at \(Self.time(startsAt))"
        case .ended(let endsAt): return "the lot ended at \(Self.time(endsAt)); no bid is accepted at or after the end"
        case .tooLow(let minimum): return "the least acceptable bid is \(MoneyText.yuan(minimum))"
        case .tooHigh(let maximum): return "a bid is at most \(MoneyText.yuan(maximum))"
        case .alreadyLeading(let price): return "the firm leads at \(MoneyText.yuan(price)); it may raise its maximum with a proxy bid"
        case .notAboveOwnMaximum(let minimum): return "a new maximum must be at least \(MoneyText.yuan(minimum))"
        case .sealedBidTwice: return "a sealed lot takes one bid per firm"
        case .notSupportedByFormat(let format, let bid):
            if bid == "hammer" { return "a \(format.rawValue) lot is not hammered: it closes by its own rules" }
            return "a \(format.rawValue) lot does not take a bid by \(bid)"
        case .registrationFull(let max): return "the lot registers at most \(max) firms"
        case .logFull(let max): return "the lot's log holds at most \(max) commands"
        case .receiptReferenceUsed(let reference): return "bank reference \(reference) was recorded for another receipt"
        case .notInDefault(let lot, let due):
            return "lot \(lot) is not a sold lot past its payment deadline\(due.map { " (\(Self.time($0)))" } ?? "")"
        case .unknownPaddle(let paddle): return "paddle \(paddle) is not registered for the lot"
        case .sessionNotLive(let lot): return "lot \(lot)'s session is not live: its lots close at their end, not by the hammer"
        case .hammerTooSoon(let until):
            return "the last bid is under \(AuctionLimits.hammerQuietSeconds) s old; the hammer may fall from \(Self.time(until)) if no higher bid comes"
        case .notAwaitingPayment(let lot, let status):
            return "lot \(lot) is \(status.rawValue)\(status == .sold ? " and paid" : ""); a payment is recorded once, for a sold lot"
        case .notTheAmountDue(let due):
            return "the balance due is \(MoneyText.yuan(due)): the hammer price and the buyer's commission, less the deposit applied"
        }
    }

    public var fieldIssues: [FieldIssue] {
        switch self {
        case .tooLow: return [.rule("amountFen", "is below the least acceptable bid")]
        case .tooHigh: return [.rule("amountFen", "is above the largest bid")]
        case .notAboveOwnMaximum: return [.rule("maxFen", "is not above the firm's own maximum")]
        case .notTheAmountDue: return [.rule("amountFen", "is not the balance due")]
        case .notSupportedByFormat(_, let bid):
            if bid == "hammer" { return [] }
            return [.rule(bid == "proxy" ? "maxFen" : bid == "accept" ? "accept" : "amountFen", "is not taken by this format")]
        case .unknownPaddle: return [.rule("paddle", "is not registered for the lot")]
        default: return []
        }
    }

    public var values: [String: Int64] {
        switch self {
        case .tooLow(let minimum), .notAboveOwnMaximum(let minimum): return ["minimumFen": minimum]
        case .tooHigh(let maximum): return ["maximumFen": maximum]
        case .alreadyLeading(let price): return ["priceFen": price]
        case .depositNotHeld(let deposit, let balance): return ["depositFen": deposit, "balanceFen": balance]
        case .alreadyRegistered(_, let paddle): return ["paddle": Int64(paddle)]
        case .ended(let endsAt): return ["endsAtMs": Int64((endsAt.timeIntervalSince1970 * 1000).rounded(.down))]
        case .notStarted(let startsAt): return ["startsAtMs": Int64((startsAt.timeIntervalSince1970 * 1000).rounded(.down))]
        case .listingHasOpenLot(_, let lot): return ["lotId": lot.value]
        case .registrationFull(let max): return ["biddersMax": Int64(max)]
        case .logFull(let max): return ["commandsMax": Int64(max)]
        case .hammerTooSoon(let until): return ["quietUntilMs": Int64((until.timeIntervalSince1970 * 1000).rounded(.up))]
        case .notTheAmountDue(let due): return ["dueFen": due]
        default: return [:]
        }
    }

    /// Refusals about the lot's state: a retry may be answered otherwise.
    public var clearsOnRetry: Bool { kind == .conflict }
}

/// The stored lot and its log disagree with what the engine says (a bug, never the client's
/// fault): the use case stops and nothing is written.
public struct LotInconsistent: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

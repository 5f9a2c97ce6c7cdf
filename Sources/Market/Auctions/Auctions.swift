import Foundation

/// An auction session's id.
public typealias SessionID = Identifier<AuctionSession>
/// A lot's id.
public typealias LotID = Identifier<Lot>
/// A registration's id (a firm's paddle on one lot).
public typealias LotRegistrationID = Identifier<LotRegistration>
/// A bank receipt of a deposit's id.
public typealias DepositReceiptID = Identifier<DepositReceipt>

/// The limits of the auction area (docs/auctions.md), each named and refused past.
public enum AuctionLimits {
    /// A session's title, in characters.
    public static let titleLength = 1...200
    /// The auctioneer's hammer waits this long after the last accepted bid ("going once, going
    /// twice"), so that an online bidder can still answer a bid made in the room.
    public static let hammerQuietSeconds = 30
    /// 佣金: the Auction Law's most (art. 56) when the contract is silent, in basis points (5%).
    public static let commissionBasisPointsMax = 500
    /// The default deposit: 10% of the opening price.
    public static let depositBasisPointsDefault = 1_000
    /// A deposit is at most the opening price.
    public static let depositBasisPointsMax = 10_000
    /// The Auction Law's notice (art. 45): at least 7 days before the session starts.
    public static let noticeDaysDefault = 7
    /// The most notice a server may ask for.
    public static let noticeDaysMax = 90
    /// The default time a winner has to pay after the hammer.
    public static let paymentDaysDefault = 10
    public static let paymentDaysRange = 1...90
    /// The furthest ahead a session may start.
    public static let startDaysAheadMax = 365
    /// A lot runs at most this long.
    public static let lotDurationDaysMax = 30
    /// Anti-sniping: the default window (5 minutes) and the most it may be.
    public static let extensionWindowSecondsDefault = 300
    public static let extensionWindowSeconds = 10...3_600
    public static let extensionCountMaxLimit = 1_000
    /// The most firms that register for one lot.
    public static let biddersPerLotMax = 1_000
    /// The most commands one lot's log takes (registrations, bids, refusals, the close); past it
    /// the lot refuses bids, so that recovering it stays bounded.
    public static let commandsPerLotMax = 100_000
    /// Bids on one lot that wait together go to PostgreSQL as one transaction, at most this many
    /// (`LotBidQueue`): enough to amortise the lot's lock and the commit over a hot lot's bidders,
    /// few enough that one transaction holds the lock briefly.
    public static let bidsPerCommitMax = 64
    /// Lots one run of the due work closes; the rest wait for the next run.
    public static let dueLotsPerRunMax = 100
    /// A live stream's heartbeat (a comment line) when no event came for this long.
    public static let streamHeartbeatSeconds = 15
    /// A live stream ends after this long, so that no connection is held for ever; the client
    /// reconnects with Last-Event-ID and misses nothing.
    public static let streamSecondsMax = 3_600
    /// Live streams one server serves at once; past it a watcher is refused (503).
    public static let streamWatchersMax = 10_000
    /// Events one read of a lot's record returns (the stream's catch-up pages).
    public static let eventsPerReadMax = 500
    /// A bank reference of a deposit receipt, in characters.
    public static let referenceLength = 1...64
    /// The largest price of a lot, in fen (¥10bn, as for listings).
    public static let priceFenMax: Int64 = 1_000_000_000_000
    /// The largest deposit one receipt may credit.
    public static let receiptFenMax: Int64 = 1_000_000_000_000
}

/// The settings of the auction area that the operator may change (`techmarket serve` flags):
/// the notice the Auction Law asks for, and the clock that gives each command its time.
public struct AuctionSettings: Sendable {
    /// The least time between a session's public notice and its start.
    public var noticeSecondsMin: Int
    /// The auction's clock: read once per command, under the lot's lock.
    public var clock: @Sendable () -> Date

    public init(noticeSecondsMin: Int = AuctionLimits.noticeDaysDefault * 86_400, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.noticeSecondsMin = noticeSecondsMin
        self.clock = clock
    }
}

/// An auction session (专场): the operator, the licensed auctioneer, notices it and runs its lots.
public struct AuctionSession: Sendable, Equatable {
    public var id: SessionID
    public var title: String
    /// 公告: when the session and its lots were made public.
    public var noticeAt: Date
    public var startsAt: Date
    /// 买受人佣金, in basis points of the hammer price (≤ 5%).
    public var buyerCommissionBasisPoints: Int
    /// 委托人佣金, in basis points of the hammer price (≤ 5%).
    public var sellerCommissionBasisPoints: Int
    /// 保证金: basis points of each lot's opening price.
    public var depositBasisPoints: Int
    /// Days the winner has to pay after the hammer.
    public var paymentDays: Int
    /// Of a forfeited deposit, the seller's share (compensation), in basis points; the rest is the operator's.
    public var forfeitSellerBasisPoints: Int
    /// 现场拍卖: run live by an auctioneer in a room (with the online window), who may hammer an
    /// English lot before its end once no higher bid comes.
    public var live: Bool
    public var createdAt: Date

    public init(
        id: SessionID, title: String, noticeAt: Date, startsAt: Date, buyerCommissionBasisPoints: Int, sellerCommissionBasisPoints: Int,
        depositBasisPoints: Int, paymentDays: Int, forfeitSellerBasisPoints: Int, live: Bool = false, createdAt: Date
    ) {
        self.live = live
        self.id = id
        self.title = title
        self.noticeAt = noticeAt
        self.startsAt = startsAt
        self.buyerCommissionBasisPoints = buyerCommissionBasisPoints
        self.sellerCommissionBasisPoints = sellerCommissionBasisPoints
        self.depositBasisPoints = depositBasisPoints
        self.paymentDays = paymentDays
        self.forfeitSellerBasisPoints = forfeitSellerBasisPoints
        self.createdAt = createdAt
    }
}

/// What the operator sends to open a session.
public struct SessionRequest: Sendable, Equatable {
    public var title: String
    public var noticeAt: Date
    public var startsAt: Date
    public var buyerCommissionBasisPoints: Int
    public var sellerCommissionBasisPoints: Int
    public var depositBasisPoints: Int
    public var paymentDays: Int
    public var forfeitSellerBasisPoints: Int
    /// A live session (`AuctionSession.live`).
    public var live: Bool

    public init(
        title: String, noticeAt: Date, startsAt: Date, buyerCommissionBasisPoints: Int = 0, sellerCommissionBasisPoints: Int = 0,
        depositBasisPoints: Int = AuctionLimits.depositBasisPointsDefault, paymentDays: Int = AuctionLimits.paymentDaysDefault,
        forfeitSellerBasisPoints: Int = 10_000, live: Bool = false
    ) {
        self.live = live
        self.title = title
        self.noticeAt = noticeAt
        self.startsAt = startsAt
        self.buyerCommissionBasisPoints = buyerCommissionBasisPoints
        self.sellerCommissionBasisPoints = sellerCommissionBasisPoints
        self.depositBasisPoints = depositBasisPoints
        self.paymentDays = paymentDays
        self.forfeitSellerBasisPoints = forfeitSellerBasisPoints
    }
}

/// How a lot is sold.
public enum LotFormat: String, Sendable, Codable, CaseIterable {
    /// 增价: ascending, with proxy bids and anti-sniping.
    case english
    /// 减价: descending; the first acceptance buys.
    case dutch
    /// 密封一价: the winner pays its own bid.
    case sealedFirstPrice = "sealed_first_price"
    /// 密封二价 (Vickrey): the winner pays max(second bid, reserve).
    case sealedSecondPrice = "sealed_second_price"

    public var isSealed: Bool { self == .sealedFirstPrice || self == .sealedSecondPrice }
}

/// Where a lot stands as stored; `AuctionLot.phase` adds what the clock says.
public enum LotStatus: String, Sendable, Codable, CaseIterable {
    /// Created by the operator; the holding institution has not consented yet.
    case awaitingConsent = "awaiting_consent"
    /// Consented: the listing is `in_auction`, firms register, bids are taken from the start.
    case consented
    /// 成交: closed with the reserve met; a contract was signed.
    case sold
    /// 流拍: closed without a sale; every deposit was released.
    case unsold
    /// The winner did not pay by the deadline: its deposit forfeited, the contract terminated.
    case defaulted

    public var isClosed: Bool { self == .sold || self == .unsold || self == .defaulted }
}

/// A lot's terms as the operator sets them.
public struct LotTerms: Sendable, Equatable {
    public var listingID: ListingID
    /// The transfer mode the lot sells (one the listing offers): the contract's type follows it.
    public var mode: TransferMode
    public var format: LotFormat
    /// 起拍价.
    public var openingPriceFen: Int64
    /// 保留价: hidden from bidders; for a Dutch lot, its floor.
    public var reserveFen: Int64
    /// 加价幅度 (English); for a Dutch lot, the step the price falls by.
    public var incrementFen: Int64
    public var startsAt: Date
    public var endsAt: Date
    /// Anti-sniping window (English).
    public var extensionWindowSeconds: Int
    /// The most extensions (English); nil: no cap.
    public var extensionCountMax: Int?
    /// How often a Dutch lot's price falls.
    public var dutchIntervalSeconds: Int?

    public init(
        listingID: ListingID, mode: TransferMode = .assignment, format: LotFormat, openingPriceFen: Int64, reserveFen: Int64, incrementFen: Int64, startsAt: Date, endsAt: Date,
        extensionWindowSeconds: Int = AuctionLimits.extensionWindowSecondsDefault, extensionCountMax: Int? = nil, dutchIntervalSeconds: Int? = nil
    ) {
        self.listingID = listingID
        self.mode = mode
        self.format = format
        self.openingPriceFen = openingPriceFen
        self.reserveFen = reserveFen
        self.incrementFen = incrementFen
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.extensionWindowSeconds = extensionWindowSeconds
        self.extensionCountMax = extensionCountMax
        self.dutchIntervalSeconds = dutchIntervalSeconds
    }
}

/// The result of a closed lot (成交公示), or the default that followed it.
public struct LotResult: Sendable, Equatable {
    public var sold: Bool
    /// 落槌价, when sold.
    public var hammerPriceFen: Int64?
    public var winnerPaddle: Int?
    public var winnerFirmID: PartyID?
    /// The buyer's commission charged on the hammer price.
    public var buyerCommissionFen: Int64
    public var contractID: ContractID?
    /// `no_bids` or `reserve_not_met`, when not sold.
    public var noSaleReason: String?
    public var closedAt: Date
    public var paymentDueAt: Date?
    /// When the operator recorded the winner's payment.
    public var paidAt: Date?

    public init(
        sold: Bool, hammerPriceFen: Int64?, winnerPaddle: Int?, winnerFirmID: PartyID?, buyerCommissionFen: Int64, contractID: ContractID?,
        noSaleReason: String?, closedAt: Date, paymentDueAt: Date?, paidAt: Date? = nil
    ) {
        self.paidAt = paidAt
        self.sold = sold
        self.hammerPriceFen = hammerPriceFen
        self.winnerPaddle = winnerPaddle
        self.winnerFirmID = winnerFirmID
        self.buyerCommissionFen = buyerCommissionFen
        self.contractID = contractID
        self.noSaleReason = noSaleReason
        self.closedAt = closedAt
        self.paymentDueAt = paymentDueAt
    }
}

/// A lot: one listing offered in one format within a session, with where its engine stands.
public struct Lot: Sendable, Equatable {
    public var id: LotID
    public var sessionID: SessionID
    public var institutionID: PartyID
    public var terms: LotTerms
    /// 保证金 each registered firm lodges.
    public var depositFen: Int64
    public var status: LotStatus
    /// Controller groups the institution declared under its control at consent: their firms may not bid.
    public var excludedGroupCodes: [String]
    public var consentedAt: Date?
    /// The end after any extension.
    public var endsAt: Date
    public var extensionCount: Int
    /// 当前价: the visible price (English), nil before the first bid.
    public var currentPriceFen: Int64?
    public var leaderPaddle: Int?
    /// Accepted bids (English, Dutch) or sealed bids lodged.
    public var bidCount: Int
    public var registeredCount: Int
    public var result: LotResult?
    public var createdAt: Date

    public init(
        id: LotID, sessionID: SessionID, institutionID: PartyID, terms: LotTerms, depositFen: Int64, status: LotStatus,
        excludedGroupCodes: [String] = [], consentedAt: Date? = nil, endsAt: Date, extensionCount: Int = 0, currentPriceFen: Int64? = nil,
        leaderPaddle: Int? = nil, bidCount: Int = 0, registeredCount: Int = 0, result: LotResult? = nil, createdAt: Date
    ) {
        self.id = id
        self.sessionID = sessionID
        self.institutionID = institutionID
        self.terms = terms
        self.depositFen = depositFen
        self.status = status
        self.excludedGroupCodes = excludedGroupCodes
        self.consentedAt = consentedAt
        self.endsAt = endsAt
        self.extensionCount = extensionCount
        self.currentPriceFen = currentPriceFen
        self.leaderPaddle = leaderPaddle
        self.bidCount = bidCount
        self.registeredCount = registeredCount
        self.result = result
        self.createdAt = createdAt
    }

    /// Where the lot stands at `now`: its status, and for a consented lot whether bidding has
    /// started or its end (after extensions) has passed and it waits to be closed.
    public func phase(at now: Date) -> String {
        switch status {
        case .awaitingConsent: return "awaiting_consent"
        case .consented:
            if now < terms.startsAt { return "noticed" }
            return now < endsAt ? "open" : "ended"
        case .sold, .unsold, .defaulted: return status.rawValue
        }
    }
}

/// A firm's registration for a lot (竞买登记), with its paddle number (竞买号牌) and deposit.
public struct LotRegistration: Sendable, Equatable {
    public enum DepositStatus: String, Sendable, Codable, CaseIterable {
        /// In the lot's escrow.
        case held
        /// Back in the firm's deposit account.
        case released
        /// Counted toward the price (the winner's).
        case applied
        /// The winner defaulted.
        case forfeited
    }

    public var id: LotRegistrationID
    public var lotID: LotID
    public var firmID: PartyID
    public var paddle: Int
    public var depositFen: Int64
    public var depositStatus: DepositStatus
    public var registeredAt: Date

    public init(id: LotRegistrationID, lotID: LotID, firmID: PartyID, paddle: Int, depositFen: Int64, depositStatus: DepositStatus, registeredAt: Date) {
        self.id = id
        self.lotID = lotID
        self.firmID = firmID
        self.paddle = paddle
        self.depositFen = depositFen
        self.depositStatus = depositStatus
        self.registeredAt = registeredAt
    }
}

/// A deposit's arrival at the operator's bank, recorded by the operator: it credits the firm's
/// deposit account.
public struct DepositReceipt: Sendable, Equatable {
    public var id: DepositReceiptID
    public var firmID: PartyID
    public var amountFen: Int64
    /// The bank's reference of the payment: one receipt per reference.
    public var reference: String
    /// The firm's deposit balance after the receipt.
    public var balanceFen: Int64
    public var receivedAt: Date

    public init(id: DepositReceiptID, firmID: PartyID, amountFen: Int64, reference: String, balanceFen: Int64, receivedAt: Date) {
        self.id = id
        self.firmID = firmID
        self.amountFen = amountFen
        self.reference = reference
        self.balanceFen = balanceFen
        self.receivedAt = receivedAt
    }
}

/// A bid a caller sends.
public enum BidRequest: Sendable, Equatable {
    /// A bid of exactly this amount (English, sealed).
    case amount(Int64)
    /// A proxy maximum (English).
    case proxy(maxFen: Int64)
    /// Accept the current price (Dutch).
    case accept

    /// The amounts are prices: 1 fen to `AuctionLimits.priceFenMax`.
    public func validate() throws(MarketError) {
        var issues = FieldIssues()
        switch self {
        case .amount(let fen) where !(1...AuctionLimits.priceFenMax).contains(fen):
            issues.add("amountFen", "must be from 1 to \(AuctionLimits.priceFenMax) fen, not \(fen)")
        case .proxy(let fen) where !(1...AuctionLimits.priceFenMax).contains(fen):
            issues.add("maxFen", "must be from 1 to \(AuctionLimits.priceFenMax) fen, not \(fen)")
        default: break
        }
        try issues.throwIfAny()
    }
}

/// One public event of a lot, as the bid history and the live stream show it: paddles, never
/// firms, never a proxy's maximum, and for a sealed lot no amount until the close.
public struct LotEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A bid was accepted; `priceFen` is the visible price after it.
        case bid
        /// A sealed bid was lodged (no amount).
        case sealedBid = "sealed_bid"
        /// A sealed bid revealed at the close.
        case reveal
        /// Anti-sniping moved the end.
        case extended
        /// The lot closed: sold (`priceFen`, `paddle`) or not.
        case closed
    }

    /// Its place in the lot's public log, from 1: the stream's event id.
    public var sequence: Int64
    public var kind: Kind
    public var paddle: Int?
    public var priceFen: Int64?
    /// `manual`, `proxy`, `floor` or `acceptance`, for a bid.
    public var bidKind: String?
    public var leaderPaddle: Int?
    public var endsAt: Date?
    public var outcome: String?
    public var at: Date

    public init(
        sequence: Int64, kind: Kind, paddle: Int? = nil, priceFen: Int64? = nil, bidKind: String? = nil, leaderPaddle: Int? = nil,
        endsAt: Date? = nil, outcome: String? = nil, at: Date
    ) {
        self.sequence = sequence
        self.kind = kind
        self.paddle = paddle
        self.priceFen = priceFen
        self.bidKind = bidKind
        self.leaderPaddle = leaderPaddle
        self.endsAt = endsAt
        self.outcome = outcome
        self.at = at
    }
}

/// What a bid's answer says: the lot after it, and where the bidder stands.
public struct BidReceipt: Sendable, Equatable {
    public var lot: Lot
    public var paddle: Int
    /// `leading`, `outbid` or `lodged` (a sealed bid), or `won` (a Dutch acceptance).
    public var standing: String
    /// The least next bid (English), for the bidder to see.
    public var minimumNextBidFen: Int64?
    /// The bidder's own proxy maximum, if any (only the bidder sees it).
    public var yourMaximumFen: Int64?
    public var events: [LotEvent]
    /// The command's time on the auction's clock.
    public var at: Date

    public init(lot: Lot, paddle: Int, standing: String, minimumNextBidFen: Int64?, yourMaximumFen: Int64?, events: [LotEvent], at: Date) {
        self.at = at
        self.lot = lot
        self.paddle = paddle
        self.standing = standing
        self.minimumNextBidFen = minimumNextBidFen
        self.yourMaximumFen = yourMaximumFen
        self.events = events
    }
}

/// Which lots a list shows.
public struct LotFilter: Sendable, Equatable {
    public var sessionID: SessionID?
    public var status: LotStatus?

    public init(sessionID: SessionID? = nil, status: LotStatus? = nil) {
        self.sessionID = sessionID
        self.status = status
    }
}

/// What a run of `closeDue` did.
public struct LotSweepReport: Sendable, Equatable {
    public var closed = 0
    public var sold = 0

    public init() {}
}

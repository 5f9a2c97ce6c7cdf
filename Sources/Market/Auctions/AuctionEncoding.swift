import Foundation

// The one JSON shape of each auction resource, as docs/auctions.md and the OpenAPI document show it.

extension AuctionSession: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, title, noticeAt, startsAt, buyerCommissionBasisPoints, sellerCommissionBasisPoints, depositBasisPoints, paymentDays
        case forfeitSellerBasisPoints, live, createdAt
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(noticeAt, forKey: .noticeAt)
        try container.encode(startsAt, forKey: .startsAt)
        try container.encode(buyerCommissionBasisPoints, forKey: .buyerCommissionBasisPoints)
        try container.encode(sellerCommissionBasisPoints, forKey: .sellerCommissionBasisPoints)
        try container.encode(depositBasisPoints, forKey: .depositBasisPoints)
        try container.encode(paymentDays, forKey: .paymentDays)
        try container.encode(forfeitSellerBasisPoints, forKey: .forfeitSellerBasisPoints)
        try container.encode(live, forKey: .live)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

extension LotView: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, format, mode, phase, status, openingPriceFen, reserveFen, incrementFen, depositFen, startsAt, endsAt, scheduledEndsAt
        case extensionWindowSeconds, extensionCountMax, extensionCount, dutchIntervalSeconds, currentPriceFen, bidCount, registeredCount
        case leaderPaddle, minimumNextBidFen, consentedAt, excludedGroupCodes, result, you
        case sessionID = "sessionId", listingID = "listingId", institutionID = "institutionId"
    }

    struct Result: Encodable {
        var sold: Bool
        var hammerPriceFen: Int64?
        var paddle: Int?
        var buyerCommissionFen: Int64
        var noSaleReason: String?
        var closedAt: Date
        var paymentDueAt: Date?
        var paidAt: Date?
        var contractID: ContractID?
        var winnerFirmID: PartyID?

        enum CodingKeys: String, CodingKey {
            case sold, hammerPriceFen, paddle, buyerCommissionFen, noSaleReason, closedAt, paymentDueAt, paidAt
            case contractID = "contractId", winnerFirmID = "winnerFirmId"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(sold, forKey: .sold)
            try container.encode(hammerPriceFen, forKey: .hammerPriceFen)
            try container.encode(paddle, forKey: .paddle)
            try container.encode(buyerCommissionFen, forKey: .buyerCommissionFen)
            try container.encode(noSaleReason, forKey: .noSaleReason)
            try container.encode(closedAt, forKey: .closedAt)
            try container.encode(paymentDueAt, forKey: .paymentDueAt)
            try container.encode(paidAt, forKey: .paidAt)
            try container.encode(contractID, forKey: .contractID)
            try container.encode(winnerFirmID, forKey: .winnerFirmID)
        }
    }

    struct You: Encodable {
        var paddle: Int
        var depositFen: Int64
        var depositStatus: LotRegistration.DepositStatus
        var standing: String?
    }

    /// The visible price: English, the price after the last bid; Dutch, the price now; sealed, none until the close.
    var visiblePriceFen: Int64? {
        let terms = lot.terms
        switch terms.format {
        case .english: return lot.currentPriceFen
        case .sealedFirstPrice, .sealedSecondPrice: return lot.status.isClosed ? lot.result?.hammerPriceFen : nil
        case .dutch:
            if lot.status.isClosed { return lot.result?.hammerPriceFen }
            guard let interval = terms.dutchIntervalSeconds, now > terms.startsAt else { return terms.openingPriceFen }
            let steps = Int64(now.timeIntervalSince(terms.startsAt)) / Int64(interval)
            let toFloor = (terms.openingPriceFen - terms.reserveFen) / terms.incrementFen
            return steps > toFloor ? terms.reserveFen : max(terms.reserveFen, terms.openingPriceFen - steps * terms.incrementFen)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let terms = lot.terms
        let sealedOpen = terms.format.isSealed && !lot.status.isClosed
        try container.encode(lot.id, forKey: .id)
        try container.encode(lot.sessionID, forKey: .sessionID)
        try container.encode(terms.listingID, forKey: .listingID)
        try container.encode(lot.institutionID, forKey: .institutionID)
        try container.encode(terms.format, forKey: .format)
        try container.encode(terms.mode, forKey: .mode)
        try container.encode(lot.phase(at: now), forKey: .phase)
        try container.encode(lot.status, forKey: .status)
        try container.encode(terms.openingPriceFen, forKey: .openingPriceFen)
        // 保留价: hidden from bidders; a Dutch lot's floor is its schedule, and public.
        try container.encode(viewer.seesReserve || terms.format == .dutch ? terms.reserveFen : nil, forKey: .reserveFen)
        try container.encode(terms.incrementFen, forKey: .incrementFen)
        try container.encode(lot.depositFen, forKey: .depositFen)
        try container.encode(terms.startsAt, forKey: .startsAt)
        try container.encode(lot.endsAt, forKey: .endsAt)
        try container.encode(terms.endsAt, forKey: .scheduledEndsAt)
        try container.encode(terms.format == .english ? terms.extensionWindowSeconds : nil, forKey: .extensionWindowSeconds)
        try container.encode(terms.format == .english ? terms.extensionCountMax : nil, forKey: .extensionCountMax)
        try container.encode(lot.extensionCount, forKey: .extensionCount)
        try container.encode(terms.dutchIntervalSeconds, forKey: .dutchIntervalSeconds)
        try container.encode(visiblePriceFen, forKey: .currentPriceFen)
        try container.encode(lot.bidCount, forKey: .bidCount)
        try container.encode(lot.registeredCount, forKey: .registeredCount)
        try container.encode(sealedOpen ? nil : lot.leaderPaddle, forKey: .leaderPaddle)
        try container.encode(minimumNextBidFen, forKey: .minimumNextBidFen)
        try container.encode(lot.consentedAt, forKey: .consentedAt)
        try container.encode(viewer.seesReserve ? lot.excludedGroupCodes : nil, forKey: .excludedGroupCodes)
        let result = lot.result.map { result -> Result in
            var mine = false
            if case .bidder(let registration) = viewer { mine = registration.firmID == result.winnerFirmID }
            let party = viewer.seesReserve || mine
            return Result(
                sold: result.sold, hammerPriceFen: result.hammerPriceFen, paddle: result.winnerPaddle, buyerCommissionFen: result.buyerCommissionFen,
                noSaleReason: result.noSaleReason, closedAt: result.closedAt, paymentDueAt: result.paymentDueAt, paidAt: result.paidAt,
                contractID: party ? result.contractID : nil, winnerFirmID: party ? result.winnerFirmID : nil)
        }
        try container.encode(result, forKey: .result)
        var you: You?
        if case .bidder(let registration) = viewer {
            you = You(paddle: registration.paddle, depositFen: registration.depositFen, depositStatus: registration.depositStatus, standing: standing)
        }
        try container.encode(you, forKey: .you)
    }
}

extension LotRegistration: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, paddle, depositFen, depositStatus, registeredAt
        case lotID = "lotId", firmID = "firmId"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(lotID, forKey: .lotID)
        try container.encode(firmID, forKey: .firmID)
        try container.encode(paddle, forKey: .paddle)
        try container.encode(depositFen, forKey: .depositFen)
        try container.encode(depositStatus, forKey: .depositStatus)
        try container.encode(registeredAt, forKey: .registeredAt)
    }
}

extension DepositReceipt: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, amountFen, reference, balanceFen, receivedAt
        case firmID = "firmId"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(firmID, forKey: .firmID)
        try container.encode(amountFen, forKey: .amountFen)
        try container.encode(reference, forKey: .reference)
        try container.encode(balanceFen, forKey: .balanceFen)
        try container.encode(receivedAt, forKey: .receivedAt)
    }
}

extension LotEvent: Encodable {
    enum CodingKeys: String, CodingKey {
        case sequence, kind, paddle, priceFen, bidKind, leaderPaddle, endsAt, outcome, at
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(kind, forKey: .kind)
        try container.encode(paddle, forKey: .paddle)
        try container.encode(priceFen, forKey: .priceFen)
        try container.encode(bidKind, forKey: .bidKind)
        try container.encode(leaderPaddle, forKey: .leaderPaddle)
        try container.encode(endsAt, forKey: .endsAt)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(at, forKey: .at)
    }
}

extension BidReceipt: Encodable {
    enum CodingKeys: String, CodingKey {
        case lot, paddle, standing, minimumNextBidFen, yourMaximumFen, events
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(LotView(lot: lot, viewer: .everyone, now: at, minimumNextBidFen: minimumNextBidFen), forKey: .lot)
        try container.encode(paddle, forKey: .paddle)
        try container.encode(standing, forKey: .standing)
        try container.encode(minimumNextBidFen, forKey: .minimumNextBidFen)
        try container.encode(yourMaximumFen, forKey: .yourMaximumFen)
        try container.encode(events, forKey: .events)
    }
}

import Foundation
@testable import Market
import Matching
import Testing

// Matching has a refusal of this name too; in these tests it is the market's.
typealias AuctionRefusal = Market.AuctionRefusal

/// The auction rules and the lot desk, with no database: a session's notice and commissions,
/// a lot's terms, who may register (no shill bidding), what each bid does to the lot's public
/// fields and events, and what a close moves in the ledger.
@Suite struct AuctionRulesTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 86_400
    static let institute = PartyID(1)

    static func session(buyerBasisPoints: Int = 300, depositBasisPoints: Int = 1_000) -> AuctionSession {
        AuctionSession(
            id: SessionID(1), title: "2026长三角科技成果联合拍卖·德清专场", noticeAt: now, startsAt: now.addingTimeInterval(7 * day),
            buyerCommissionBasisPoints: buyerBasisPoints, sellerCommissionBasisPoints: 0, depositBasisPoints: depositBasisPoints, paymentDays: 10,
            forfeitSellerBasisPoints: 6_000, createdAt: now)
    }

    static func terms(_ format: LotFormat = .english, opening: Int64 = 2_000_000_00, reserve: Int64? = nil, increment: Int64 = 100_000_00) -> LotTerms {
        let start = now.addingTimeInterval(7 * day)
        return LotTerms(
            listingID: ListingID(30), format: format, openingPriceFen: opening, reserveFen: reserve ?? opening, incrementFen: increment, startsAt: start,
            endsAt: start.addingTimeInterval(3_600), extensionWindowSeconds: 300, extensionCountMax: nil,
            dutchIntervalSeconds: format == .dutch ? 60 : nil)
    }

    static func lot(_ terms: LotTerms, status: LotStatus = .consented, groups: [String] = []) -> Lot {
        Lot(
            id: LotID(5), sessionID: SessionID(1), institutionID: institute, terms: terms, depositFen: 200_000_00, status: status, excludedGroupCodes: groups,
            endsAt: terms.endsAt, createdAt: now)
    }

    static func firm(_ id: Int64, group: String? = nil) -> Party {
        Party(
            id: PartyID(id), handle: "firm-\(id)", kind: .firm, name: "企业\(id)", nameEn: nil, regionCode: RegionCode("330521")!, creditCode: nil,
            groupCode: group, createdAt: now)
    }

    static func registration(_ firm: Int64, paddle: Int) -> LotRegistration {
        LotRegistration(
            id: LotRegistrationID(100 + firm), lotID: LotID(5), firmID: PartyID(firm), paddle: paddle, depositFen: 200_000_00, depositStatus: .held,
            registeredAt: now)
    }

    /// A desk on a fresh lot with firms 10 and 11 registered as paddles 1 and 2, at `at`.
    static func desk(_ terms: LotTerms, at: Date, registered: [Int64] = [10, 11]) throws -> LotDesk {
        let registrations = registered.enumerated().map { registration($0.element, paddle: $0.offset + 1) }
        let stored = StoredLot(lot: lot(terms), lastCommandID: 0, lastEventSequence: 0, snapshot: nil, snapshotCommandID: 0, tail: [])
        var desk = try LotDesk(stored, session: session(), registrations: registrations, now: terms.startsAt.addingTimeInterval(-60))
        for firm in registered { #expect(try desk.run(.register(EngineID.party(PartyID(firm)))).refusal == nil) }
        return desk.at(at)
    }

    // MARK: - Sessions and lots

    /// The fields a refusal names, and whether they are all rules' (422); empty when accepted.
    static func refused(_ body: () throws -> Void) -> (fields: [String], rule: Bool) {
        do {
            try body()
            return ([], false)
        } catch let refusal as any Refusal {
            return (refusal.fieldIssues.map(\.field).sorted(), refusal.kind == .rule)
        } catch {
            return (["unexpected \(error)"], false)
        }
    }

    @Test func aSessionIsNoticedAtLeastTheConfiguredTimeBeforeItStarts() {
        let week = 7 * 86_400
        let ok = SessionRequest(title: "德清专场", noticeAt: Self.now, startsAt: Self.now.addingTimeInterval(7 * Self.day))
        #expect(Self.refused { try AuctionRules.checkSession(ok, now: Self.now, noticeSecondsMin: week) }.fields.isEmpty)
        var short = ok
        short.startsAt = Self.now.addingTimeInterval(6 * Self.day)
        let refusal = Self.refused { try AuctionRules.checkSession(short, now: Self.now, noticeSecondsMin: week) }
        #expect(refusal.fields == ["noticeAt"])
        #expect(refusal.rule, "a notice too short is a rule's refusal (422)")
        #expect(Self.refused { try AuctionRules.checkSession(short, now: Self.now, noticeSecondsMin: 6 * 86_400) }.fields.isEmpty, "the notice is configurable")
    }

    @Test func commissionsAreAtMostFivePercentAndTheDepositRateIsInRange() {
        var request = SessionRequest(title: "德清专场", noticeAt: Self.now, startsAt: Self.now.addingTimeInterval(8 * Self.day), buyerCommissionBasisPoints: 501)
        request.sellerCommissionBasisPoints = 500
        request.depositBasisPoints = 0
        let refusal = Self.refused { try AuctionRules.checkSession(request, now: Self.now, noticeSecondsMin: 0) }
        #expect(refusal.fields == ["buyerCommissionBasisPoints", "depositBasisPoints"])
        #expect(!refusal.rule, "out of the documented range: 400")
        #expect(SessionRequest(title: "x", noticeAt: Self.now, startsAt: Self.now).depositBasisPoints == 1_000, "the default deposit is 10%")
        #expect(AuctionRules.deposit(openingPriceFen: 2_000_000_00, basisPoints: 1_000) == 200_000_00)
    }

    @Test func aLotsReserveIsNotBelowItsOpeningPriceButADutchFloorIs() throws {
        let session = Self.session()
        #expect(Self.refused { try AuctionRules.checkLot(Self.terms(reserve: 1_000_000_00), session: session, now: Self.now) }.fields == ["reserveFen"])
        #expect(Self.refused { try AuctionRules.checkLot(Self.terms(reserve: 2_500_000_00), session: session, now: Self.now) }.fields.isEmpty)
        let dutch = Self.terms(.dutch, opening: 3_000_000_00, reserve: 2_000_000_00, increment: 100_000_00)
        #expect(Self.refused { try AuctionRules.checkLot(dutch, session: session, now: Self.now) }.fields.isEmpty)
        var early = Self.terms()
        early.startsAt = session.startsAt.addingTimeInterval(-1)
        #expect(Self.refused { try AuctionRules.checkLot(early, session: session, now: Self.now) } == (["startsAt"], true))
    }

    @Test func consentComesBeforeTheNotice() throws {
        var session = Self.session()
        session.noticeAt = Self.now.addingTimeInterval(3_600)
        let lot = Self.lot(Self.terms(), status: .awaitingConsent)
        try AuctionRules.checkConsent(lot, session: session, now: Self.now)
        #expect(throws: AuctionRefusal.noticePassed(lot: lot.id, noticeAt: session.noticeAt)) {
            try AuctionRules.checkConsent(lot, session: session, now: session.noticeAt)
        }
        #expect(throws: AuctionRefusal.lotNotAwaitingConsent(lot: lot.id, status: .consented)) {
            try AuctionRules.checkConsent(Self.lot(Self.terms()), session: session, now: Self.now)
        }
    }

    // MARK: - Registration

    @Test func theSellerAndFirmsUnderItsControlMayNotRegister() throws {
        let lot = Self.lot(Self.terms(), groups: ["huayan-group"])
        let seller = Party(
            id: Self.institute, handle: "institute", kind: .institution, name: "研究院", nameEn: nil, regionCode: RegionCode("330521")!, creditCode: nil,
            groupCode: nil, createdAt: Self.now)
        #expect(throws: AuctionRefusal.sellersOwnSide(lot: lot.id)) { try AuctionRules.checkRegistration(lot, firm: seller, existingPaddle: nil, now: Self.now) }
        #expect(throws: AuctionRefusal.sellersOwnSide(lot: lot.id)) {
            try AuctionRules.checkRegistration(lot, firm: Self.firm(10, group: "huayan-group"), existingPaddle: nil, now: Self.now)
        }
        try AuctionRules.checkRegistration(lot, firm: Self.firm(11, group: "yihang-group"), existingPaddle: nil, now: Self.now)
        #expect(throws: AuctionRefusal.alreadyRegistered(lot: lot.id, paddle: 3)) {
            try AuctionRules.checkRegistration(lot, firm: Self.firm(11), existingPaddle: 3, now: Self.now)
        }
        #expect(throws: AuctionRefusal.lotNotConsented(lot: lot.id)) {
            try AuctionRules.checkRegistration(Self.lot(Self.terms(), status: .awaitingConsent), firm: Self.firm(11), existingPaddle: nil, now: Self.now)
        }
        #expect(throws: AuctionRefusal.ended(endsAt: lot.endsAt)) {
            try AuctionRules.checkRegistration(lot, firm: Self.firm(11), existingPaddle: nil, now: lot.endsAt)
        }
    }

    // MARK: - Bids

    @Test func aProxyBidLeadsAtTheSecondMaximumPlusTheIncrementAndOnlyPaddlesAreShown() throws {
        let terms = Self.terms()
        var desk = try Self.desk(terms, at: terms.startsAt.addingTimeInterval(60))
        #expect(try desk.run(.proxyBid(EngineID.party(PartyID(10)), maxFen: 2_500_000_00)).refusal == nil)
        #expect(desk.lot.currentPriceFen == 2_000_000_00, "alone, a proxy bids the opening price")
        #expect(try desk.run(.bid(EngineID.party(PartyID(11)), amountFen: 2_200_000_00)).refusal == nil)
        #expect(desk.lot.currentPriceFen == 2_300_000_00, "the proxy answers at the bid plus the increment")
        #expect(desk.lot.leaderPaddle == 1)
        #expect(desk.lot.bidCount == 2)
        let bids = desk.publicEvents.filter { $0.kind == .bid }
        #expect(bids.map(\.paddle) == [1, 2])
        #expect(bids.map(\.bidKind) == ["proxy", "manual"])
        #expect(bids.map(\.leaderPaddle) == [1, 1])
        #expect(desk.publicEvents.map(\.sequence) == Array(1...Int64(desk.publicEvents.count)))
    }

    @Test func refusalsCarryTheMinimumNextBidAndTheEnd() throws {
        let terms = Self.terms()
        var desk = try Self.desk(terms, at: terms.startsAt.addingTimeInterval(60))
        #expect(try desk.run(.bid(EngineID.party(PartyID(10)), amountFen: 1_999_999_99)).refusal == .tooLow(minimumFen: 2_000_000_00))
        #expect(try desk.run(.bid(EngineID.party(PartyID(10)), amountFen: 2_000_000_00)).refusal == nil)
        #expect(try desk.run(.bid(EngineID.party(PartyID(11)), amountFen: 2_050_000_00)).refusal == .tooLow(minimumFen: 2_100_000_00))
        #expect(try desk.run(.bid(EngineID.party(PartyID(10)), amountFen: 2_200_000_00)).refusal == .alreadyLeading(priceFen: 2_000_000_00))
        #expect(try desk.run(.bid(EngineID.party(PartyID(12)), amountFen: 2_200_000_00)).refusal == .notRegistered(lot: LotID(5)))
        #expect(desk.appended.count == 7, "every command is logged, refused or not (two registrations, five bids)")
        #expect(desk.appended.last?.events.hasPrefix("refused") == true)
        var late = desk.at(terms.endsAt)
        #expect(try late.run(.bid(EngineID.party(PartyID(11)), amountFen: 9_000_000_00)).refusal == .ended(endsAt: terms.endsAt), "at the end is too late")
    }

    @Test func aBidInTheLastMinutesExtendsTheEnd() throws {
        let terms = Self.terms()
        var desk = try Self.desk(terms, at: terms.endsAt.addingTimeInterval(-60))
        #expect(try desk.run(.bid(EngineID.party(PartyID(10)), amountFen: 2_000_000_00)).refusal == nil)
        #expect(desk.lot.endsAt == terms.endsAt.addingTimeInterval(240), "the end moves to the bid's time + 5 minutes")
        #expect(desk.lot.extensionCount == 1)
        #expect(desk.publicEvents.last?.kind == .extended)
        #expect(desk.publicEvents.last?.endsAt == desk.lot.endsAt)
    }

    @Test func aSealedLotShowsNoAmountUntilItsCloseRevealsThem() throws {
        let terms = Self.terms(.sealedSecondPrice, reserve: 2_100_000_00)
        var desk = try Self.desk(terms, at: terms.startsAt.addingTimeInterval(60))
        #expect(try desk.run(.bid(EngineID.party(PartyID(10)), amountFen: 3_000_000_00)).refusal == nil)
        #expect(try desk.run(.bid(EngineID.party(PartyID(11)), amountFen: 2_000_000_00)).refusal == nil)
        #expect(try desk.run(.bid(EngineID.party(PartyID(11)), amountFen: 2_500_000_00)).refusal == .sealedBidTwice)
        #expect(desk.publicEvents.allSatisfy { $0.kind == .sealedBid && $0.paddle == nil && $0.priceFen == nil })
        var closing = desk.at(terms.endsAt)
        _ = try closing.run(.close)
        #expect(closing.engine.outcome == .sold(winner: EngineID.party(PartyID(10)), priceFen: 2_100_000_00), "second price, but not below the reserve")
        #expect(closing.publicEvents.filter { $0.kind == .reveal }.map(\.priceFen) == [3_000_000_00, 2_000_000_00])
    }

    // MARK: - The close

    @Test func aSaleAppliesTheWinnersDepositToTheCommissionFirstAndReleasesTheOthers() throws {
        let session = Self.session(buyerBasisPoints: 300)
        let lot = Self.lot(Self.terms())
        let registrations = [Self.registration(10, paddle: 1), Self.registration(11, paddle: 2), Self.registration(12, paddle: 3)]
        let settlement = try AuctionRules.settle(
            lot, session: session, outcome: .sold(winner: EngineID.party(PartyID(11)), priceFen: 2_300_000_00), registrations: registrations)
        #expect(settlement.hammerPriceFen == 2_300_000_00)
        #expect(settlement.buyerCommissionFen == 69_000_00, "3% of the hammer price")
        #expect(settlement.winner?.paddle == 2)
        #expect(settlement.steps.map(\.step) == [.commission, .apply, .release, .release])
        #expect(settlement.steps.map(\.amountFen) == [69_000_00, 131_000_00, 200_000_00, 200_000_00])
        #expect(settlement.steps.filter { $0.from == .escrow(lot.id) }.map(\.amountFen).reduce(0, +) == 3 * 200_000_00, "the escrow empties")
        #expect(settlement.deposits == [LotRegistrationID(110): .released, LotRegistrationID(111): .applied, LotRegistrationID(112): .released])
    }

    /// A Dutch lot may sell below its deposit: the deposit pays the commission and the whole price,
    /// the rest goes back to the winner, and nothing is left to pay.
    @Test func aSaleBelowTheDepositReleasesWhatThePriceDoesNotTake() throws {
        var lot = Self.lot(Self.terms(.dutch, opening: 2_000_000_00, reserve: 100_000_00))
        let winner = Self.registration(10, paddle: 1)
        let settlement = try AuctionRules.settle(
            lot, session: Self.session(buyerBasisPoints: 300), outcome: .sold(winner: EngineID.party(PartyID(10)), priceFen: 150_000_00),
            registrations: [winner])
        #expect(settlement.steps.map(\.step) == [.commission, .apply, .release])
        #expect(settlement.steps.map(\.amountFen) == [4_500_00, 150_000_00, 45_500_00], "3%, the whole price, the rest of the ¥200,000")
        lot.status = .sold
        lot.result = LotResult(
            sold: true, hammerPriceFen: 150_000_00, winnerPaddle: 1, winnerFirmID: PartyID(10), buyerCommissionFen: 4_500_00, contractID: nil,
            noSaleReason: nil, closedAt: Self.now, paymentDueAt: Self.now.addingTimeInterval(10 * Self.day))
        #expect(try AuctionRules.payment(lot, session: Self.session(), winner: winner, amountFen: 0, reference: "ICBC-0").isEmpty, "paid in full by the deposit")
    }

    @Test func noSaleReleasesEveryDeposit() throws {
        let registrations = [Self.registration(10, paddle: 1), Self.registration(11, paddle: 2)]
        let settlement = try AuctionRules.settle(Self.lot(Self.terms()), session: Self.session(), outcome: .noSale(.reserveNotMet), registrations: registrations)
        #expect(settlement.winner == nil)
        #expect(settlement.noSaleReason == "reserve_not_met")
        #expect(settlement.steps.map(\.step) == [.release, .release])
        #expect(settlement.steps.map { $0.step.id($0.objectID) } == [AuctionLedger.Step.release.id(110), AuctionLedger.Step.release.id(111)])
    }

    /// Lot 5 sold at ¥2,300,000 to firm 10 with a 3% buyer's commission, closed 8 days from now.
    static func soldLot() -> (lot: Lot, closedAt: Date) {
        var lot = Self.lot(Self.terms())
        let closedAt = Self.now.addingTimeInterval(8 * Self.day)
        lot.status = .sold
        lot.result = LotResult(
            sold: true, hammerPriceFen: 2_300_000_00, winnerPaddle: 1, winnerFirmID: PartyID(10), buyerCommissionFen: 69_000_00, contractID: ContractID(9),
            noSaleReason: nil, closedAt: closedAt, paymentDueAt: closedAt.addingTimeInterval(10 * Self.day))
        return (lot, closedAt)
    }

    @Test func aDefaultForfeitsTheAppliedDepositAsTheSessionSays() throws {
        let (lot, closedAt) = Self.soldLot()
        let winner = Self.registration(10, paddle: 1)
        #expect(throws: AuctionRefusal.self) { try AuctionRules.forfeit(lot, session: Self.session(), winner: winner, now: closedAt) }
        let steps = try AuctionRules.forfeit(lot, session: Self.session(), winner: winner, now: closedAt.addingTimeInterval(10 * Self.day))
        #expect(steps.map(\.step) == [.compensate, .forfeit])
        #expect(steps.map(\.amountFen) == [78_600_00, 52_400_00], "60% of the ¥131,000 applied to the seller, the rest to the operator")
    }

    @Test func thePaymentIsTheBalanceDueAndCarriesTheSellersCommission() throws {
        var (lot, closedAt) = Self.soldLot()
        var session = Self.session()
        session.sellerCommissionBasisPoints = 100
        let winner = Self.registration(10, paddle: 1)
        // ¥2,300,000 + ¥69,000 − the ¥200,000 deposit (¥69,000 of it to the commission at the close).
        let due: Int64 = 2_169_000_00
        #expect(throws: AuctionRefusal.notTheAmountDue(dueFen: due)) {
            try AuctionRules.payment(lot, session: session, winner: winner, amountFen: due - 1, reference: "ICBC-1")
        }
        let steps = try AuctionRules.payment(lot, session: session, winner: winner, amountFen: due, reference: "ICBC-1")
        #expect(steps.map(\.step) == [.pay, .sellerCommission])
        #expect(steps.map(\.amountFen) == [due, 23_000_00], "the rest of the price, then 1% of the hammer price from the proceeds")

        // A deposit smaller than the commission: the rest of the commission is paid to the operator.
        var small = winner
        small.depositFen = 50_000_00
        let split = try AuctionRules.payment(lot, session: session, winner: small, amountFen: 2_319_000_00, reference: "ICBC-2")
        #expect(split.map(\.step) == [.pay, .payCommission, .sellerCommission])
        #expect(split.map(\.amountFen) == [2_300_000_00, 19_000_00, 23_000_00])

        // Paid: not again, and not in default however late.
        lot.result?.paidAt = closedAt.addingTimeInterval(Self.day)
        #expect(throws: AuctionRefusal.notAwaitingPayment(lot: lot.id, status: .sold)) {
            try AuctionRules.payment(lot, session: session, winner: winner, amountFen: due, reference: "ICBC-3")
        }
        #expect(throws: AuctionRefusal.self) { try AuctionRules.forfeit(lot, session: session, winner: winner, now: closedAt.addingTimeInterval(30 * Self.day)) }
    }
}

extension LotDesk {
    /// The same desk, its next command at `now` (as the next use case would take it).
    func at(_ now: Date) -> LotDesk {
        var next = self
        next.now = now
        return next
    }
}

import Foundation
import Ledger
import Matching

/// Who looks at a lot, which decides what its view shows (the reserve, the winner's firm).
public enum LotViewer: Sendable, Equatable {
    /// Anyone: paddles, never firms; no reserve; a sealed lot's count only until the close.
    case everyone
    /// A registered firm: also its own paddle, deposit and standing.
    case bidder(LotRegistration)
    /// The holding institution: also the reserve and the winner's firm.
    case seller
    /// The operator: everything.
    case operatorView

    public var seesReserve: Bool { self == .seller || self == .operatorView }
}

/// A lot as a caller sees it at a moment.
public struct LotView: Sendable, Equatable {
    public var lot: Lot
    public var viewer: LotViewer
    public var now: Date
    /// The caller's standing (a registered firm): `leading`, `outbid`, `registered`, `lodged`, `won`, `lost`.
    public var standing: String?
    /// The least next bid now (English: price + increment; sealed: the opening price; Dutch: the price now).
    public var minimumNextBidFen: Int64?

    public init(lot: Lot, viewer: LotViewer, now: Date, standing: String? = nil, minimumNextBidFen: Int64? = nil) {
        self.lot = lot
        self.viewer = viewer
        self.now = now
        self.standing = standing
        self.minimumNextBidFen = minimumNextBidFen
    }
}

/// Where a lot's replay first disagreed with its record, if anywhere.
public struct LotReplay: Sendable, Equatable {
    public var lotID: LotID
    public var commandCount: Int
    /// The first command whose events differ, with both descriptions; nil when clean.
    public var firstDifference: Difference?
    /// Money steps of the close the ledger does not hold as the replay computes them.
    public var moneyDifferences: [String]

    public struct Difference: Sendable, Equatable {
        public var commandID: UInt64
        public var recorded: String
        public var replayed: String
    }

    public var isClean: Bool { firstDifference == nil && moneyDifferences.isEmpty }
}

/// The auction use cases (DOMAIN.md, "Auctions"; docs/auctions.md): each locks the lot's row,
/// recovers its engine, gives the command the auction clock's time, decides with the engine and
/// the rules, and writes the lot, its log and public events, the registrations, the ledger's
/// transfers and the hammer's contract in one transaction.
public struct AuctionService<Store: AuctionStore>: Sendable {
    public let store: Store
    public let settings: AuctionSettings
    /// This service's bids, waiting for their lots' turns.
    let bidQueue = LotBidQueue()

    public init(store: Store, settings: AuctionSettings = AuctionSettings()) {
        self.store = store
        self.settings = settings
    }

    // MARK: - The operator's moves

    /// The operator opens a session (专场), noticed at least the configured days before its start.
    public func openSession(_ request: SessionRequest, by caller: Principal?, record: IdempotencyRecord<AuctionSession>? = nil) async throws -> AuctionSession {
        try AccessPolicy.checkRunsAuctions(caller)
        try AuctionRules.checkSession(request, now: settings.clock(), noticeSecondsMin: settings.noticeSecondsMin)
        let clock = settings.clock
        return try await store.auctionTransaction(record) { work in
            let session = try work.insertSession(request, at: clock())
            try work.keep(record, session)
            return session
        }
    }

    /// The operator adds a lot of a published listing to a session before its notice; it waits
    /// for the holding institution's consent.
    public func addLot(to sessionID: SessionID, _ terms: LotTerms, by caller: Principal?, record: IdempotencyRecord<LotView>? = nil) async throws -> LotView {
        try AccessPolicy.checkRunsAuctions(caller)
        let clock = settings.clock
        return try await store.auctionTransaction(record) { work in
            let now = clock()
            guard let session = try work.session(sessionID) else { throw MarketError.notFound("no session \(sessionID)") }
            guard now < session.noticeAt else { throw AuctionRefusal.noticePassed(lot: LotID(0), noticeAt: session.noticeAt) }
            try AuctionRules.checkLot(terms, session: session, now: now)
            guard let listing = try work.lockedListing(terms.listingID) else { throw MarketError.notFound("no listing \(terms.listingID)") }
            try AuctionRules.checkListing(listing, terms, openLot: try work.openLot(of: listing.id))
            let deposit = AuctionRules.deposit(openingPriceFen: terms.openingPriceFen, basisPoints: session.depositBasisPoints)
            let lot = try work.insertLot(session: sessionID, institution: listing.institutionID, terms: terms, depositFen: deposit, at: now)
            let view = LotView(lot: lot, viewer: .operatorView, now: now)
            try work.keep(record, view)
            return view
        }
    }

    /// The operator records a deposit's arrival at the bank: the firm's deposit account is
    /// credited. One receipt per bank reference: the same reference again answers the same receipt.
    public func receiveDeposit(firm firmID: PartyID, amountFen: Int64, reference: String, by caller: Principal?, record: IdempotencyRecord<DepositReceipt>? = nil)
        async throws -> DepositReceipt
    {
        try AccessPolicy.checkRunsAuctions(caller)
        try AuctionRules.checkBankPayment(amountFen: amountFen, in: 1...AuctionLimits.receiptFenMax, reference: reference)
        let clock = settings.clock
        return try await store.auctionTransaction(record) { work in
            guard let firm = try work.parties([firmID])[firmID], firm.kind == .firm else { throw MarketError.notFound("no firm \(firmID)") }
            if let existing = try work.receipt(reference: reference) {
                guard existing.firmID == firmID, existing.amountFen == amountFen else { throw AuctionRefusal.receiptReferenceUsed(reference: reference) }
                try work.keep(record, existing)
                return existing
            }
            guard let id = try work.insertReceipt(firm: firm.id, amountFen: amountFen, reference: reference, at: clock()) else {
                throw AuctionRefusal.receiptReferenceUsed(reference: reference)
            }
            try Self.require(work.move(AuctionMoneyStep(
                step: .receive, objectID: id.value, from: .bank, to: .deposit(firm.id), amountFen: amountFen, reference: "receipt \(reference)")), "receive deposit \(id)")
            guard let receipt = try work.receipt(reference: reference) else { throw LotInconsistent("receipt \(reference) was not kept") }
            try work.keep(record, receipt)
            return receipt
        }
    }

    /// The auctioneer's hammer (落槌) in a live session: closes an open English lot now, once no
    /// bid has come for `AuctionLimits.hammerQuietSeconds`, and settles it as its end would —
    /// the contract, the commission, the deposits. A refusal of the engine is logged, as a bid's.
    public func hammer(_ lotID: LotID, by caller: Principal?, record: IdempotencyRecord<LotView>? = nil) async throws -> LotView {
        try AccessPolicy.checkRunsAuctions(caller)
        let clock = settings.clock
        let outcome: Result<LotView, AuctionRefusal> = try await store.auctionTransaction(record) { work in
            guard let facts = try work.lockedLotFacts(lotID, skipLocked: false) else { throw MarketError.notFound("no lot \(lotID)") }
            let now = clock()
            let (stored, session, registrations) = (facts.stored, facts.session, facts.registrations)
            try AuctionRules.checkBiddable(stored.lot)
            guard session.live else { throw AuctionRefusal.sessionNotLive(lot: lotID) }
            if stored.lot.terms.format == .english, let last = try work.lastBidAt(lotID) {
                let quietUntil = last.addingTimeInterval(Double(AuctionLimits.hammerQuietSeconds))
                if now < quietUntil { throw AuctionRefusal.hammerTooSoon(quietUntil: quietUntil) }
            }
            var desk = try LotDesk(stored, session: session, registrations: registrations, now: now)
            let (_, refusal) = try desk.run(.hammer)
            if refusal == nil { try Self.settleClose(&desk, registrations: registrations, work) }
            return try Self.commit(desk, refusal: refusal, record: record, work) { LotView(lot: $0.lot, viewer: .operatorView, now: now) }
        }
        return try outcome.get()
    }

    /// The operator records the winner's payment of a sold lot, received at the bank (one
    /// payment of the balance due, `AuctionRules.payment`): the ledger moves it and the seller's
    /// commission, and the lot is paid — it can no longer be marked in default.
    public func recordPayment(
        _ lotID: LotID, amountFen: Int64, reference: String, by caller: Principal?, record: IdempotencyRecord<LotView>? = nil
    ) async throws -> LotView {
        try AccessPolicy.checkRunsAuctions(caller)
        try AuctionRules.checkBankPayment(amountFen: amountFen, in: 0...AuctionRules.paymentFenMax, reference: reference)
        let clock = settings.clock
        return try await store.auctionTransaction(record) { work in
            let (stored, session, winner) = try Self.soldLot(lotID, work) { .notAwaitingPayment(lot: lotID, status: $0.status) }
            let now = clock()
            var lot = stored.lot
            for step in try AuctionRules.payment(lot, session: session, winner: winner, amountFen: amountFen, reference: reference) {
                try Self.require(work.move(step), "payment of lot \(lotID)")
            }
            lot.result?.paidAt = now
            try work.saveLot(lot, log: [], events: [], lastCommandID: stored.lastCommandID, lastEventSequence: stored.lastEventSequence, snapshot: nil)
            let view = LotView(lot: lot, viewer: .operatorView, now: now)
            try work.keep(record, view)
            return view
        }
    }

    /// A lot under its lock with its session and its winner's registration, for the moves after a
    /// sale (the payment, a default); `refusal` when the lot has no winner.
    static func soldLot(_ lotID: LotID, _ work: Store.AuctionUnit, refusal: (Lot) -> AuctionRefusal) throws
        -> (stored: StoredLot, session: AuctionSession, winner: LotRegistration)
    {
        guard let stored = try work.lockedLot(lotID, skipLocked: false) else { throw MarketError.notFound("no lot \(lotID)") }
        guard let session = try work.session(stored.lot.sessionID) else { throw LotInconsistent("lot \(lotID) has no session") }
        guard let winnerFirm = stored.lot.result?.winnerFirmID, let winner = try work.registrations(lotID).first(where: { $0.firmID == winnerFirm }) else {
            throw refusal(stored.lot)
        }
        return (stored, session, winner)
    }

    /// The winner did not pay by the deadline: the deposit is forfeited, the contract terminated,
    /// and the listing published again (it may be auctioned again).
    public func markDefault(_ lotID: LotID, by caller: Principal?, record: IdempotencyRecord<LotView>? = nil) async throws -> LotView {
        try AccessPolicy.checkRunsAuctions(caller)
        let clock = settings.clock
        return try await store.auctionTransaction(record) { work in
            let (stored, session, winner) = try Self.soldLot(lotID, work) { .notInDefault(lot: lotID, paymentDueAt: $0.result?.paymentDueAt) }
            let now = clock()
            var lot = stored.lot
            for step in try AuctionRules.forfeit(lot, session: session, winner: winner, now: now) {
                try Self.require(work.move(step), "forfeit lot \(lotID)")
            }
            try work.setDepositStatuses([winner.id: .forfeited])
            if let contractID = lot.result?.contractID, let contract = try work.contract(contractID, locked: true), contract.status != .terminated {
                let (next, version) = try ContractRules.terminate(
                    contract, reason: "买受人未按期付款 (lot \(lotID) in default)", region: contract.seller.regionCode, today: Day.today(now), by: .admin, at: now)
                try work.updateContract(next, version)
            }
            lot.status = .defaulted
            try work.saveLot(lot, log: [], events: [], lastCommandID: stored.lastCommandID, lastEventSequence: stored.lastEventSequence, snapshot: nil)
            try work.setListingStatus(lot.terms.listingID, .published)
            let view = LotView(lot: lot, viewer: .operatorView, now: now)
            try work.keep(record, view)
            return view
        }
    }

    // MARK: - The institution's consent

    /// The holding institution consents to its listing's lot before the notice, naming any
    /// controller groups under its control (their firms may not bid); the listing is `in_auction`.
    public func consent(_ lotID: LotID, excludedGroupCodes: [String], by caller: Principal?, record: IdempotencyRecord<LotView>? = nil) async throws -> LotView {
        let institution = try AccessPolicy.listingHolder(caller, action: "consent to lots")
        var issues = FieldIssues()
        if excludedGroupCodes.count > 20 { issues.add("excludedGroupCodes", "names at most 20 groups") }
        for (index, code) in excludedGroupCodes.enumerated() where !NewParty.isHandle(code) {
            issues.add("excludedGroupCodes[\(index)]", "must be 2 to 40 lower-case letters, digits or hyphens")
        }
        try issues.throwIfAny()
        let clock = settings.clock
        return try await store.auctionTransaction(record) { work in
            guard let stored = try work.lockedLot(lotID, skipLocked: false) else { throw MarketError.notFound("no lot \(lotID)") }
            let now = clock()
            var lot = stored.lot
            guard lot.institutionID == institution else { throw MarketError.forbidden("only the holding institution consents to lot \(lotID)") }
            guard let session = try work.session(lot.sessionID) else { throw LotInconsistent("lot \(lotID) has no session") }
            try AuctionRules.checkConsent(lot, session: session, now: now)
            guard let listing = try work.lockedListing(lot.terms.listingID), listing.status == .published else {
                throw AuctionRefusal.listingNotPublished(listing: lot.terms.listingID, status: "no longer published")
            }
            lot.status = .consented
            lot.consentedAt = now
            lot.excludedGroupCodes = Array(Set(excludedGroupCodes)).sorted()
            try work.saveLot(lot, log: [], events: [], lastCommandID: stored.lastCommandID, lastEventSequence: stored.lastEventSequence, snapshot: nil)
            try work.setListingStatus(listing.id, .inAuction)
            let view = LotView(lot: lot, viewer: .seller, now: now)
            try work.keep(record, view)
            return view
        }
    }

    // MARK: - The firm's moves

    /// A firm registers for a lot: its deposit goes from its deposit account into the lot's
    /// escrow, it gets the next paddle number, and the engine registers it.
    public func register(for lotID: LotID, by caller: Principal?, record: IdempotencyRecord<LotRegistration>? = nil) async throws -> LotRegistration {
        let firmID = try AccessPolicy.auctionFirm(caller)
        let clock = settings.clock
        return try await store.auctionTransaction(record) { work in
            guard let facts = try work.lockedLotFacts(lotID, skipLocked: false) else { throw MarketError.notFound("no lot \(lotID)") }
            let now = clock()
            let (stored, session, registrations) = (facts.stored, facts.session, facts.registrations)
            guard let firm = try work.parties([firmID])[firmID] else { throw MarketError.notFound("no firm \(firmID)") }
            try AuctionRules.checkRegistration(stored.lot, firm: firm, existingPaddle: registrations.first { $0.firmID == firmID }?.paddle, now: now)
            var desk = try LotDesk(stored, session: session, registrations: registrations, now: now)
            let paddle = (registrations.map(\.paddle).max() ?? 0) + 1
            let (_, refusal) = try desk.run(.register(EngineID.party(firmID)))
            if let refusal { throw refusal }
            let registration = try work.insertRegistration(lot: lotID, firm: firmID, paddle: paddle, depositFen: stored.lot.depositFen, at: now)
            let moved = try work.move(AuctionMoneyStep(
                step: .escrow, objectID: registration.id.value, from: .deposit(firmID), to: .escrow(lotID), amountFen: stored.lot.depositFen,
                reference: "lot \(lotID) paddle \(paddle) deposit"))
            if case .refused(.exceedsCredits) = moved {
                throw AuctionRefusal.depositNotHeld(depositFen: stored.lot.depositFen, balanceFen: try work.depositBalance(firmID))
            }
            try Self.require(moved, "escrow the deposit of registration \(registration.id)")
            try Self.save(desk, work)
            try work.keep(record, registration)
            return registration
        }
    }

    /// Writes a lot command's desk and keeps its answer with its key: the result's, or a refusal
    /// of the engine's, which is in the lot's log too — so the same key sent again is answered
    /// the same, never run (and logged) a second time (a conflict's refusal keeps nothing).
    static func commit<Answer>(
        _ desk: LotDesk, refusal: AuctionRefusal?, record: IdempotencyRecord<Answer>?, _ work: Store.AuctionUnit, answer: (LotDesk) -> Answer
    ) throws -> Result<Answer, AuctionRefusal> {
        try save(desk, work)
        if let refusal {
            try work.keepRefusal(record, refusal)
            return .failure(refusal)
        }
        let result = answer(desk)
        try work.keep(record, result)
        return .success(result)
    }

    // MARK: - The close

    /// Closes every lot whose end (after extensions) has passed: for the server's background
    /// service and `techmarket auctions close-due`. Each lot is its own transaction; a lot
    /// another server holds is skipped, and a lot closed already is not closed again.
    public func closeDue(limit: Int = AuctionLimits.dueLotsPerRunMax) async throws -> LotSweepReport {
        let now = settings.clock()
        let due = try await store.auctionRead { work in try work.lotsDue(now: now, limit: limit) }
        var report = LotSweepReport()
        let clock = settings.clock
        for lotID in due {
            let sold: Bool? = try await store.auctionTransaction(nil as IdempotencyRecord<Never>?) { work in
                guard let facts = try work.lockedLotFacts(lotID, skipLocked: true), facts.stored.lot.status == .consented else { return nil }
                let now = clock()
                let (stored, session, registrations) = (facts.stored, facts.session, facts.registrations)
                guard now >= stored.lot.endsAt else { return nil }
                var desk = try LotDesk(stored, session: session, registrations: registrations, now: now)
                let (_, refusal) = try desk.run(.close)
                if let refusal { throw LotInconsistent("lot \(lotID): the engine refused to close: \(refusal)") }
                try Self.settleClose(&desk, registrations: registrations, work)
                try Self.save(desk, work)
                return desk.lot.status == .sold
            }
            if let sold {
                report.closed += 1
                if sold { report.sold += 1 }
            }
        }
        return report
    }

    /// What a close writes beyond the log: the money steps, the deposits, the contract of a sale
    /// (for the hammer price plus the buyer's commission), the result, the listing's status.
    static func settleClose(_ desk: inout LotDesk, registrations: [LotRegistration], _ work: Store.AuctionUnit) throws {
        guard let outcome = desk.engine.outcome else { throw LotInconsistent("lot \(desk.lot.id) closed with no outcome") }
        let lot = desk.lot
        let settlement = try AuctionRules.settle(lot, session: desk.session, outcome: outcome, registrations: registrations)
        for step in settlement.steps { try require(work.move(step), "\(step.step) for lot \(lot.id)") }
        try work.setDepositStatuses(settlement.deposits)
        var contractID: ContractID?
        if let winner = settlement.winner, let hammer = settlement.hammerPriceFen {
            guard let listing = try work.lockedListing(lot.terms.listingID) else { throw LotInconsistent("lot \(lot.id) has no listing") }
            let parties = try work.parties([winner.firmID, lot.institutionID])
            guard let seller = parties[lot.institutionID], let buyer = parties[winner.firmID] else { throw LotInconsistent("lot \(lot.id): a party is missing") }
            contractID = try work.insertSignedContract(ContractDraft(
                type: ContractType(dealIn: lot.terms.mode), title: listing.content.title, seller: ContractParty(seller), buyer: ContractParty(buyer),
                fieldCode: listing.content.fieldCode, totalFen: hammer + settlement.buyerCommissionFen, signedOn: Day.today(desk.now),
                source: .auctionLot(lot.id.value), listingID: listing.id))
            try work.setListingStatus(listing.id, .transacted)
        } else {
            try work.setListingStatus(lot.terms.listingID, .published)
        }
        desk.lot.status = settlement.winner == nil ? .unsold : .sold
        desk.lot.result = LotResult(
            sold: settlement.winner != nil, hammerPriceFen: settlement.hammerPriceFen, winnerPaddle: settlement.winner?.paddle,
            winnerFirmID: settlement.winner?.firmID, buyerCommissionFen: settlement.buyerCommissionFen, contractID: contractID,
            noSaleReason: settlement.noSaleReason, closedAt: desk.now,
            paymentDueAt: settlement.winner == nil ? nil : desk.now.addingTimeInterval(Double(desk.session.paymentDays) * 86_400))
    }

    static func save(_ desk: LotDesk, _ work: Store.AuctionUnit) throws {
        try work.saveLot(
            desk.lot, log: desk.appended, events: desk.publicEvents, lastCommandID: desk.lastCommandID, lastEventSequence: desk.lastEventSequence,
            snapshot: desk.snapshotDue)
    }

    // MARK: - Reads

    /// A page of sessions: public.
    public func sessions(page: PageRequest = .first) async throws -> [AuctionSession] {
        try await store.auctionRead { work in try work.sessions(page: page) }
    }

    /// A page of lots: public, each as the caller sees it.
    public func lots(for caller: Principal?, _ filter: LotFilter = LotFilter(), page: PageRequest = .first) async throws -> [LotView] {
        let now = settings.clock()
        return try await store.auctionRead { work in
            try work.lots(filter, page: page).map { lot in LotView(lot: lot, viewer: AccessPolicy.lotViewer(lot, caller, registration: nil), now: now) }
        }
    }

    /// A lot as the caller sees it: a registered firm also its paddle, deposit and standing.
    public func lot(_ id: LotID, for caller: Principal?) async throws -> (view: LotView, registration: LotRegistration?) {
        let now = settings.clock()
        return try await store.auctionRead { work in
            guard let stored = try work.storedLot(id) else { throw MarketError.notFound("no lot \(id)") }
            let lot = stored.lot
            var registration: LotRegistration?
            if let firm = caller?.partyID, caller?.role == .firm { registration = try work.registrations(id).first { $0.firmID == firm } }
            let viewer = AccessPolicy.lotViewer(lot, caller, registration: registration)
            let engine = try LotEngine.recover(lot.terms, snapshot: stored.snapshot, tail: stored.tail)
            var view = LotView(lot: lot, viewer: viewer, now: now)
            if lot.status == .consented, now < lot.endsAt { view.minimumNextBidFen = engine.minimumBidFen(atMs: LotEngine.ms(now)) }
            if let registration {
                let party = EngineID.party(registration.firmID)
                switch (lot.status, engine) {
                case (.sold, _), (.defaulted, _): view.standing = lot.result?.winnerFirmID == registration.firmID ? "won" : "lost"
                case (.unsold, _): view.standing = "lost"
                case (_, .english(let english)): view.standing = english.leader == party ? "leading" : english.maximumFen(of: party) == nil ? "registered" : "outbid"
                default: view.standing = "registered"
                }
            }
            return (view, registration)
        }
    }

    /// The lot's public events after `sequence` (the bid history, the stream's catch-up).
    public func events(of id: LotID, after sequence: Int64, kinds: [LotEvent.Kind]? = nil, limit: Int) async throws -> [LotEvent] {
        try await store.auctionRead { work in
            guard let lot = try work.lot(id) else { throw MarketError.notFound("no lot \(id)") }
            let events = try work.lotEvents(id, after: sequence, kinds: kinds, limit: limit)
            // A sealed lot shows only the count of its bids until the close.
            return lot.terms.format.isSealed && !lot.status.isClosed ? events.filter { $0.kind != .reveal } : events
        }
    }

    /// The firm's registrations (its paddles and deposits).
    public func registrations(for caller: Principal?, page: PageRequest = .first) async throws -> [LotRegistration] {
        let firm = try AccessPolicy.auctionFirm(caller)
        return try await store.auctionRead { work in try work.registrations(firm: firm, page: page) }
    }

    /// What the firm's deposit account holds, free to lodge.
    public func depositBalance(of firm: PartyID) async throws -> Int64 {
        try await store.auctionRead { work in try work.depositBalance(firm) }
    }

    // MARK: - Audit

    /// Re-runs the lot's whole log through a fresh engine, compares each command's events with
    /// the recorded ones, and checks that the ledger holds the close's money steps as the
    /// replayed outcome makes them (`techmarket auctions replay`).
    public func replay(_ id: LotID) async throws -> LotReplay {
        try await store.auctionRead { work in
            guard let lot = try work.lot(id) else { throw MarketError.notFound("no lot \(id)") }
            let log = try work.lotLog(id)
            var engine = try LotEngine(lot.terms)
            var report = LotReplay(lotID: id, commandCount: log.count, firstDifference: nil, moneyDifferences: [])
            var events: [AuctionEvent] = []
            for entry in log {
                let command: AuctionCommand
                do { command = try AuctionLog.command(entry.command) } catch {
                    report.firstDifference = .init(commandID: entry.commandID, recorded: entry.events, replayed: "an unreadable command: \(error)")
                    return report
                }
                events.removeAll(keepingCapacity: true)
                engine.apply(command, into: &events)
                let replayed = AuctionLog.text(events)
                if replayed != entry.events || command.id.rawValue != entry.commandID {
                    report.firstDifference = .init(commandID: entry.commandID, recorded: entry.events, replayed: replayed)
                    return report
                }
            }
            guard lot.status.isClosed else { return report }
            guard let outcome = engine.outcome else {
                report.moneyDifferences.append("the lot is \(lot.status.rawValue) but its log never closes it")
                return report
            }
            if outcome.isSold != (lot.status != .unsold) {
                report.moneyDifferences.append("the log's outcome is \(outcome) but the lot is \(lot.status.rawValue)")
            }
            if case .sold(_, let price) = outcome, lot.result?.hammerPriceFen != price {
                report.moneyDifferences.append("the log's hammer price is \(price) fen but the lot records \(lot.result?.hammerPriceFen.map(String.init) ?? "none")")
            }
            guard let session = try work.session(lot.sessionID) else { throw LotInconsistent("lot \(id) has no session") }
            let registrations = try work.registrations(id).map { registration -> LotRegistration in
                var held = registration
                held.depositStatus = .held
                return held
            }
            let settlement = try AuctionRules.settle(lot, session: session, outcome: outcome, registrations: registrations)
            var steps = settlement.steps
            steps += registrations.map { registration in
                AuctionMoneyStep(
                    step: .escrow, objectID: registration.id.value, from: .deposit(registration.firmID), to: .escrow(id), amountFen: registration.depositFen,
                    reference: "")
            }
            for step in steps {
                let recorded = try work.transferAmount(step.step.id(step.objectID))
                if recorded != step.amountFen {
                    report.moneyDifferences.append(
                        "\(step.step) \(step.objectID): the replay moves \(step.amountFen) fen, the ledger holds \(recorded.map { "\($0) fen" } ?? "nothing")")
                }
            }
            return report
        }
    }

    /// A ledger step the rules allowed must be applied; anything else is a bug.
    static func require(_ result: TransferResult, _ step: String) throws {
        guard result == .ok else { throw LedgerStepFailed(step: step, reason: "\(result)") }
    }
}

/// Who bids: a firm for itself, or the auctioneer for a paddle in the room.
public enum AuctionBidder: Sendable, Equatable {
    case firm(PartyID)
    case floor(paddle: Int)
}

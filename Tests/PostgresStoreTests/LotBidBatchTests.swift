import Foundation
@testable import Market
import Postgres
import PostgresStore
import Synchronization
import Testing
import TestSupport

/// Bids that wait together on a real PostgreSQL: sent in fewer transactions than bids, each
/// answered as one by one (its own events, its own refusal), each key's answer kept and
/// replayed, a key twice run once, and the log replaying clean.
@Suite struct LotBidBatchTests {
    static let firmCount = 32

    struct Bidder: Sendable {
        var firm: Party
        var principal: Principal
        var registered: Bool
    }

    /// An English lot open for bids, `firmCount` firms with keys of their own, all but the last
    /// registered with their deposits held.
    static func lot(_ pool: PostgresPool) async throws -> (AuctionTestLot, [Bidder], AuctionTestClock) {
        let store = PostgresMarketStore(pool: pool)
        let clock = AuctionTestClock()
        let opened = try await AuctionTestLot.english(pool, clock: clock, minutes: 60)
        var bidders: [Bidder] = []
        for i in 0..<firmCount {
            let firm = try await store.register(NewParty(
                handle: "batch-bidder-\(i)", kind: .firm, name: "批量竞买企业\(i)", regionCode: RegionCode("330521")!,
                creditCode: try AuctionConcurrencyTests.creditCode(100 + i)))
            let key = try await store.issueKey(role: .firm, party: firm.id, label: "bidder \(i)").info.id
            let principal = Principal(keyID: key, role: .firm, partyID: firm.id, regionCode: firm.regionCode)
            let registered = i < firmCount - 1
            if registered {
                _ = try await opened.service.receiveDeposit(firm: firm.id, amountFen: opened.lot.depositFen, reference: "BATCH-\(i)", by: .commandLineOperator)
                _ = try await opened.service.register(for: opened.lot.id, by: principal)
            }
            bidders.append(Bidder(firm: firm, principal: principal, registered: registered))
        }
        clock.advance(to: opened.lot.terms.startsAt.addingTimeInterval(60))
        return (opened, bidders, clock)
    }

    /// A bid's key: its answer kept as the receipt's paddle and price, a refusal as its code.
    static func record(_ key: String, of bidder: Bidder) -> IdempotencyRecord<BidReceipt> {
        IdempotencyRecord(
            apiKeyID: bidder.principal.keyID, key: key, request: Array("bid \(key)".utf8),
            render: { StoredResponse(status: 201, body: "paddle \($0.paddle) at \($0.lot.currentPriceFen ?? 0)") },
            renderRefusal: { ($0 as? AuctionRefusal).flatMap { $0.kind == .rule ? StoredResponse(status: 422, body: $0.code) : nil } })
    }

    /// Every bidder at once, firm i at the opening price + (i mod 8) increments: the same amount
    /// from several firms, so that some are too low once another's went first.
    static func bidAll(_ opened: AuctionTestLot, _ bidders: [Bidder], key: String) async -> [Result<BidReceipt, any Error>] {
        await withTaskGroup(of: (Int, Result<BidReceipt, any Error>).self) { group in
            for (i, bidder) in bidders.enumerated() {
                group.addTask {
                    let amount = opened.lot.terms.openingPriceFen + Int64(i % 8) * opened.lot.terms.incrementFen
                    let result = await Result.of {
                        try await opened.service.bid(on: opened.lot.id, .amount(amount), by: bidder.principal, record: record("\(key)-\(i)", of: bidder))
                    }
                    return (i, result)
                }
            }
            var results = [Result<BidReceipt, any Error>?](repeating: nil, count: bidders.count)
            for await (i, result) in group { results[i] = result }
            return results.map { $0! }
        }
    }

    @Test func bidsThatWaitTogetherAreAnsweredAsOneByOne() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool(size: 8)
            let (opened, bidders, _) = try await Self.lot(pool)
            let (service, lot) = (opened.service, opened.lot)
            let before = await service.bidQueue.counts
            let results = await Self.bidAll(opened, bidders, key: "first")
            let counts = await service.bidQueue.counts
            #expect(counts.bids - before.bids == bidders.count)
            #expect(counts.transactions - before.transactions < bidders.count, "bids waited together: \(counts)")

            var accepted: [BidReceipt] = []
            for (i, result) in results.enumerated() {
                switch result {
                case .success(let receipt):
                    #expect(bidders[i].registered)
                    #expect(receipt.events.count == 1 && receipt.events.first?.kind == .bid, "a receipt carries its own bid's event only: \(receipt.events)")
                    #expect(receipt.events.first?.paddle == receipt.paddle)
                    #expect(receipt.events.first?.priceFen == lot.terms.openingPriceFen + Int64(i % 8) * lot.terms.incrementFen)
                    #expect(receipt.standing == "leading" || receipt.standing == "outbid")
                    accepted.append(receipt)
                case .failure(let error as AuctionRefusal):
                    if bidders[i].registered {
                        guard case .tooLow = error else { Issue.record("bidder \(i): \(error)"); continue }
                    } else {
                        #expect(error == .notRegistered(lot: lot.id), "the unregistered firm, in a batch with others")
                    }
                case .failure(let error): Issue.record("bidder \(i): \(error)")
                }
            }
            #expect(!accepted.isEmpty)
            let events = try await service.events(of: lot.id, after: 0, kinds: [.bid], limit: 1_000)
            #expect(events.map(\.sequence) == accepted.flatMap(\.events).map(\.sequence).sorted(), "the record holds exactly the accepted bids")
            #expect(zip(events, events.dropFirst()).allSatisfy { ($0.priceFen ?? 0) < ($1.priceFen ?? 0) }, "each accepted bid was above the one before")
            let inOrder = accepted.sorted { ($0.events.first?.sequence ?? 0) < ($1.events.first?.sequence ?? 0) }
            #expect(zip(inOrder, inOrder.dropFirst()).allSatisfy { $0.at <= $1.at }, "each bid's time, read under the lock, never goes back")
            let commands = try await service.replay(lot.id)
            #expect(commands.isClean, "\(commands)")

            // The same keys again: every answer is the kept one (a receipt, or a refusal of the
            // rules' as 422), nothing runs a second time; the conflict's refusal kept nothing.
            let again = await Self.bidAll(opened, bidders, key: "first")
            for (i, result) in again.enumerated() {
                switch (results[i], result) {
                case (.success(let receipt), .failure(let answered as IdempotencyKeyAnswered)):
                    #expect(answered.answer == .replay(StoredResponse(status: 201, body: "paddle \(receipt.paddle) at \(receipt.lot.currentPriceFen ?? 0)")))
                case (.failure(AuctionRefusal.tooLow), .failure(let answered as IdempotencyKeyAnswered)):
                    #expect(answered.answer == .replay(StoredResponse(status: 422, body: "bid_too_low")))
                case (.failure(AuctionRefusal.notRegistered), .failure(AuctionRefusal.notRegistered)): break
                default: Issue.record("bidder \(i): first \(results[i]), then \(result)")
                }
            }
            #expect(try await service.replay(lot.id).commandCount == commands.commandCount, "no key ran twice")
            #expect(try await pool.withConnection { try LedgerAudit(connection: $0).verify(atMs: Int64(Date().timeIntervalSince1970 * 1000)).isClean })
            await pool.close()
        }
    }

    @Test func aKeySentThriceInOneBatchRunsOnce() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool(size: 8)
            let (opened, bidders, _) = try await Self.lot(pool)
            let (service, lot) = (opened.service, opened.lot)
            let amount = lot.terms.openingPriceFen + 5 * lot.terms.incrementFen
            // The lot's row held elsewhere: the first bid's transaction waits for it, and the bids
            // sent meanwhile all wait for the next one.
            let holder = try PostgresConnection(conninfo: pool.configuration.conninfo)
            try holder.execute("BEGIN; SELECT 1 FROM lots WHERE id = \(lot.id.value) FOR UPDATE")
            let before = await service.bidQueue.counts.transactions
            let first = Task {
                try await service.bid(on: lot.id, .amount(lot.terms.openingPriceFen), by: bidders[1].principal, record: Self.record("first", of: bidders[1]))
            }
            while await service.bidQueue.counts.transactions == before { await Task.yield() }
            // Firm 0 sends one bid three times with one key, between two other firms' higher bids.
            var copies: [Task<BidReceipt, any Error>] = []
            for i in [0, 2, 0, 3, 0] {
                copies.append(Task {
                    try await service.bid(
                        on: lot.id, .amount(i == 0 ? amount : lot.terms.openingPriceFen + Int64(i) * 5 * lot.terms.incrementFen), by: bidders[i].principal,
                        record: Self.record(i == 0 ? "the-one" : "other-\(i)", of: bidders[i]))
                })
                while await service.bidQueue.waitingCount(on: lot.id) < copies.count { await Task.yield() }
            }
            try holder.execute("COMMIT")
            holder.close()
            _ = try await first.value
            var results: [Result<BidReceipt, any Error>] = []
            for copy in copies { results.append(await copy.result) }
            #expect(await service.bidQueue.counts.transactions == before + 2, "the five waited together")
            let mine = [results[0], results[2], results[4]]
            let ran = mine.filter { if case .success = $0 { true } else { false } }
            let held = mine.filter { if case .failure(let error as IdempotencyKeyAnswered) = $0 { error.answer == .inProgress } else { false } }
            #expect(ran.count == 1 && held.count == 2, "the first copy runs; the others are told it is running: \(mine)")
            for other in [results[1], results[3]] { #expect((try? other.get()) != nil, "the other firms' bids go on: \(other)") }
            let events = try await service.events(of: lot.id, after: 0, kinds: [.bid], limit: 1_000)
            #expect(events.filter { $0.priceFen == amount }.count == 1, "the bid is in the record once")
            #expect(try await service.replay(lot.id).commandCount == Self.firmCount - 1 + 4, "the registrations and four bids")
            await pool.close()
        }
    }
}

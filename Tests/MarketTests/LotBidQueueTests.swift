import Foundation
@testable import Market
import Synchronization
import Testing

/// The bids of a lot that wait together, with no database: what arrives while a lot's
/// transaction is in flight goes in the next, in arrival order, at most `bidsPerCommitMax` at a
/// time, each bidder answered with its own answer; another lot never waits for this one.
@Suite struct LotBidQueueTests {
    /// Each bid is answered with its own amount, so that a test sees who got which answer.
    struct Answered: Error, Equatable {
        var amountFen: Int64
    }

    /// A run that records the amounts of each batch, and holds its batches on `held` lots until
    /// the test lets them go.
    final class Runner: Sendable {
        let batches = Mutex<[[Int64]]>([])
        /// Held batches the test has let go and no run has taken yet.
        let permits = Permits()
        let held: Set<LotID>

        init(holding held: Set<LotID>) { self.held = held }

        var run: LotBidQueue.Run {
            { [self] lot, bids in
                let amounts = bids.map { bid -> Int64 in if case .amount(let fen) = bid.request { fen } else { -1 } }
                batches.withLock { $0.append(amounts) }
                if held.contains(lot) { await permits.take() }
                return amounts.map { .failure(Answered(amountFen: $0)) }
            }
        }
    }

    static func bid(_ amount: Int64, on lot: LotID = LotID(1)) -> PendingBid {
        PendingBid(lotID: lot, bidder: .floor(paddle: 1), request: .amount(amount), record: nil)
    }

    /// Submits the bid and returns the amount it was answered with.
    static func answer(_ queue: LotBidQueue, _ bid: PendingBid, _ runner: Runner) async -> Int64? {
        do {
            _ = try await queue.submit(bid, run: runner.run)
            return nil
        } catch {
            return (error as? Answered)?.amountFen
        }
    }

    @Test func bidsArrivingWhileTheLotsTransactionIsInFlightGoTogetherInArrivalOrder() async throws {
        let queue = LotBidQueue()
        let runner = Runner(holding: [LotID(1)])
        let first = Task { await Self.answer(queue, Self.bid(0), runner) }
        while runner.batches.withLock({ $0.count }) == 0 { await Task.yield() }
        // While the first is in flight, 70 more arrive one after another.
        var later: [Task<Int64?, Never>] = []
        for amount in Int64(1)...70 {
            later.append(Task { await Self.answer(queue, Self.bid(amount), runner) })
            while await queue.waitingCount(on: LotID(1)) < Int(amount) { await Task.yield() }
        }
        // Another lot's bid does not wait for lot 1's transaction.
        #expect(await Self.answer(queue, Self.bid(500, on: LotID(2)), runner) == 500)
        runner.permits.letGo(3)
        #expect(await first.value == 0)
        var answers: [Int64?] = []
        for task in later { answers.append(await task.value) }
        #expect(answers == (1...70).map { Optional($0) }, "each bidder gets its own answer")
        let batches = runner.batches.withLock { $0 }
        #expect(batches == [[0], [500], Array(1...64), Array(65...70)], "at most \(AuctionLimits.bidsPerCommitMax) in one transaction, in arrival order")
        let counts = await queue.counts
        #expect(counts.transactions == 4 && counts.bids == 72)
        #expect(await queue.waitingCount(on: LotID(1)) == 0)
    }

    @Test func aBidOnAnIdleLotGoesAtOnceAndAlone() async throws {
        let queue = LotBidQueue()
        let runner = Runner(holding: [])
        for amount in Int64(1)...3 { #expect(await Self.answer(queue, Self.bid(amount), runner) == amount) }
        #expect(runner.batches.withLock { $0 } == [[1], [2], [3]])
    }
}

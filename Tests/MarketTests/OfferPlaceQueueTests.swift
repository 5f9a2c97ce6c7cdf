import Foundation
@testable import Market
import Synchronization
import Testing

/// New offers that wait together, with no database: what arrives while the service's offer
/// transactions are busy goes in the next, in arrival order, at most `offersPerCommitMax` and at
/// most one a listing at a time, each firm answered with its own answer; an offer on a listing
/// that already has one waiting or in flight goes alone, at once.
@Suite struct OfferPlaceQueueTests {
    /// Each offer is answered with its own price, so that a test sees who got which answer.
    struct Answered: Error, Equatable {
        var priceFen: Int64
    }

    /// A run that records the prices of each batch, and holds every batch until the test lets it go.
    final class Runner: Sendable {
        let batches = Mutex<[[Int64]]>([])
        /// Held batches the test has let go and no run has taken yet.
        let permits = Permits()
        let holding: Bool

        init(holding: Bool) { self.holding = holding }

        var batchCount: Int { batches.withLock { $0.count } }

        var run: OfferPlaceQueue.Run {
            { [self] offers in
                let prices = offers.map(\.request.priceFen)
                batches.withLock { $0.append(prices) }
                if holding { await permits.take() }
                return prices.map { .failure(Answered(priceFen: $0)) }
            }
        }
    }

    static func offer(_ price: Int64, on listing: Int64) -> PendingOffer {
        PendingOffer(
            listingID: ListingID(listing), firm: PartyID(price), caller: nil,
            request: OfferRequest(mode: .licenceNonExclusive, priceFen: price, terms: "", validUntil: Date().addingTimeInterval(60)), record: nil)
    }

    static func answer(_ queue: OfferPlaceQueue, _ offer: PendingOffer, _ runner: Runner) async -> Int64? {
        do {
            _ = try await queue.submit(offer, run: runner.run)
            return nil
        } catch {
            return (error as? Answered)?.priceFen
        }
    }

    @Test func offersArrivingWhileTheTransactionsAreBusyGoTogetherInArrivalOrder() async throws {
        let queue = OfferPlaceQueue(batchesInFlight: 1)
        let runner = Runner(holding: true)
        let first = Task { await Self.answer(queue, Self.offer(1, on: 1), runner) }
        while runner.batchCount == 0 { await Task.yield() }
        // While the first is in flight, 20 offers arrive on 20 other listings, one after another.
        var later: [Task<Int64?, Never>] = []
        for price in Int64(2)...21 {
            later.append(Task { await Self.answer(queue, Self.offer(price, on: price), runner) })
            while await queue.counts.offers + queue.waitingCount < Int(price) { await Task.yield() }
        }
        runner.permits.letGo(3)
        #expect(await first.value == 1)
        var answers: [Int64?] = []
        for task in later { answers.append(await task.value) }
        #expect(answers == (2...21).map { Optional($0) }, "each firm gets its own answer")
        let max = OfferLimits.offersPerCommitMax
        #expect(runner.batches.withLock { $0 } == [[1], Array(2...Int64(1 + max)), Array(Int64(2 + max)...21)], "at most \(max) in one transaction, in arrival order")
        let counts = await queue.counts
        #expect(counts.transactions == 3 && counts.offers == 21 && counts.alone == 0)
    }

    @Test func anOfferOnAListingWithOneWaitingOrInFlightGoesAloneAtOnce() async throws {
        let queue = OfferPlaceQueue(batchesInFlight: 1)
        let runner = Runner(holding: true)
        let first = Task { await Self.answer(queue, Self.offer(1, on: 1), runner) }
        while runner.batchCount == 0 { await Task.yield() }
        // Listing 2 waits behind the batch in flight; a second offer on it, and one on listing 1
        // (in flight), go alone without waiting for the queue.
        let waiting = Task { await Self.answer(queue, Self.offer(2, on: 2), runner) }
        while await queue.waitingCount == 0 { await Task.yield() }
        let onWaiting = Task { await Self.answer(queue, Self.offer(3, on: 2), runner) }
        let onInFlight = Task { await Self.answer(queue, Self.offer(4, on: 1), runner) }
        while runner.batchCount < 3 { await Task.yield() }
        #expect(Set(runner.batches.withLock { $0 }.dropFirst()) == [[3], [4]], "both went alone while the first was still in flight")
        runner.permits.letGo(4)
        #expect(await first.value == 1)
        #expect(await waiting.value == 2)
        #expect(await onWaiting.value == 3)
        #expect(await onInFlight.value == 4)
        let counts = await queue.counts
        #expect(counts.transactions == 2 && counts.offers == 2 && counts.alone == 2)
    }

    @Test func aLoneOfferGoesAtOnceInABatchOfItsOwn() async throws {
        let runner = Runner(holding: false)
        let queue = OfferPlaceQueue(batchesInFlight: 2)
        for price in Int64(1)...3 { #expect(await Self.answer(queue, Self.offer(price, on: 7), runner) == price) }
        #expect(runner.batches.withLock { $0 } == [[1], [2], [3]])
        #expect(await queue.counts.alone == 0)
    }
}

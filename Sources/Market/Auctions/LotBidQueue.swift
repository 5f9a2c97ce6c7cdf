import Foundation

/// A bid as it waits for its lot: who bids, what, and the key its answer is kept under.
struct PendingBid: Sendable {
    var lotID: LotID
    var bidder: AuctionBidder
    var request: BidRequest
    var record: IdempotencyRecord<BidReceipt>?
}

/// Group commit for the bids of one lot (docs/auctions.md, "Bids that wait together"). A lot's
/// bids are decided one at a time under its row lock, so on a hot lot each bid used to wait for
/// the lock, then hold it for two round trips and a commit. Here a server sends each lot's bids
/// one transaction at a time: the bids that arrive while one is in flight wait, and go together
/// in the next — one lock, one read of the lot, the engine run over them in arrival order (each
/// with its own time on the auction's clock), one commit. Answers are those the bids would have
/// had one by one in that order. A lone bid goes alone, as before.
///
/// Only this server's bids wait here; another server's, and the lot's other commands
/// (registrations, the hammer, the close), meet them at the lot's row lock as before.
actor LotBidQueue {
    typealias Run = @Sendable (_ lot: LotID, _ bids: [PendingBid]) async -> [Result<BidReceipt, any Error>]

    private struct Waiting {
        var bid: PendingBid
        var continuation: CheckedContinuation<BidReceipt, any Error>
    }

    private var waiting: [LotID: [Waiting]] = [:]
    /// Transactions sent, and the bids they carried, since this queue was made: for tests.
    private(set) var counts = (transactions: 0, bids: 0)

    /// Bids waiting on the lot, not yet sent: for tests.
    func waitingCount(on lot: LotID) -> Int { waiting[lot]?.count ?? 0 }

    /// Waits for the bid's turn on its lot and answers it; `run` decides a batch (the service's).
    func submit(_ bid: PendingBid, run: @escaping Run) async throws -> BidReceipt {
        try await withCheckedThrowingContinuation { continuation in
            let idle = waiting[bid.lotID] == nil
            waiting[bid.lotID, default: []].append(Waiting(bid: bid, continuation: continuation))
            if idle { Task { await self.drain(bid.lotID, run) } }
        }
    }

    /// Sends the lot's waiting bids, a batch at a time, until none waits; the lot's entry is
    /// there for as long as a drain runs for it.
    private func drain(_ lot: LotID, _ run: Run) async {
        while let queue = waiting[lot], !queue.isEmpty {
            let batch = Array(queue.prefix(AuctionLimits.bidsPerCommitMax))
            waiting[lot] = Array(queue.dropFirst(batch.count))
            counts.transactions += 1
            counts.bids += batch.count
            let answers = await run(lot, batch.map(\.bid))
            for (one, answer) in zip(batch, answers) { one.continuation.resume(with: answer) }
        }
        waiting[lot] = nil
    }
}

import Foundation

/// An offer as it waits for its batch: where, what, by whom, and the key its answer is kept under.
struct PendingOffer: Sendable {
    var listingID: ListingID
    var firm: PartyID
    var caller: Principal?
    var request: OfferRequest
    var record: IdempotencyRecord<Offer>?
}

/// Group commit for new offers across listings (docs/offers.md, "Offers that commit together").
/// An offer's transaction is a dozen short statements, and PostgreSQL's fixed work for each —
/// not the rows — was most of its cost. Here a server keeps at most `batchesInFlight` offer
/// transactions running; the offers that arrive meanwhile wait, and go together in the next:
/// at most `OfferLimits.offersPerCommitMax`, one a listing, in arrival order. Each is decided
/// alone under its listing's lock, with the answer it would have had alone; their rows are
/// written a statement a table. A lone offer goes alone, as before.
///
/// An offer on a listing that already has one waiting here or in flight does not wait: it goes
/// alone at once, and the two meet at the listing's lock in whichever order they reach it, as
/// every offer did before (a hot listing keeps its connections; a queue would hold its offers to
/// one at a time). Another server's offers, and the listing's other commands, meet them there
/// too.
actor OfferPlaceQueue {
    typealias Run = @Sendable (_ offers: [PendingOffer]) async -> [Result<Offer, any Error>]

    private struct Waiting {
        var offer: PendingOffer
        var continuation: CheckedContinuation<Offer, any Error>
    }

    let batchesInFlight: Int
    private var waiting: [Waiting] = []
    private var inFlight = 0
    /// The listings of the batches in flight (their later offers go alone).
    private var busy: Set<ListingID> = []
    /// Transactions sent, and the offers they carried, since this queue was made, and the offers
    /// that went alone past it: for tests.
    private(set) var counts = (transactions: 0, offers: 0, alone: 0)

    /// Offers waiting, not yet sent: for tests.
    var waitingCount: Int { waiting.count }

    init(batchesInFlight: Int) {
        precondition(batchesInFlight >= 1, "a queue that sends no batch answers no offer")
        self.batchesInFlight = batchesInFlight
    }

    /// Waits for the offer's batch and answers it; `run` decides a batch (the service's).
    func submit(_ offer: PendingOffer, run: @escaping Run) async throws -> Offer {
        // A listing with an offer waiting or in flight is a hot one: its offers meet at its lock.
        if busy.contains(offer.listingID) || waiting.contains(where: { $0.offer.listingID == offer.listingID }) {
            counts.alone += 1
            return try await run([offer])[0].get()
        }
        return try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiting(offer: offer, continuation: continuation))
            startBatches(run)
        }
    }

    /// Starts batches while a transaction is free and an offer can go.
    private func startBatches(_ run: @escaping Run) {
        while inFlight < batchesInFlight, let batch = nextBatch() {
            inFlight += 1
            counts.transactions += 1
            counts.offers += batch.count
            Task { await self.send(batch, run) }
        }
    }

    /// The waiting offers that go next, in arrival order, taken off the queue. `submit` keeps a
    /// listing out of the queue while it has an offer waiting or in flight, so the waiting
    /// offers' listings are distinct and none is in flight: any of them may go.
    private func nextBatch() -> [Waiting]? {
        guard !waiting.isEmpty else { return nil }
        let batch = Array(waiting.prefix(OfferLimits.offersPerCommitMax))
        waiting.removeFirst(batch.count)
        busy.formUnion(batch.map(\.offer.listingID))
        return batch
    }

    private func send(_ batch: [Waiting], _ run: @escaping Run) async {
        let answers = await run(batch.map(\.offer))
        for (one, answer) in zip(batch, answers) { one.continuation.resume(with: answer) }
        for one in batch.dropFirst(answers.count) {
            one.continuation.resume(throwing: OfferBookInconsistent("a batch answered \(answers.count) of \(batch.count) offers"))
        }
        inFlight -= 1
        busy.subtract(batch.map(\.offer.listingID))
        startBatches(run)
    }
}

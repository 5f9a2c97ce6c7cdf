import Foundation
import Market
import Postgres
import PostgresStore
import Synchronization

/// A clock the test moves: the auction's clock, read under each lot's lock.
public final class AuctionTestClock: Sendable {
    private let now: Mutex<Date>

    /// Starts at `start`, cut to whole seconds by default (PostgreSQL keeps microseconds, so a
    /// time read back would otherwise differ from the one written by a fraction).
    public init(_ start: Date = Date(), wholeSeconds: Bool = true) {
        now = Mutex(wholeSeconds ? Date(timeIntervalSince1970: start.timeIntervalSince1970.rounded(.down)) : start)
    }

    public func read() -> Date { now.withLock { $0 } }

    public func advance(to date: Date) { now.withLock { $0 = date } }

    /// Auction settings on this clock, with the given notice.
    public func settings(noticeSecondsMin: Int = AuctionLimits.noticeDaysDefault * 86_400) -> AuctionSettings {
        AuctionSettings(noticeSecondsMin: noticeSecondsMin, clock: { [self] in read() })
    }
}

/// A consented English lot on the first published listing with an assignment in the fixtures,
/// driven through the use cases: its session noticed a minute after `clock`'s time, bidding from
/// two minutes after it for `minutes`.
public struct AuctionTestLot: Sendable {
    public let lot: Lot
    public let listing: Listing
    public let service: AuctionService<PostgresMarketStore>

    public static func english(
        _ pool: PostgresPool, clock: AuctionTestClock, openingFen: Int64 = 2_000_000_00, incrementFen: Int64 = 100_000_00, minutes: Int = 1
    ) async throws -> AuctionTestLot {
        let store = PostgresMarketStore(pool: pool)
        let service = AuctionService(store: store, settings: clock.settings(noticeSecondsMin: 0))
        let t0 = clock.read()
        let listingID: Int64 = try await pool.withConnection { connection in
            try connection.query("SELECT id FROM listings WHERE status = 'published' AND 'assignment' = ANY (transfer_modes) ORDER BY id LIMIT 1")[0]
                .decode("id")
        }
        guard let listing = try await store.listing(ListingID(listingID)), let institution = try await store.party(listing.institutionID) else {
            throw LotInconsistent("the fixtures have no published listing of an assignment")
        }
        let session = try await service.openSession(
            SessionRequest(title: "德清专场", noticeAt: t0.addingTimeInterval(60), startsAt: t0.addingTimeInterval(120)), by: .commandLineOperator)
        let lot = try await service.addLot(
            to: session.id,
            LotTerms(
                listingID: listing.id, format: .english, openingPriceFen: openingFen, reserveFen: openingFen, incrementFen: incrementFen,
                startsAt: t0.addingTimeInterval(120), endsAt: t0.addingTimeInterval(120 + Double(minutes) * 60)),
            by: .commandLineOperator
        ).lot
        _ = try await service.consent(lot.id, excludedGroupCodes: [], by: .commandLine(actingFor: institution))
        return AuctionTestLot(lot: lot, listing: listing, service: service)
    }
}

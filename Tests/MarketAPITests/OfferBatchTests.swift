import Foundation
import HTTPTypes
@testable import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// New offers that go together in one transaction (`OfferPlaceQueue`), on the real store: each
/// is answered as it would have been alone — filled with its own contract, or refused with its
/// own reason while the others in its batch go through — and a key replays its answer.
@Suite struct OfferBatchTests {
    let keys: DemoKeys

    init() throws { keys = try DemoKeys.load() }

    @Test func offersOnManyListingsAtOnceGoTogetherAndEachIsAnsweredAsAlone() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let store = PostgresMarketStore(pool: pool)
            let count = 24
            var firms: [Party] = []
            for i in 0..<count {
                firms.append(try await store.register(NewParty(
                    handle: "batch-firm-\(i)", kind: .firm, name: "德清批量企业\(i)号", regionCode: RegionCode("330521")!,
                    creditCode: OffersAPITests.creditCode(serial: 500 + i))))
            }
            var listings: [Int] = []
            for _ in 0..<count {
                listings.append(try await OffersAPITests.publishedListing(api, owner: keys.owner, modes: ["licence_non_exclusive"], askFen: 80_000_00))
            }
            let (firmsMade, listingsMade) = (firms, listings)
            let service = OfferService(store: store, placeBatchesInFlight: 1)
            let validUntil = Date().addingTimeInterval(86_400)
            // Every third offer is in a mode its listing does not offer; the rest meet the ask.
            let results = await withTaskGroup(of: (Int, Result<Offer, any Error>).self) { group in
                for i in 0..<count {
                    group.addTask {
                        let caller = Principal(keyID: 0, role: .firm, partyID: firmsMade[i].id, regionCode: firmsMade[i].regionCode)
                        let mode: TransferMode = i % 3 == 2 ? .licenceSole : .licenceNonExclusive
                        let request = OfferRequest(mode: mode, priceFen: 80_000_00 + Int64(i), terms: "批量\(i)", validUntil: validUntil)
                        let result = await Result.of {
                            try await service.place(on: ListingID(Int64(listingsMade[i])), request, by: caller)
                        }
                        return (i, result)
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let counts = await service.placeQueue.counts
            #expect(counts.offers == count && counts.transactions < count, "offers went together: \(counts)")
            var contracts: Set<ContractID> = []
            for i in 0..<count {
                let result = try #require(results[i])
                if i % 3 == 2 {
                    #expect(throws: OfferRefusal.self, "offer \(i) is refused alone") { try result.get() }
                    continue
                }
                let offer = try result.get()
                #expect(offer.status == .filled && offer.firmID == firms[i].id && offer.listingID == ListingID(Int64(listings[i])))
                #expect(offer.deal?.priceFen == 80_000_00 + Int64(i) && offer.steps.map(\.kind) == [.offered, .matched])
                let contract = try #require(offer.deal?.contractID)
                contracts.insert(contract)
                let stored = try await OfferService(store: store).offer(offer.id, for: .commandLine(actingFor: firms[i]))
                #expect(
                    stored.status == offer.status && stored.deal?.contractID == contract && stored.steps.map(\.kind) == offer.steps.map(\.kind),
                    "the stored offer is the answer")
            }
            #expect(contracts.count == count - count / 3, "each deal has its own contract")
            let contractList = contracts.map { String($0.value) }.joined(separator: ",")
            let rows = try await pool.withConnection { connection in
                try connection.query(
                    "SELECT count(*) AS n FROM contracts c JOIN contract_versions v ON v.contract_id = c.id WHERE c.source = 'offer' AND c.id = ANY (string_to_array($1, ',')::bigint[])",
                    contractList)[0].decode("n", as: Int.self)
            }
            #expect(rows == contracts.count, "each contract is stored with its first version")
            for (i, listing) in listings.enumerated() where i % 3 != 2 { try await OffersAPITests.expectReplaysClean(listing, pool: pool) }
        }
    }

    @Test func keysSentAgainOnOffersThatWentTogetherReplayTheirAnswers() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let count = 12
            let firms = try await OffersAPITests.firms(count, pool: pool)
            var listings: [Int] = []
            for _ in 0..<count {
                listings.append(try await OffersAPITests.publishedListing(api, owner: keys.owner, modes: ["licence_non_exclusive"], askFen: 50_000_00))
            }
            let idempotencyKeys = (0..<count).map { _ in UUID().uuidString }
            let listingsMade = listings
            // One body a firm for both rounds: a key sent again must carry the same request.
            let validUntil = OffersAPITests.inADay
            var rounds: [[Int: Reply]] = []
            for _ in 0..<2 {
                rounds.append(try await withThrowingTaskGroup(of: (Int, Reply).self) { group in
                    for i in 0..<count {
                        let (listing, firm, key) = (listingsMade[i], firms[i], idempotencyKeys[i])
                        group.addTask {
                            let body: [String: Any] = [
                                "mode": "licence_non_exclusive", "priceFen": 50_000_00 + i, "terms": "", "validUntil": validUntil,
                            ]
                            return (i, try await api.send(.post, "/v1/listings/\(listing)/offers", key: firm, json: body, headers: OffersAPITests.idempotency(key)))
                        }
                    }
                    return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
                })
            }
            let (first, again) = (rounds[0], rounds[1])
            for i in 0..<count {
                let reply = try #require(first[i])
                #expect(reply.status == .created && reply.object["status"] as? String == "filled", "\(reply.text)")
                #expect(again[i]?.status == reply.status && again[i]?.text == reply.text, "the key replays offer \(i)'s answer: \(again[i]?.text ?? "")")
            }
            let listingList = listings.map(String.init).joined(separator: ",")
            let stored = try await pool.withConnection { connection in
                try connection.query(
                    "SELECT count(*) AS n FROM offers WHERE listing_id = ANY (string_to_array($1, ',')::bigint[])",
                    listingList)[0].decode("n", as: Int.self)
            }
            #expect(stored == count, "no offer was placed twice")
        }
    }
}

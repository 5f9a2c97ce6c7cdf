import Foundation
import Market
import Postgres

extension PostgresMarketStore {
    /// Loads the demo offers through the use cases, acting as each party; a row whose firm has
    /// an offer on the listing in that mode already is skipped, so loading twice changes
    /// nothing. Returns how many offers were added.
    public func load(_ fixture: OfferFixture, now: Date = Date()) async throws -> Int {
        let offers = OfferService(store: self, clock: { now })
        func party(_ handle: String) async throws -> Party {
            guard let party = try await self.party(handle: handle) else { throw FixtureError.invalid("offers.json: no participant \(handle)") }
            return party
        }
        func listing(_ reference: String) async throws -> (id: ListingID, institution: Party) {
            let found = try await pool.withConnection { connection -> (Int64, Int64)? in
                try connection.query("SELECT id, institution_id FROM listings WHERE reference = $1 ORDER BY id LIMIT 1", reference).first.map {
                    (try $0.decode("id"), try $0.decode("institution_id"))
                }
            }
            guard let (listingID, institutionID) = found else { throw FixtureError.invalid("offers.json: no listing \(reference)") }
            let institution = try await self.party(PartyID(institutionID))
            guard let institution else { throw FixtureError.invalid("offers.json: listing \(reference) has no institution") }
            return (ListingID(listingID), institution)
        }
        for row in fixture.saleTerms {
            let (id, institution) = try await listing(row.listing)
            let opened = try await pool.withConnection { try $0.query("SELECT 1 FROM offer_books WHERE listing_id = $1", id.value).count > 0 }
            if opened { continue }
            let window = row.offerWindowDays.map { now.addingTimeInterval(Double($0) * 86_400) }
            _ = try await offers.changeSaleTerms(
                of: id, SaleTermsChange(licenceSeats: row.licenceSeats, offerWindowClosesAt: window.map { .some($0) }),
                by: .commandLine(actingFor: institution))
        }
        var added = 0
        for row in fixture.offers {
            let (id, institution) = try await listing(row.listing)
            let firm = try await party(row.firm)
            let exists = try await pool.withConnection {
                try $0.query("SELECT 1 FROM offers WHERE listing_id = $1 AND mode = $2 AND firm_id = $3", id.value, row.mode.rawValue, firm.id.value)
                    .count > 0
            }
            if exists { continue }
            let firmCaller = Principal.commandLine(actingFor: firm)
            let institutionCaller = Principal.commandLine(actingFor: institution)
            var offer = try await offers.place(
                on: id,
                OfferRequest(
                    mode: row.mode, priceFen: row.priceFen, terms: row.terms,
                    validUntil: now.addingTimeInterval(Double(OfferFixture.validityDays) * 86_400)),
                by: firmCaller)
            added += 1
            for move in row.moves ?? [] {
                switch move {
                case .counter(let price, let terms):
                    offer = try await offers.counter(offer.id, CounterRequest(priceFen: price, terms: terms), by: institutionCaller)
                case .counterBack(let price):
                    offer = try await offers.counter(offer.id, CounterRequest(priceFen: price, terms: nil), by: firmCaller)
                case .accept:
                    offer = try await offers.accept(offer.id, by: offer.awaiting == .firm ? firmCaller : institutionCaller)
                case .reject(let reason):
                    offer = try await offers.reject(offer.id, reason: reason, by: institutionCaller)
                case .withdraw:
                    offer = try await offers.withdraw(offer.id, by: firmCaller)
                }
            }
        }
        return added
    }
}

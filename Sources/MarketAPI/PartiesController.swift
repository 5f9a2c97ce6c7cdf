import Foundation
import HTTPTypes
import Hummingbird
import Market

/// `/v1/parties` (the directory; admins register participants) and `/v1/me`.
struct PartiesController<Store: PartyStore & KeyStore> {
    let store: Store
    let auth: Authenticator<Store>

    init(store: Store) {
        self.store = store
        auth = Authenticator(keys: store)
    }

    struct Me: ResponseEncodable {
        var keyId: Int64
        var role: Role
        var party: Party?
        var regionCode: RegionCode?

        enum CodingKeys: String, CodingKey { case keyId, role, party, regionCode }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(keyId, forKey: .keyId)
            try container.encode(role, forKey: .role)
            try container.encode(party, forKey: .party)
            try container.encode(regionCode, forKey: .regionCode)
        }
    }

    var partyEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get { request, context in
            _ = try await auth.principal(request)
            var reader = QueryReader(request, known: ["kind", "region", "limit", "cursor"])
            var query = PartyQuery()
            query.kind = reader.value("kind", "one of institution, firm, provider, regulator", PartyKind.init(rawValue:))
            query.regionCode = reader.value("region", "a six-digit GB/T 2260 region code", RegionCode.init)
            query.limit = reader.integer("limit", in: 1...Int64(PartyQuery.limitMax)).map(Int.init) ?? query.limit
            query.after = reader.value("cursor", "the nextCursor of an earlier page") { text in
                text.hasPrefix("p") ? Int64(text.dropFirst()).flatMap { $0 > 0 ? PartyID($0) : nil } : nil
            }
            try reader.finish()
            let found = try await store.parties(PartyQuery(kind: query.kind, regionCode: query.regionCode, limit: query.limit + 1, after: query.after))
            return try context.responseEncoder.encode(
                ListPage(found, page: PageRequest(limit: query.limit), cursorPrefix: "p", id: \.id.value, render: { $0 }), from: request, context: context)
        }
        routes.get(":id") { request, context in
            _ = try await auth.principal(request)
            let id = PartyID(try request.id(context))
            guard let party = try await store.party(id) else { throw MarketError.notFound("no participant \(id)") }
            return party
        }
        routes.post { request, context in
            let caller = try await auth.require(request)
            try AccessPolicy.checkRegistersParticipants(caller)
            let body = try await RequestBody.decode(PartyCreateBody.self, from: request, context: context)
            let party = try await store.register(body.party)
            var response = try context.responseEncoder.encode(party, from: request, context: context)
            response.status = .created
            response.headers[.location] = "/v1/parties/\(party.id)"
            return response
        }
        return routes
    }

    var meEndpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get { request, _ in
            let caller = try await auth.require(request)
            let party = try await caller.partyID.asyncMap { try await store.party($0) } ?? nil
            return Me(keyId: caller.keyID, role: caller.role, party: party, regionCode: caller.regionCode)
        }
    }
}

extension Party: ResponseEncodable {}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

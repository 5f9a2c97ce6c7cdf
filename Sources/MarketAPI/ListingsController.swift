import Foundation
import HTTPTypes
import Hummingbird
import Market

/// `/v1/listings`: institutions create, edit, publish and withdraw; anyone searches.
struct ListingsController<Store: ListingStore & KeyStore> {
    let service: ListingService<Store>
    let auth: Authenticator<Store>
    let searchPages: SearchPageCache?

    init(store: Store, searchPages: SearchPageCache?) {
        service = ListingService(store: store)
        auth = Authenticator(keys: store)
        self.searchPages = searchPages
    }

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post { request, context in
            let caller = try await auth.require(request)
            let body = try await RequestBody.decode(ListingCreateBody.self, from: request, context: context)
            let listing = try await service.create(body.content, by: caller)
            var response = Self.respond(listing, status: .created)
            response.headers[.location] = "/v1/listings/\(listing.id)"
            return response
        }
        routes.get { request, context in
            let caller = try await auth.principal(request)
            let query = try Self.query(request)
            // A public search is the same for every caller: answered from the page encoded
            // before when the database says nothing it shows has changed since.
            guard let searchPages, query.status.isPublic else {
                return Self.json(ListingJSON.page(try await service.search(query, for: caller)))
            }
            let key = request.uri.query ?? ""
            let generation = try await service.searchGeneration()
            return Self.json(try await searchPages.page(for: key, generation: generation) {
                ListingJSON.page(try await service.search(query, for: caller))
            })
        }
        routes.get(":id") { request, context in
            let caller = try await auth.principal(request)
            let listing = try await service.listing(ListingID(try request.id(context)), for: caller)
            return Self.respond(listing, status: .ok)
        }
        routes.patch(":id") { request, context in
            let caller = try await auth.require(request)
            let id = ListingID(try request.id(context))
            let ifMatch = try Self.ifMatch(request)
            let body = try await RequestBody.decode(ListingPatchBody.self, from: request, context: context)
            let expected: Int
            switch (ifMatch, body.version) {
            case (let header?, let field?) where header != field:
                throw MarketError.invalid([.rule("version", "differs from If-Match (\(header)); send one or make them agree")])
            case (let header?, _):
                expected = header
            case (nil, let field?):
                expected = field
            case (nil, nil):
                throw Problem(
                    status: .preconditionRequired, code: "precondition_required", title: "The version read is needed",
                    detail: "send If-Match: \"<version>\" (the ETag you read) or a version field, so that no one else's change is overwritten")
            }
            if body.changes.isEmpty { throw MarketError.invalid([FieldIssue("body", "changes nothing; send at least one field")]) }
            do {
                let listing = try await service.update(id, body.changes, expectedVersion: expected, by: caller)
                return Self.respond(listing, status: .ok)
            } catch MarketError.staleVersion(let expected, let current) where ifMatch != nil {
                throw Self.preconditionFailed(expected: expected, current: current)
            }
        }
        routes.post(":id/publish") { request, context in
            try await transition(request, context, service.publish)
        }
        routes.post(":id/withdraw") { request, context in
            try await transition(request, context, service.withdraw)
        }
        return routes
    }

    private func transition(
        _ request: Request, _ context: AppRequestContext,
        _ move: (ListingID, Int?, Principal?) async throws -> Listing
    ) async throws -> Response {
        let caller = try await auth.require(request)
        let id = ListingID(try request.id(context))
        let ifMatch = try Self.ifMatch(request)
        do {
            let listing = try await move(id, ifMatch, caller)
            return Self.respond(listing, status: .ok)
        } catch MarketError.staleVersion(let expected, let current) {
            throw Self.preconditionFailed(expected: expected, current: current)
        }
    }

    static func preconditionFailed(expected: Int, current: Int) -> Problem {
        Problem(
            status: .preconditionFailed, code: "precondition_failed", title: "The listing has changed",
            detail: "If-Match names version \(expected) but the listing is at version \(current); read it again and reapply the change")
    }

    /// The version named by `If-Match: "3"` (or `W/"3"`), nil without the header.
    static func ifMatch(_ request: Request) throws -> Int? {
        guard let header = request.headers[.ifMatch] else { return nil }
        var text = header.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
        guard let version = Int(text), version >= 1 else {
            throw MarketError.invalid([FieldIssue("If-Match", "must be the ETag of the listing you read, such as \"3\"")])
        }
        return version
    }

    static func respond(_ listing: Listing, status: HTTPResponse.Status) -> Response {
        var response = json(ListingJSON.listing(listing))
        response.status = status
        response.headers[.eTag] = "\"\(listing.version)\""
        return response
    }

    static func json(_ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }

    static func query(_ request: Request) throws -> ListingQuery {
        var reader = QueryReader(request, known: ListingQuery.parameterNames)
        var query = ListingQuery()
        if let text = reader.text("q") {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { query.text = trimmed }
        }
        query.fieldCode = reader.value("field", "a field code from /v1/fields") { text in
            text.utf8.count <= 40 && !text.isEmpty && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F } ? text : nil
        }
        query.trlMin = reader.integer("trlMin", in: 1...9).map(Int.init)
        query.trlMax = reader.integer("trlMax", in: 1...9).map(Int.init)
        query.mode = reader.value("mode", "one of \(transferModeChoices)", TransferMode.init(rawValue:))
        query.priceMinFen = reader.integer("priceMin", in: 0...ListingContent.askingPriceFenMax)
        query.priceMaxFen = reader.integer("priceMax", in: 0...ListingContent.askingPriceFenMax)
        query.negotiable = reader.boolean("negotiable")
        query.institutionID = reader.integer("institution", in: 1...Int64.max).map(PartyID.init)
        query.regionCode = reader.value("region", "a six-digit GB/T 2260 region code", RegionCode.init)
        if let status = reader.value("status", "one of \(ListingStatus.allCases.map(\.rawValue).joined(separator: ", "))", ListingStatus.init(rawValue:)) {
            query.status = status
        }
        query.sort = reader.value("sort", "one of \(ListingSort.allCases.map(\.rawValue).joined(separator: ", "))", ListingSort.init(rawValue:))
            ?? (query.text == nil ? .newest : .relevance)
        query.limit = reader.integer("limit", in: 1...Int64(ListingQuery.limitMax)).map(Int.init) ?? ListingQuery.limitDefault
        query.after = reader.value("cursor", "the nextCursor of an earlier page", ListingCursor.init(encoded:))
        try reader.finish()
        return query
    }
}


import Foundation
import HTTPTypes
import Hummingbird
import Market

/// Offers on listings, their negotiation, and a listing's sale terms (docs/offers.md).
struct OffersController<Store: OfferStore & KeyStore> {
    let offers: OfferService<Store>
    let auth: Authenticator<Store>
    let idempotent = IdempotentPost()

    init(store: Store) {
        offers = OfferService(store: store)
        auth = Authenticator(keys: store)
    }

    /// Under `/v1/listings`: a listing's offers and sale terms.
    var listingEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post(":id/offers") { request, context in
            let caller = try await auth.require(request)
            let listing = ListingID(try request.id(context))
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(OfferBody.self, from: request, context: context)
            return try await idempotent.run(
                request, body: bytes, caller: caller, context: context, status: .created, locationPath: "/v1/offers", render: { OfferJSON($0) }
            ) { (record: IdempotencyRecord<Offer>) in
                do {
                    let offer = try await offers.place(on: listing, body.request, by: caller, record: record)
                    MarketMetrics.offer(offer.status == .filled ? "matched" : "open")
                    return offer
                } catch let refusal as OfferRefusal {
                    MarketMetrics.offer("refused")
                    throw refusal
                }
            }
        }
        routes.get(":id/sale-terms") { request, context in
            let caller = try await auth.principal(request)
            let listing = ListingID(try request.id(context))
            try QueryReader(request, known: []).finish()
            return try context.responseEncoder.encode(try await offers.saleTerms(of: listing, for: caller), from: request, context: context)
        }
        routes.patch(":id/sale-terms") { request, context in
            let caller = try await auth.require(request)
            let listing = ListingID(try request.id(context))
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(SaleTermsBody.self, from: request, context: context)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, render: { $0 }) { record in
                try await offers.changeSaleTerms(of: listing, body.change, by: caller, record: record)
            }
        }
        return routes
    }

    /// `/v1/offers`.
    var offerEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get { request, context in
            let caller = try await auth.require(request)
            var reader = QueryReader(request, known: ["status", "listingId", "mode", "limit", "cursor"])
            let status = reader.value("status", "one of \(OfferStatus.allCases.map(\.rawValue).joined(separator: ", "))", OfferStatus.init(rawValue:))
            let listing = reader.integer("listingId", in: 1...Int64.max).map(ListingID.init)
            let mode = reader.value("mode", "one of \(transferModeChoices)", TransferMode.init(rawValue:))
            let page = reader.page(cursorPrefix: "o")
            try reader.finish()
            let found = try await offers.offers(for: caller, OfferFilter(status: status, listingID: listing, mode: mode), page: page.withOneMore)
            return try context.responseEncoder.encode(
                ListPage(found, page: page, cursorPrefix: "o", id: \.id.value, render: { $0 }), from: request, context: context)
        }
        routes.get(":id") { request, context in
            let caller = try await auth.require(request)
            return try context.responseEncoder.encode(
                try await offers.offer(OfferID(try request.id(context)), for: caller), from: request, context: context)
        }
        routes.post(":id/accept") { request, context in
            let caller = try await auth.require(request)
            let id = OfferID(try request.id(context))
            try await RequestBody.requireEmptyObject(request, context: context)
            return try await idempotent.run(request, body: [], caller: caller, context: context, render: { OfferJSON($0) }) { record in
                try await offers.accept(id, by: caller, record: record)
            }
        }
        routes.post(":id/counter") { request, context in
            let caller = try await auth.require(request)
            let id = OfferID(try request.id(context))
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(CounterBody.self, from: request, context: context)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, render: { OfferJSON($0) }) { record in
                try await offers.counter(id, body.request, by: caller, record: record)
            }
        }
        routes.post(":id/reject") { request, context in
            let caller = try await auth.require(request)
            let id = OfferID(try request.id(context))
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(OfferRejectBody.self, from: request, context: context)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, render: { OfferJSON($0) }) { record in
                try await offers.reject(id, reason: body.reason, by: caller, record: record)
            }
        }
        routes.post(":id/withdraw") { request, context in
            let caller = try await auth.require(request)
            let id = OfferID(try request.id(context))
            try await RequestBody.requireEmptyObject(request, context: context)
            return try await idempotent.run(request, body: [], caller: caller, context: context, render: { OfferJSON($0) }) { record in
                try await offers.withdraw(id, by: caller, record: record)
            }
        }
        return routes
    }
}

/// An RFC 3339 time in a body (`2027-01-31T12:00:00Z`, fractions and offsets allowed): the
/// document's `Timestamp` pattern, with the calendar's ranges. Read by hand: a Foundation
/// `ISO8601DateFormatter` made per request was a fifth of the server's work on an offer.
enum Timestamp {
    static let expected = "a time such as 2027-01-31T12:00:00+08:00"

    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count <= 40 else { return nil }
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for _ in 0..<digits {
                guard (48...57).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
                index += 1
            }
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2), expect("T"),
            let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2),
            (1...12).contains(month), (1...Day.daysIn(month, of: year)).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var fraction = 0.0
        if expect(".") {
            let start = index
            var scale = 0.1
            while index < bytes.count, (48...57).contains(bytes[index]) {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset = 0
        if !expect("Z") {
            let sign = expect("+") ? 1 : expect("-") ? -1 : 0
            guard sign != 0, let hours = number(2), expect(":"), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard index == bytes.count else { return nil }
        let days = Day.daysSince1970(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds = Int(days) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}

extension ObjectReader {
    /// A required time.
    mutating func requiredTime(_ key: String) -> Date? {
        guard let text: String = required(key, Timestamp.expected) else { return nil }
        guard let date = Timestamp.parse(text) else {
            issues.add(name(key), "must be \(Timestamp.expected)")
            return nil
        }
        return date
    }
}

/// `POST /v1/listings/{id}/offers`.
struct OfferBody: Decodable, MultilineFields, FlatBody {
    static let multilineFields: Set<String> = ["terms"]
    var request: OfferRequest

    /// The body every offer sends, read without JSONDecoder; nil for anything the decoder
    /// would refuse or read otherwise, which then goes its way.
    init?(flat members: [CanonicalJSON.Member]) {
        var mode: TransferMode?, price: Int64?, terms = "", validUntil: Date?
        var seen: Set<String> = []
        for member in members {
            guard seen.insert(member.key).inserted else { return nil }
            switch (member.key, member.value) {
            case ("mode", .string(let text)): mode = TransferMode(rawValue: text)
            case ("priceFen", .integer(let fen)): price = fen
            case ("terms", .string(let text)): terms = text
            case ("terms", .null): terms = ""
            case ("validUntil", .string(let text)): validUntil = Timestamp.parse(text)
            default: return nil
            }
        }
        guard let mode, let price, let validUntil else { return nil }
        request = OfferRequest(mode: mode, priceFen: price, terms: terms, validUntil: validUntil)
    }

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["mode", "priceFen", "terms", "validUntil"])
        let mode: TransferMode? = reader.required("mode", "one of \(transferModeChoices)")
        let price: Int64? = reader.required("priceFen", "an integer number of fen")
        let terms: String?? = reader.optional("terms", "a string")
        let validUntil = reader.requiredTime("validUntil")
        try reader.finish()
        request = OfferRequest(
            mode: try reader.take(mode, "mode"), priceFen: try reader.take(price, "priceFen"), terms: (terms ?? nil) ?? "",
            validUntil: try reader.take(validUntil, "validUntil"))
    }
}

/// `POST /v1/offers/{id}/counter`.
struct CounterBody: Decodable, MultilineFields {
    static let multilineFields: Set<String> = ["terms"]
    var request: CounterRequest

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["priceFen", "terms"])
        let price: Int64? = reader.required("priceFen", "an integer number of fen")
        let terms: String?? = reader.optional("terms", "a string")
        try reader.finish()
        request = CounterRequest(priceFen: try reader.take(price, "priceFen"), terms: terms ?? nil)
    }
}

/// `POST /v1/offers/{id}/reject`.
struct OfferRejectBody: Decodable, MultilineFields {
    static let multilineFields: Set<String> = ["reason"]
    var reason: String

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["reason"])
        let reason: String? = reader.required("reason", "why the offer is rejected")
        try reader.finish()
        self.reason = try reader.take(reason, "reason")
    }
}

/// `PATCH /v1/listings/{id}/sale-terms`.
struct SaleTermsBody: Decodable {
    var change: SaleTermsChange

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["askingPriceFen", "licenceSeats", "offerWindowClosesAt"])
        let ask: Int64?? = reader.optional("askingPriceFen", "an integer number of fen, or null for negotiable")
        let seats: Int?? = reader.optional("licenceSeats", "an integer number of seats")
        let window: String?? = reader.optional("offerWindowClosesAt", "\(Timestamp.expected), or null for continuous matching")
        var windowDate: Date??
        if case .some(.some(let text)) = window {
            if let date = Timestamp.parse(text) { windowDate = .some(date) } else {
                reader.issues.add("offerWindowClosesAt", "must be \(Timestamp.expected)")
            }
        } else if case .some(.none) = window {
            windowDate = .some(nil)
        }
        if case .some(.none) = seats { reader.issues.add("licenceSeats", "must not be null") }
        try reader.finish()
        change = SaleTermsChange(askingPriceFen: ask, licenceSeats: seats ?? nil, offerWindowClosesAt: windowDate)
    }
}

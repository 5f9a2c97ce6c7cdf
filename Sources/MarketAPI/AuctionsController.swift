import Foundation
import HTTPTypes
import Hummingbird
import Market
import ServiceLifecycle

/// Auction sessions (专场), their lots, deposits, registrations and bids (docs/auctions.md).
struct AuctionsController<Store: AuctionStore & KeyStore> {
    let auctions: AuctionService<Store>
    let auth: Authenticator<Store>
    let streams: LotStreams<Store>
    let idempotent = IdempotentPost()

    init(store: Store, settings: AuctionSettings, bell: (any LotEventBell)?, heartbeatMs: Int = AuctionLimits.streamHeartbeatSeconds * 1_000) {
        auctions = AuctionService(store: store, settings: settings)
        auth = Authenticator(keys: store)
        streams = LotStreams(auctions: auctions, bell: bell, heartbeatMs: heartbeatMs)
    }

    /// `/v1/sessions`.
    var sessionEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post { request, context in
            let caller = try await auth.require(request)
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(SessionBody.self, from: request, context: context)
            return try await idempotent.run(
                request, body: bytes, caller: caller, context: context, status: .created, locationPath: "/v1/sessions", render: { $0 }
            ) { record in
                try await auctions.openSession(body.request, by: caller, record: record)
            }
        }
        routes.get { request, context in
            _ = try await auth.principal(request)
            var reader = QueryReader(request, known: ["limit", "cursor"])
            let page = reader.page(cursorPrefix: "s")
            try reader.finish()
            let found = try await auctions.sessions(page: page.withOneMore)
            return try context.responseEncoder.encode(
                ListPage(found, page: page, cursorPrefix: "s", id: \.id.value, render: { $0 }), from: request, context: context)
        }
        routes.post(":id/lots") { request, context in
            let caller = try await auth.require(request)
            let session = SessionID(try request.id(context))
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(LotBody.self, from: request, context: context)
            return try await idempotent.run(
                request, body: bytes, caller: caller, context: context, status: .created, locationPath: "/v1/lots", render: { $0 }
            ) { record in
                try await auctions.addLot(to: session, body.terms, by: caller, record: record)
            }
        }
        return routes
    }

    /// `/v1/lots`.
    var lotEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get { request, context in
            let caller = try await auth.principal(request)
            var reader = QueryReader(request, known: ["sessionId", "status", "limit", "cursor"])
            let session = reader.integer("sessionId", in: 1...Int64.max).map(SessionID.init)
            let status = reader.value("status", "one of \(LotStatus.allCases.map(\.rawValue).joined(separator: ", "))", LotStatus.init(rawValue:))
            let page = reader.page(cursorPrefix: "l")
            try reader.finish()
            let found = try await auctions.lots(for: caller, LotFilter(sessionID: session, status: status), page: page.withOneMore)
            return try context.responseEncoder.encode(
                ListPage(found, page: page, cursorPrefix: "l", id: \.lot.id.value, render: { $0 }), from: request, context: context)
        }
        routes.get(":id") { request, context in
            let caller = try await auth.principal(request)
            let id = LotID(try request.id(context))
            try QueryReader(request, known: []).finish()
            return try context.responseEncoder.encode(try await auctions.lot(id, for: caller).view, from: request, context: context)
        }
        routes.post(":id/consent") { request, context in
            let caller = try await auth.require(request)
            let id = LotID(try request.id(context))
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(ConsentBody.self, from: request, context: context)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, render: { $0 }) { record in
                try await auctions.consent(id, excludedGroupCodes: body.excludedGroupCodes, by: caller, record: record)
            }
        }
        routes.post(":id/registrations") { request, context in
            let caller = try await auth.require(request)
            let id = LotID(try request.id(context))
            try await RequestBody.requireEmptyObject(request, context: context)
            return try await idempotent.run(request, body: [], caller: caller, context: context, status: .created, render: { $0 }) { record in
                try await auctions.register(for: id, by: caller, record: record)
            }
        }
        routes.post(":id/bids") { request, context in
            let caller = try await auth.require(request)
            let id = LotID(try request.id(context))
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(BidBody.self, from: request, context: context)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, status: .created, render: { $0 }) {
                (record: IdempotencyRecord<BidReceipt>) in
                do {
                    let receipt = try await auctions.bid(on: id, body.request, paddle: body.paddle, by: caller, record: record)
                    MarketMetrics.bid("accepted")
                    return receipt
                } catch let refusal as AuctionRefusal {
                    MarketMetrics.bid("refused")
                    throw refusal
                }
            }
        }
        routes.get(":id/bids") { request, context in
            _ = try await auth.principal(request)
            let id = LotID(try request.id(context))
            var reader = QueryReader(request, known: ["limit", "cursor"])
            let page = reader.page(cursorPrefix: "e")
            try reader.finish()
            let found = try await auctions.events(of: id, after: page.afterID ?? 0, kinds: [.bid, .sealedBid, .reveal], limit: page.limit + 1)
            return try context.responseEncoder.encode(
                ListPage(found, page: page, cursorPrefix: "e", id: \.sequence, render: { $0 }), from: request, context: context)
        }
        routes.get(":id/events") { request, context in
            _ = try await auth.principal(request)
            let id = LotID(try request.id(context))
            try QueryReader(request, known: []).finish()
            var after: Int64 = 0
            if let text = request.headers[.lastEventID] {
                guard let sequence = Int64(text), sequence >= 0 else {
                    throw MarketError.invalid([FieldIssue("Last-Event-ID", "must be the id of an event of this stream (a sequence number)")])
                }
                after = sequence
            }
            // Unknown lots are refused before the stream starts.
            _ = try await auctions.events(of: id, after: Int64.max - 1, limit: 1)
            let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store"]
            if request.method == .head { return Response(status: .ok, headers: headers) }
            guard let watch = streams.watch(id, after: after) else {
                throw Problem(
                    status: .serviceUnavailable, code: "unavailable", title: "Too many live streams",
                    detail: "this server serves at most \(AuctionLimits.streamWatchersMax) live streams; try again shortly")
            }
            let auctions = auctions, streams = streams, start = after
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                var stream = LotEventStream(lotID: id, last: start)
                MarketMetrics.streamOpened()
                defer {
                    streams.end(id, watch.token)
                    MarketMetrics.streamClosed()
                }
                // The record first (from Last-Event-ID on), then what commits while the stream is open.
                try await stream.catchUp(auctions, &writer)
                streams.caughtUp(id, to: stream.last)
                let deadline = ContinuousClock.now + .seconds(AuctionLimits.streamSecondsMax)
                if !stream.ended {
                    // A graceful stop ends the wait for the next event; the stream then says so.
                    for await item in watch.items.cancelOnGracefulShutdown() {
                        switch item {
                        case .heartbeat:
                            try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                        case .events(let events):
                            if let first = events.first, first.sequence > stream.last + 1 { try await stream.catchUp(auctions, &writer) }
                            try await stream.write(events, &writer)
                        }
                        if stream.ended || ContinuousClock.now >= deadline { break }
                    }
                    if !stream.ended && Task.isShuttingDownGracefully {
                        try await writer.write(ByteBuffer(string: LotEventStream.shutdownEvent))
                    }
                }
                try await writer.finish(nil)
            })
        }
        routes.post(":id/hammer") { request, context in
            let caller = try await auth.require(request)
            let id = LotID(try request.id(context))
            try await RequestBody.requireEmptyObject(request, context: context)
            return try await idempotent.run(request, body: [], caller: caller, context: context, render: { $0 }) {
                (record: IdempotencyRecord<LotView>) in
                let view = try await auctions.hammer(id, by: caller, record: record)
                MarketMetrics.lotClosed(view.lot.status == .sold ? "sold" : "no_sale")
                return view
            }
        }
        routes.post(":id/payment") { request, context in
            let caller = try await auth.require(request)
            let id = LotID(try request.id(context))
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(PaymentBody.self, from: request, context: context)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, render: { $0 }) {
                (record: IdempotencyRecord<LotView>) in
                try await auctions.recordPayment(id, amountFen: body.amountFen, reference: body.reference, by: caller, record: record)
            }
        }
        routes.post(":id/default") { request, context in
            let caller = try await auth.require(request)
            let id = LotID(try request.id(context))
            try await RequestBody.requireEmptyObject(request, context: context)
            return try await idempotent.run(request, body: [], caller: caller, context: context, render: { $0 }) { record in
                try await auctions.markDefault(id, by: caller, record: record)
            }
        }
        return routes
    }

    /// `/v1/deposits`: the operator records a deposit's arrival at the bank.
    var depositEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post { request, context in
            let caller = try await auth.require(request)
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(DepositBody.self, from: request, context: context)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, status: .created, render: { $0 }) { record in
                try await auctions.receiveDeposit(firm: body.firmID, amountFen: body.amountFen, reference: body.reference, by: caller, record: record)
            }
        }
        return routes
    }

    /// `/v1/registrations`: the calling firm's paddles and deposits.
    var registrationEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get { request, context in
            let caller = try await auth.require(request)
            var reader = QueryReader(request, known: ["limit", "cursor"])
            let page = reader.page(cursorPrefix: "r")
            try reader.finish()
            let found = try await auctions.registrations(for: caller, page: page.withOneMore)
            return try context.responseEncoder.encode(
                ListPage(found, page: page, cursorPrefix: "r", id: \.id.value, render: { $0 }), from: request, context: context)
        }
        return routes
    }
}

/// `POST /v1/sessions`.
struct SessionBody: Decodable {
    var request: SessionRequest

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: [
            "title", "noticeAt", "startsAt", "buyerCommissionBasisPoints", "sellerCommissionBasisPoints", "depositBasisPoints", "paymentDays",
            "forfeitSellerBasisPoints", "live",
        ])
        let title: String? = reader.required("title", "the session's title")
        let notice = reader.requiredTime("noticeAt")
        let starts = reader.requiredTime("startsAt")
        let buyer: Int?? = reader.optional("buyerCommissionBasisPoints", "an integer number of basis points")
        let seller: Int?? = reader.optional("sellerCommissionBasisPoints", "an integer number of basis points")
        let deposit: Int?? = reader.optional("depositBasisPoints", "an integer number of basis points")
        let days: Int?? = reader.optional("paymentDays", "an integer number of days")
        let forfeit: Int?? = reader.optional("forfeitSellerBasisPoints", "an integer number of basis points")
        let live: Bool?? = reader.optional("live", "true or false")
        try reader.finish()
        request = SessionRequest(
            title: try reader.take(title, "title"), noticeAt: try reader.take(notice, "noticeAt"), startsAt: try reader.take(starts, "startsAt"),
            buyerCommissionBasisPoints: (buyer ?? nil) ?? 0, sellerCommissionBasisPoints: (seller ?? nil) ?? 0,
            depositBasisPoints: (deposit ?? nil) ?? AuctionLimits.depositBasisPointsDefault, paymentDays: (days ?? nil) ?? AuctionLimits.paymentDaysDefault,
            forfeitSellerBasisPoints: (forfeit ?? nil) ?? 10_000, live: (live ?? nil) ?? false)
    }
}

/// `POST /v1/sessions/{id}/lots`.
struct LotBody: Decodable {
    var terms: LotTerms

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: [
            "listingId", "mode", "format", "openingPriceFen", "reserveFen", "incrementFen", "startsAt", "endsAt", "extensionWindowSeconds",
            "extensionCountMax", "dutchIntervalSeconds",
        ])
        let listing: Int64? = reader.required("listingId", "the listing's id")
        let mode: TransferMode?? = reader.optional("mode", "one of \(transferModeChoices)")
        let format: LotFormat? = reader.required("format", "one of \(LotFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        let opening: Int64? = reader.required("openingPriceFen", "an integer number of fen")
        let reserve: Int64?? = reader.optional("reserveFen", "an integer number of fen")
        let increment: Int64? = reader.required("incrementFen", "an integer number of fen")
        let starts = reader.requiredTime("startsAt")
        let ends = reader.requiredTime("endsAt")
        let window: Int?? = reader.optional("extensionWindowSeconds", "an integer number of seconds")
        let cap: Int?? = reader.optional("extensionCountMax", "an integer, or null for no cap")
        let interval: Int?? = reader.optional("dutchIntervalSeconds", "an integer number of seconds")
        try reader.finish()
        let openingFen = try reader.take(opening, "openingPriceFen")
        terms = LotTerms(
            listingID: ListingID(try reader.take(listing, "listingId")), mode: (mode ?? nil) ?? .assignment, format: try reader.take(format, "format"),
            openingPriceFen: openingFen, reserveFen: (reserve ?? nil) ?? openingFen, incrementFen: try reader.take(increment, "incrementFen"),
            startsAt: try reader.take(starts, "startsAt"), endsAt: try reader.take(ends, "endsAt"),
            extensionWindowSeconds: (window ?? nil) ?? AuctionLimits.extensionWindowSecondsDefault, extensionCountMax: cap ?? nil,
            dutchIntervalSeconds: interval ?? nil)
    }
}

/// `POST /v1/lots/{id}/consent`.
struct ConsentBody: Decodable {
    var excludedGroupCodes: [String]

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["excludedGroupCodes"])
        let groups: [String]?? = reader.optional("excludedGroupCodes", "an array of controller group codes")
        try reader.finish()
        excludedGroupCodes = (groups ?? nil) ?? []
    }
}

/// `POST /v1/lots/{id}/bids`: exactly one of `amountFen`, `maxFen` or `accept: true`; the
/// auctioneer adds the `paddle` of a floor bid.
struct BidBody: Decodable {
    var request: BidRequest
    var paddle: Int?

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["amountFen", "maxFen", "accept", "paddle"])
        let amount: Int64?? = reader.optional("amountFen", "an integer number of fen")
        let max: Int64?? = reader.optional("maxFen", "an integer number of fen")
        let accept: Bool?? = reader.optional("accept", "true")
        let paddle: Int?? = reader.optional("paddle", "a paddle number")
        let given = [amount.map { $0 != nil } ?? false, max.map { $0 != nil } ?? false, (accept ?? nil) == true].filter { $0 }.count
        if given != 1 { reader.issues.add("amountFen", "give exactly one of amountFen, maxFen or accept: true") }
        if let p = paddle ?? nil, !(1...AuctionLimits.biddersPerLotMax).contains(p) {
            reader.issues.add("paddle", "must be a paddle number, 1 to \(AuctionLimits.biddersPerLotMax)")
        }
        try reader.finish()
        if let fen = amount ?? nil {
            request = .amount(fen)
        } else if let fen = max ?? nil {
            request = .proxy(maxFen: fen)
        } else {
            request = .accept
        }
        self.paddle = paddle ?? nil
    }
}

/// `POST /v1/deposits`.
struct DepositBody: Decodable {
    var firmID: PartyID
    var amountFen: Int64
    var reference: String

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["firmId", "amountFen", "reference"])
        let firm: Int64? = reader.required("firmId", "the firm's id")
        let amount: Int64? = reader.required("amountFen", "an integer number of fen")
        let reference: String? = reader.required("reference", "the bank's reference of the payment")
        try reader.finish()
        firmID = PartyID(try reader.take(firm, "firmId"))
        amountFen = try reader.take(amount, "amountFen")
        self.reference = try reader.take(reference, "reference")
    }
}

/// `POST /v1/lots/{id}/payment`: the winner's payment as the bank received it.
struct PaymentBody: Decodable {
    var amountFen: Int64
    var reference: String

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["amountFen", "reference"])
        let amount: Int64? = reader.required("amountFen", "an integer number of fen")
        let reference: String? = reader.required("reference", "the bank's reference of the payment")
        try reader.finish()
        amountFen = try reader.take(amount, "amountFen")
        self.reference = try reader.take(reference, "reference")
    }
}

/// One watcher's place in a lot's stream: the last event written, and whether the close was.
struct LotEventStream {
    let lotID: LotID
    var last: Int64
    var ended = false

    /// The last event of a stream the server ends because it is stopping: no id (the lot's
    /// sequence is untouched), so a client reconnects elsewhere with the Last-Event-ID it has.
    static let shutdownEvent = "event: shutdown\ndata: {\"reason\":\"the server is stopping; reconnect with Last-Event-ID\"}\n\n"

    /// Writes the recorded events after `last`, page by page.
    mutating func catchUp<Store: AuctionStore>(_ auctions: AuctionService<Store>, _ writer: inout any ResponseBodyWriter) async throws {
        while !ended {
            let events = try await auctions.events(of: lotID, after: last, limit: AuctionLimits.eventsPerReadMax)
            try await write(try events.map(EncodedLotEvent.init), &writer)
            if events.count < AuctionLimits.eventsPerReadMax { return }
        }
    }

    /// Writes the events it has not written yet, each with its sequence number as its id.
    mutating func write(_ events: [EncodedLotEvent], _ writer: inout any ResponseBodyWriter) async throws {
        var text = ""
        for event in events where event.sequence > last && !ended {
            text += event.text
            last = event.sequence
            if event.isClose { ended = true }
        }
        if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
    }
}

extension HTTPField.Name {
    /// The id of the last event a reconnecting EventSource saw.
    static var lastEventID: Self { .init("Last-Event-ID")! }
}

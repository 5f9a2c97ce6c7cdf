import Foundation
import Hummingbird
import Logging
import Market
import NIOCore
import ServiceLifecycle

/// The request context of every route.
public struct AppRequestContext: RequestContext {
    /// Bodies past this are refused with 413 before they are decoded.
    public static let requestBodySizeMax = 64 * 1024

    public var coreContext: CoreRequestContextStorage
    /// The client's IP address (nil in router tests): who an anonymous request counts against.
    public var clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    public var maxUploadSize: Int { Self.requestBodySizeMax }

    public var responseEncoder: JSONEncoder { Self.jsonEncoder }

    /// Keys sorted, slashes as they are, dates in ISO 8601 (`ListingJSON` writes the same bytes).
    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}

/// Where and how the HTTP server listens.
public struct APIConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var serverName: String
    /// Public search pages kept encoded (`SearchPageCache`); 0 sends every search to the database.
    public var searchPagesMax: Int
    public var timeouts: ConnectionTimeouts
    public var fairUse: FairUseLimits

    public init(
        host: String = "127.0.0.1", port: Int = 8080, serverName: String = "techmarket",
        searchPagesMax: Int = SearchPageCache.entryCountMaxDefault, timeouts: ConnectionTimeouts = .init(),
        fairUse: FairUseLimits = .init()
    ) {
        self.host = host
        self.port = port
        self.serverName = serverName
        self.searchPagesMax = searchPagesMax
        self.timeouts = timeouts
        self.fairUse = fairUse
    }
}

/// Everything the API needs from storage.
public typealias MarketAPIStore = ReferenceDataStore & PartyStore & KeyStore & ListingStore & VoucherStore & ContractStore & OfferStore & AuctionStore & VolumeStore

/// The router with every route; tests drive it directly. `searchPages` keeps encoded public
/// search pages (nil: every search goes to the store); `fairUse` limits each caller;
/// `beforeMetricsScrape` reads the gauges that are sampled at each `GET /metrics` (the pool's).
public func buildRouter(
    store: some MarketAPIStore, searchPages: SearchPageCache? = SearchPageCache(), fairUse: FairUseLimits = .init(),
    auctions: AuctionSettings = AuctionSettings(), lotBell: (any LotEventBell)? = nil, beforeMetricsScrape: @escaping @Sendable () -> Void = {}
) -> Router<AppRequestContext> {
    // Before the first metric is made: the request metrics below are bound to it when made.
    OperatorMetrics.bootstrap()
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    // Outermost, so that every answer is counted by its route, method and final status.
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: HeadMiddleware())
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: RequestLineMiddleware())
    router.add(middleware: FairUseMiddleware(fairUse: FairUse(fairUse)))
    router.add(middleware: MethodNotAllowedMiddleware(allowed: AllowedMethods(document: OpenAPIDocument.data)))
    router.addRoutes(HealthController(store: store).endpoints, atPath: "/health")
    router.addRoutes(ReferenceDataController(store: store).regionEndpoints, atPath: "/v1/regions")
    router.addRoutes(ReferenceDataController(store: store).allianceEndpoints, atPath: "/v1/alliances")
    router.addRoutes(ReferenceDataController(store: store).fieldEndpoints, atPath: "/v1/fields")
    let parties = PartiesController(store: store)
    router.addRoutes(parties.partyEndpoints, atPath: "/v1/parties")
    router.addRoutes(parties.meEndpoints, atPath: "/v1/me")
    router.addRoutes(ListingsController(store: store, searchPages: searchPages).endpoints, atPath: "/v1/listings")
    let vouchers = VouchersController(store: store)
    router.addRoutes(vouchers.programEndpoints, atPath: "/v1/voucher-programs")
    router.addRoutes(vouchers.voucherEndpoints, atPath: "/v1/vouchers")
    router.addRoutes(vouchers.redemptionEndpoints, atPath: "/v1/redemptions")
    router.addRoutes(vouchers.settlementEndpoints, atPath: "/v1/settlements")
    router.addRoutes(ContractsController(store: store).endpoints, atPath: "/v1/contracts")
    let volume = VolumeController(store: store)
    router.addRoutes(volume.endpoints, atPath: "/v1/volume")
    router.addRoutes(volume.dashboardEndpoints, atPath: "/dashboard")
    let offers = OffersController(store: store)
    router.addRoutes(offers.listingEndpoints, atPath: "/v1/listings")
    router.addRoutes(offers.offerEndpoints, atPath: "/v1/offers")
    let auctionRoutes = AuctionsController(store: store, settings: auctions, bell: lotBell)
    router.addRoutes(auctionRoutes.sessionEndpoints, atPath: "/v1/sessions")
    router.addRoutes(auctionRoutes.lotEndpoints, atPath: "/v1/lots")
    router.addRoutes(auctionRoutes.depositEndpoints, atPath: "/v1/deposits")
    router.addRoutes(auctionRoutes.registrationEndpoints, atPath: "/v1/registrations")
    router.addRoutes(MetricsController(authenticator: Authenticator(keys: store), beforeScrape: beforeMetricsScrape).endpoints, atPath: "/metrics")
    router.get("/v1") { _, _ in APIIndex() }
    router.get("/openapi.json") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.data)))
    }
    return router
}

/// The application: the one place where a concrete store is wired to the HTTP layer.
public func buildApplication(
    configuration: APIConfiguration, store: some MarketAPIStore, logger: Logger, services: [any Service] = [],
    auctions: AuctionSettings = AuctionSettings(), lotBell: (any LotEventBell)? = nil, beforeMetricsScrape: @escaping @Sendable () -> Void = {}
) -> some ApplicationProtocol {
    let timeouts = configuration.timeouts
    var app = Application(
        router: buildRouter(
            store: store, searchPages: configuration.searchPagesMax > 0 ? SearchPageCache(entryCountMax: configuration.searchPagesMax) : nil,
            fairUse: configuration.fairUse, auctions: auctions, lotBell: lotBell, beforeMetricsScrape: beforeMetricsScrape),
        server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionGuard(timeouts: timeouts, logger: logger)])),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: configuration.serverName),
        logger: logger)
    app.addServices(services)
    return app
}

/// `GET /v1`: where things are. Static: it touches no database, so it is also the baseline that
/// benchmarks compare the other endpoints with.
struct APIIndex: ResponseEncodable {
    var name = "TechMarket"
    var version = "v1"
    var documentation = "/openapi.json"
    var links = [
        "regions": "/v1/regions", "alliances": "/v1/alliances", "fields": "/v1/fields", "parties": "/v1/parties",
        "me": "/v1/me", "listings": "/v1/listings", "health": "/health", "volume": "/v1/volume", "dashboard": "/dashboard",
    ]
}

import Hummingbird
import Market

/// `GET /health`: 200 when the database answers, 503 when it does not.
struct HealthController<Store: ReferenceDataStore> {
    let store: Store

    struct HealthResponse: ResponseEncodable {
        struct Database: Encodable {
            var reachable: Bool
            var latencyMs: Double?
            var serverVersion: String?
            var error: String?
        }
        var status: String
        var database: Database
    }

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get { _, _ -> EditedResponse<HealthResponse> in
            let health = await store.health()
            let body = HealthResponse(
                status: health.isReachable ? "ok" : "unavailable",
                database: .init(
                    reachable: health.isReachable, latencyMs: health.latencyMs, serverVersion: health.serverVersion,
                    error: health.error))
            return EditedResponse(status: health.isReachable ? .ok : .serviceUnavailable, response: body)
        }
    }
}

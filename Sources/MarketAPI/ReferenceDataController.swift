import Hummingbird
import Market

/// Regions, alliances and technical fields: read-only reference data.
struct ReferenceDataController<Store: ReferenceDataStore> {
    let store: Store

    struct Page<Item: Encodable & Sendable>: ResponseEncodable {
        var items: [Item]
    }

    var regionEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get { request, _ in
            Page(items: try await store.regions(try Self.regionQuery(request)))
        }
        routes.get(":code") { _, context in
            let text = try context.parameters.require("code")
            guard let code = RegionCode(text) else {
                throw Problem.invalid([.init(field: "code", message: "must be a six-digit GB/T 2260 region code")])
            }
            guard let region = try await store.region(code) else {
                throw Problem.notFound("no region with code \(code)")
            }
            return region
        }
        return routes
    }

    var allianceEndpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get { _, _ in
            Page(items: try await store.alliances())
        }
    }

    var fieldEndpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get { _, _ in
            Page(items: try await store.fields())
        }
    }

    static func regionQuery(_ request: Request) throws -> RegionQuery {
        var query = RegionQuery()
        var errors: [Problem.FieldError] = []
        for (key, value) in request.uri.queryParameters {
            switch key {
            case "parent":
                if let code = RegionCode(String(value)) { query.parentCode = code }
                else { errors.append(.init(field: "parent", message: "must be a six-digit GB/T 2260 region code")) }
            case "alliance":
                if value.count <= 32, !value.isEmpty { query.allianceCode = String(value) }
                else { errors.append(.init(field: "alliance", message: "must be an alliance code of 1 to 32 characters")) }
            case "level":
                if let level = Region.Level(rawValue: String(value)) { query.level = level }
                else { errors.append(.init(field: "level", message: "must be one of province, city, county")) }
            default:
                // An empty or odd name is named as a body's odd key is (`[""]`), never as "".
                errors.append(.init(field: FieldPath.appending(key: String(key), to: ""), message: "is not a known parameter (parent, alliance, level)"))
            }
        }
        if !errors.isEmpty { throw Problem.invalid(errors) }
        return query
    }
}

extension Region: ResponseEncodable {}

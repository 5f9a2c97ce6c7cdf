/// The state of the database as the health check sees it.
public struct DatabaseHealth: Sendable, Equatable {
    public var isReachable: Bool
    public var latencyMs: Double?
    public var serverVersion: String?
    public var error: String?

    public init(isReachable: Bool, latencyMs: Double? = nil, serverVersion: String? = nil, error: String? = nil) {
        self.isReachable = isReachable
        self.latencyMs = latencyMs
        self.serverVersion = serverVersion
        self.error = error
    }
}

/// Filters for listing regions.
public struct RegionQuery: Sendable, Equatable {
    /// Only the direct children of this region.
    public var parentCode: RegionCode?
    /// Only regions inside this alliance (members and their descendants).
    public var allianceCode: String?
    public var level: Region.Level?

    public init(parentCode: RegionCode? = nil, allianceCode: String? = nil, level: Region.Level? = nil) {
        self.parentCode = parentCode
        self.allianceCode = allianceCode
        self.level = level
    }
}

/// The storage port for reference data and health. Adapters (PostgreSQL) implement it.
public protocol ReferenceDataStore: Sendable {
    /// Reports whether the database answers.
    func health() async -> DatabaseHealth
    /// Lists regions matching the query, ordered by code.
    func regions(_ query: RegionQuery) async throws -> [Region]
    /// Looks up one region.
    func region(_ code: RegionCode) async throws -> Region?
    /// Lists alliances with their members, ordered by code.
    func alliances() async throws -> [Alliance]
    /// Lists technical fields in taxonomy order.
    func fields() async throws -> [TechnicalField]
    /// Inserts or updates the reference data; running it twice changes nothing.
    func upsert(_ data: ReferenceData) async throws
}

/// The store cannot be reached right now (the database is down or every connection is busy);
/// the request may succeed if retried later.
public struct StoreUnavailable: Error, Sendable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String { "the database is unavailable: \(reason)" }
}

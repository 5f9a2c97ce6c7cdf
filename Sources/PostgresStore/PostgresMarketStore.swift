import Foundation
import Market
import Postgres

/// The PostgreSQL adapter of Market's storage ports.
public final class PostgresMarketStore: ReferenceDataStore {
    public let pool: PostgresPool
    /// Callers of API keys kept in the server (nil: every request looks its key up).
    public let keyCache: KeyCache?

    public init(pool: PostgresPool, keyCache: KeyCache? = nil) {
        self.pool = pool
        self.keyCache = keyCache
    }

    public func health() async -> DatabaseHealth {
        let started = ContinuousClock.now
        do {
            let version = try await pool.withConnection { connection in
                try connection.query("SHOW server_version")[0].decode("server_version", as: String.self)
            }
            let elapsed = ContinuousClock.now - started
            let latencyMs = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            return DatabaseHealth(isReachable: true, latencyMs: latencyMs, serverVersion: version)
        } catch {
            // Say what kind of failure, not the server's text (it can name hosts and paths).
            let reason = (error as? PostgresError).map { $0.kind == .poolTimeout ? "no free connection" : "no connection to the database" }
            return DatabaseHealth(isReachable: false, error: reason ?? "the database check failed")
        }
    }

    public func regions(_ query: RegionQuery) async throws -> [Region] {
        try await available { try await self.pool.withConnection { connection in
            // An alliance covers its member regions and everything below them.
            let rows = try connection.query(
                """
                WITH RECURSIVE in_alliance AS (
                    SELECT region_code AS code FROM alliance_members WHERE alliance_code = $2
                    UNION
                    SELECT r.code FROM regions r JOIN in_alliance a ON r.parent_code = a.code
                )
                SELECT code, name, name_en, level, parent_code FROM regions
                WHERE ($1::text IS NULL OR parent_code = $1)
                  AND ($2::text IS NULL OR code IN (SELECT code FROM in_alliance))
                  AND ($3::text IS NULL OR level = $3)
                ORDER BY code
                """,
                query.parentCode?.value, query.allianceCode, query.level?.rawValue)
            return try rows.map(Self.region)
        } }
    }

    public func region(_ code: RegionCode) async throws -> Region? {
        try await available { try await self.pool.withConnection { connection in
            try connection.query("SELECT code, name, name_en, level, parent_code FROM regions WHERE code = $1", code.value)
                .first.map(Self.region)
        } }
    }

    public func alliances() async throws -> [Alliance] {
        try await available { try await self.pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT a.code, a.name, a.name_en,
                       coalesce(string_agg(m.region_code, ',' ORDER BY m.region_code), '') AS members
                FROM alliances a LEFT JOIN alliance_members m ON m.alliance_code = a.code
                GROUP BY a.code ORDER BY a.code
                """)
            return try rows.map { row in
                Alliance(
                    code: try row.decode("code"), name: try row.decode("name"), nameEn: try row.decode("name_en"),
                    members: try row.decode("members", as: String.self).split(separator: ",").compactMap { RegionCode(String($0)) })
            }
        } }
    }

    public func fields() async throws -> [TechnicalField] {
        try await available { try await self.pool.withConnection { connection in
            try connection.query("SELECT code, name, name_en, plan_direction FROM fields ORDER BY sort_order, code").map { row in
                TechnicalField(
                    code: try row.decode("code"), name: try row.decode("name"), nameEn: try row.decode("name_en"),
                    planDirection: try row.decode("plan_direction"))
            }
        } }
    }

    /// The JSON columns' coder, set up once: setting one up costs more than a row's JSON.
    static let jsonDecoder = JSONDecoder()
    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// `value` as JSON text, for a jsonb parameter.
    static func jsonText<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try jsonEncoder.encode(value), as: UTF8.self)
    }

    /// Runs a read, turning a database that cannot be reached into `StoreUnavailable` (503).
    func available<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError where error.isConnectionLost || error.kind == .poolTimeout {
            throw StoreUnavailable(reason: error.kind == .poolTimeout ? "no free connection" : "no connection to the database")
        }
    }

    public func upsert(_ data: ReferenceData) async throws {
        try data.validate()
        try await pool.withTransaction { connection in try Self.upsert(data, on: connection) }
    }

    /// Writes the reference data on `connection`, inside the caller's transaction.
    public static func upsert(_ data: ReferenceData, on connection: PostgresConnection) throws {
        for region in data.regionsParentsFirst {
            try connection.query(
                """
                INSERT INTO regions (code, name, name_en, level, parent_code) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
                    level = excluded.level, parent_code = excluded.parent_code
                """,
                region.code.value, region.name, region.nameEn, region.level.rawValue, region.parentCode?.value)
        }
        for alliance in data.alliances {
            try connection.query(
                """
                INSERT INTO alliances (code, name, name_en) VALUES ($1, $2, $3)
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en
                """,
                alliance.code, alliance.name, alliance.nameEn)
            // The fixture is the whole truth about membership: members it no longer names go.
            try connection.query(
                "DELETE FROM alliance_members WHERE alliance_code = $1 AND NOT (region_code = ANY (string_to_array($2, ',')))",
                alliance.code, alliance.members.map(\.value).joined(separator: ","))
            for member in alliance.members {
                try connection.query(
                    "INSERT INTO alliance_members (alliance_code, region_code) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    alliance.code, member.value)
            }
        }
        for (index, field) in data.fields.enumerated() {
            try connection.query(
                """
                INSERT INTO fields (code, name, name_en, plan_direction, sort_order) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
                    plan_direction = excluded.plan_direction, sort_order = excluded.sort_order
                """,
                field.code, field.name, field.nameEn, field.planDirection, index)
        }
    }

    static func region(_ row: PostgresRow) throws -> Region {
        let code: String = try row.decode("code")
        let level: String = try row.decode("level")
        let parent = try row.decode("parent_code", as: String?.self)
        guard let regionCode = RegionCode(code), let regionLevel = Region.Level(rawValue: level) else {
            throw PostgresDecodingError.invalidValue(column: "code/level", expected: "region", text: "\(code)/\(level)")
        }
        return Region(
            code: regionCode, name: try row.decode("name"), nameEn: try row.decode("name_en"), level: regionLevel,
            parentCode: parent.flatMap(RegionCode.init))
    }
}

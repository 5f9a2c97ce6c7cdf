import Foundation
import Market
import Postgres

extension PostgresMarketStore: PartyStore {
    static let partyColumns = "id, handle, kind, name, name_en, region_code, credit_code, group_code, created_at"

    public func party(_ id: PartyID) async throws -> Party? {
        try await available { try await self.pool.withConnection { connection in
            try connection.query("SELECT \(Self.partyColumns) FROM parties WHERE id = $1", id.value).first.map(Self.party)
        } }
    }

    public func party(handle: String) async throws -> Party? {
        try await available { try await self.pool.withConnection { connection in
            try Self.party(handle: handle, on: connection)
        } }
    }

    public func parties(_ query: PartyQuery) async throws -> [Party] {
        try await available { try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT \(Self.partyColumns) FROM parties
                WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR region_code = $2) AND id > $3::bigint
                ORDER BY id LIMIT $4::bigint
                """,
                query.kind?.rawValue, query.regionCode?.value, query.after?.value ?? 0, Int64(query.limit)
            ).map(Self.party)
        } }
    }

    public func register(_ party: NewParty) async throws -> Party {
        let party = try party.validated()
        return try await available { try await self.pool.withTransaction { connection in
            try Self.register(party, on: connection, replacing: false)
        } }
    }

    /// Inserts a participant, or with `replacing` updates the one with the same handle (fixtures).
    static func register(_ party: NewParty, on connection: PostgresConnection, replacing: Bool) throws -> Party {
        let conflict = replacing
            ? """
              ON CONFLICT (handle) DO UPDATE SET kind = excluded.kind, name = excluded.name, name_en = excluded.name_en,
                  region_code = excluded.region_code, credit_code = excluded.credit_code, group_code = excluded.group_code
              """
            : ""
        do {
            return try connection.query(
                """
                INSERT INTO parties (handle, kind, name, name_en, region_code, credit_code, group_code)
                VALUES ($1, $2, $3, $4, $5, $6, $7) \(conflict)
                RETURNING \(partyColumns)
                """,
                party.handle, party.kind.rawValue, party.name, party.nameEn, party.regionCode.value, party.creditCode,
                party.groupCode
            )[0].decode(as: Self.party)
        } catch let error as PostgresError where error.isUniqueViolation {
            if error.constraint?.contains("credit_code") == true {
                throw MarketError.duplicate(field: "creditCode", message: "a participant with this credit code is already registered")
            }
            throw MarketError.duplicate(field: "handle", message: "the handle \(party.handle) is taken")
        } catch let error as PostgresError where error.isForeignKeyViolation {
            if error.constraint?.contains("group_code") == true {
                throw MarketError.invalid([.rule("groupCode", "is not a known controller group")])
            }
            throw MarketError.invalid([.rule("regionCode", "is not a known region (see /v1/regions)")])
        }
    }

    /// The participants of `ids` that exist, by id, in one statement.
    static func parties(_ ids: [PartyID], on connection: PostgresConnection) throws -> [PartyID: Party] {
        let rows = try connection.query(
            "SELECT \(partyColumns) FROM parties WHERE id = ANY (string_to_array($1, ',')::bigint[])",
            ids.map { String($0.value) }.joined(separator: ","))
        var parties: [PartyID: Party] = [:]
        for row in rows {
            let party = try Self.party(row)
            parties[party.id] = party
        }
        return parties
    }

    static func party(handle: String, on connection: PostgresConnection) throws -> Party? {
        try connection.query("SELECT \(partyColumns) FROM parties WHERE handle = $1", handle).first.map(Self.party)
    }

    static func party(_ row: PostgresRow) throws -> Party {
        let kindText: String = try row.decode("kind")
        let regionText: String = try row.decode("region_code")
        guard let kind = PartyKind(rawValue: kindText), let region = RegionCode(regionText) else {
            throw PostgresDecodingError.invalidValue(column: "kind/region_code", expected: "party", text: "\(kindText)/\(regionText)")
        }
        return Party(
            id: PartyID(try row.decode("id")), handle: try row.decode("handle"), kind: kind, name: try row.decode("name"),
            nameEn: try row.decode("name_en", as: String?.self), regionCode: region,
            creditCode: try row.decode("credit_code", as: String?.self), groupCode: try row.decode("group_code", as: String?.self),
            createdAt: try row.decode("created_at"))
    }
}

extension PostgresRow {
    /// Decodes the row with a function, for `rows[0].decode(as: Self.party)`.
    func decode<T>(as transform: (PostgresRow) throws -> T) throws -> T { try transform(self) }
}

extension PostgresMarketStore: KeyStore {
    public func principal(forKey key: String) async throws -> Principal? {
        guard APIKeyText.isWellFormed(key) else { return nil }
        let digest = SHA256.digest(Array(key.utf8))
        var ticket: KeyCache.Ticket?
        switch keyCache?.lookup(keyHash: digest) {
        case .kept(let principal): return principal
        case .missed(let missed): ticket = missed
        case nil: break
        }
        let hash = PostgresBytes(digest)
        let principal = try await available { try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT k.id, k.role, k.party_id, p.region_code FROM api_keys k LEFT JOIN parties p ON p.id = k.party_id
                WHERE k.key_hash = $1 AND k.revoked_at IS NULL
                """,
                hash
            ).first.map { row in
                Principal(
                    keyID: try row.decode("id"), role: try Self.role(row), partyID: try row.decode("party_id", as: Int64?.self).map(PartyID.init),
                    regionCode: try row.decode("region_code", as: String?.self).flatMap(RegionCode.init))
            }
        } }
        if let principal, let ticket { keyCache?.keep(principal, forKeyHash: digest, ticket) }
        return principal
    }

    static func role(_ row: PostgresRow) throws -> Role {
        let text: String = try row.decode("role")
        guard let role = Role(rawValue: text) else {
            throw PostgresDecodingError.invalidValue(column: "role", expected: "a key role", text: text)
        }
        return role
    }

    public func issueKey(role: Role, party: PartyID?, label: String) async throws -> (key: String, info: APIKeyInfo) {
        let key = APIKeyText.generate()
        return (key, try await installKey(key, role: role, party: party, label: label))
    }

    public func installKey(_ key: String, role: Role, party: PartyID?, label: String) async throws -> APIKeyInfo {
        try await available { try await self.pool.withTransaction { connection in
            try Self.installKey(key, role: role, party: party, label: label, on: connection)
        } }
    }

    static func installKey(_ key: String, role: Role, party: PartyID?, label: String, on connection: PostgresConnection) throws -> APIKeyInfo {
        let holder = try party.flatMap { id in
            try connection.query("SELECT kind, handle FROM parties WHERE id = $1", id.value).first.map { row in
                (kind: PartyKind(rawValue: try row.decode("kind")), handle: try row.decode("handle", as: String.self))
            }
        }
        try APIKeyRules.check(key: key, role: role, partyID: party, holder: holder, label: label)
        let handle = holder?.handle
        let hash = PostgresBytes(SHA256.digest(Array(key.utf8)))
        let inserted = try connection.query(
            """
            INSERT INTO api_keys (key_hash, hint, role, party_id, label) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (key_hash) DO NOTHING RETURNING id
            """,
            hash, APIKeyText.hint(key), role.rawValue, party?.value, label)
        let id: Int64
        if let row = inserted.first {
            id = try row.decode("id")
        } else {
            let existing = try connection.query("SELECT id, role, party_id FROM api_keys WHERE key_hash = $1", hash)[0]
            guard try existing.decode("role", as: String.self) == role.rawValue,
                  try existing.decode("party_id", as: Int64?.self) == party?.value
            else { throw MarketError.duplicate(field: "key", message: "this key is already installed for another participant or role") }
            id = try existing.decode("id")
        }
        return APIKeyInfo(id: id, hint: APIKeyText.hint(key), role: role, partyID: party, partyHandle: handle, label: label, isRevoked: false)
    }

    public func revokeKey(id: Int64) async throws -> Bool {
        try await available { try await self.pool.withConnection { connection in
            try connection.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id", id).count == 1
        } }
    }

    public func keys() async throws -> [APIKeyInfo] {
        try await available { try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT k.id, k.hint, k.role, k.party_id, p.handle, k.label, k.revoked_at IS NOT NULL AS revoked
                FROM api_keys k LEFT JOIN parties p ON p.id = k.party_id ORDER BY k.id
                """
            ).map { row in
                APIKeyInfo(
                    id: try row.decode("id"), hint: try row.decode("hint"), role: try Self.role(row),
                    partyID: try row.decode("party_id", as: Int64?.self).map(PartyID.init),
                    partyHandle: try row.decode("handle", as: String?.self), label: try row.decode("label"),
                    isRevoked: try row.decode("revoked"))
            }
        } }
    }
}

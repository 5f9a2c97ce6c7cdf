import Foundation
import Market
import Postgres

extension PostgresMarketStore: VolumeStore {
    public func volumeTransaction<T: Sendable, R>(
        _ record: IdempotencyRecord<R>?, _ body: @escaping @Sendable (PostgresVolumeWork) throws -> T
    ) async throws -> T {
        try await moneyTransaction(record) { connection in try body(PostgresVolumeWork(connection: connection)) }
    }

    public func volumeRead<T: Sendable>(_ body: @escaping @Sendable (PostgresVolumeWork) throws -> T) async throws -> T {
        try await available { try await self.pool.withConnection { connection in try body(PostgresVolumeWork(connection: connection)) } }
    }

    public func volumeSnapshot<T: Sendable>(_ body: @escaping @Sendable (PostgresVolumeWork) throws -> T) async throws -> T {
        try await available {
            try await self.pool.withTransaction(isolation: .repeatableRead) { connection in try body(PostgresVolumeWork(connection: connection)) }
        }
    }

    /// Adds an act's running totals (`VolumeRules.cells`, merged and in key order) in the
    /// transaction that writes the act: one statement, sent with the next.
    static func addVolume(_ cells: [VolumeCell], on connection: PostgresConnection) throws {
        guard !cells.isEmpty else { return }
        try connection.send(
            """
            INSERT INTO volume_cells (region_code, day, dimension, value, total_fen, seller_fen, buyer_fen, contract_count)
            SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])
            ON CONFLICT (region_code, day, dimension, value) DO UPDATE SET
                total_fen = volume_cells.total_fen + excluded.total_fen, seller_fen = volume_cells.seller_fen + excluded.seller_fen,
                buyer_fen = volume_cells.buyer_fen + excluded.buyer_fen, contract_count = volume_cells.contract_count + excluded.contract_count
            """,
            textArray(cells.map(\.key.region.value)), textArray(cells.map(\.key.day.text)), textArray(cells.map(\.key.dimension.rawValue)),
            textArray(cells.map(\.key.value)), textArray(cells.map { String($0.sides.totalFen) }),
            textArray(cells.map { String($0.sides.sellerFen) }), textArray(cells.map { String($0.sides.buyerFen) }),
            textArray(cells.map { String($0.sides.contractCount) }))
    }

    /// The running totals of a contract version that counts, written with it.
    static func addVolume(of version: ContractVersion, _ contract: Contract, on connection: PostgresConnection) throws {
        guard let act = VolumeRules.act(of: version, contract) else { return }
        let cells = VolumeRules.cells(
            for: act, sellerAncestry: try ancestry(act.sellerRegion, on: connection), buyerAncestry: try ancestry(act.buyerRegion, on: connection))
        try addVolume(VolumeRules.merged(cells), on: connection)
    }

    /// Adds the acts of the contracts with ids from `first` to `last`, written by a bulk load,
    /// to the running totals in SQL (`volume_add_acts`, Schema/0016).
    static func addVolume(contractIDs first: Int64, _ last: Int64, on connection: PostgresConnection) throws {
        _ = try connection.query("SELECT volume_add_acts($1::bigint, $2::bigint)", first, last)
    }
}

/// The volume use cases' reads and writes on one connection: SQL and row mapping only.
public final class PostgresVolumeWork: VolumeWork {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    typealias Store = PostgresMarketStore

    public func keep<R>(_ record: IdempotencyRecord<R>?, _ result: R) throws {
        try Store.keep(record, result, on: connection)
    }

    public func regionAncestry(_ code: RegionCode) throws -> [Region] {
        try connection.query(
            """
            WITH RECURSIVE up AS (
                SELECT code, name, name_en, level, parent_code, 0 AS depth FROM regions WHERE code = $1
                UNION ALL
                SELECT r.code, r.name, r.name_en, r.level, r.parent_code, up.depth + 1 FROM regions r JOIN up ON r.code = up.parent_code
                WHERE up.depth < 8)
            SELECT code, name, name_en, level, parent_code FROM up ORDER BY depth
            """,
            code.value
        ).map(Store.region)
    }

    public func regionTree() throws -> RegionTree {
        RegionTree(try connection.query("SELECT code, parent_code FROM regions").compactMap { row in
            guard let code = RegionCode(try row.decode("code")) else { return nil }
            return (code, try row.decode("parent_code", as: String?.self).flatMap(RegionCode.init))
        })
    }

    public func fieldNames() throws -> [String: String] {
        var names: [String: String] = [:]
        for row in try connection.query("SELECT code, name FROM fields") { names[try row.decode("code")] = try row.decode("name") }
        return names
    }

    public func volumeMonths(region: RegionCode, from: Day, through: Day) throws -> [VolumeMonth] {
        // Rolled up here rather than in Swift: a few dozen rows cross the wire instead of every day since 2020.
        try connection.query(
            """
            SELECT extract(year FROM day)::bigint AS year, extract(month FROM day)::bigint AS month,
                   sum(total_fen)::bigint AS total_fen, sum(seller_fen)::bigint AS seller_fen, sum(buyer_fen)::bigint AS buyer_fen,
                   sum(contract_count)::bigint AS contract_count,
                   coalesce(sum(total_fen) FILTER (WHERE same_day), 0)::bigint AS same_total_fen,
                   coalesce(sum(seller_fen) FILTER (WHERE same_day), 0)::bigint AS same_seller_fen,
                   coalesce(sum(buyer_fen) FILTER (WHERE same_day), 0)::bigint AS same_buyer_fen,
                   coalesce(sum(contract_count) FILTER (WHERE same_day), 0)::bigint AS same_contract_count
            FROM (SELECT day, total_fen, seller_fen, buyer_fen, contract_count,
                         extract(month FROM day) * 100 + extract(day FROM day) <= $4::integer AS same_day
                  FROM volume_cells WHERE region_code = $1 AND dimension = 'total' AND day BETWEEN $2::date AND $3::date) d
            GROUP BY 1, 2 ORDER BY 1, 2
            """,
            region.value, from.text, through.text, Int64(VolumeRules.monthDay(through))
        ).map { row in
            VolumeMonth(
                year: try row.decode("year"), month: try row.decode("month"), sides: try Self.sides(row),
                sidesBySameDay: VolumeSides(
                    totalFen: try row.decode("same_total_fen"), sellerFen: try row.decode("same_seller_fen"),
                    buyerFen: try row.decode("same_buyer_fen"), contractCount: try row.decode("same_contract_count")))
        }
    }

    public func volumeShares(region: RegionCode, from: Day, through: Day) throws -> [VolumeShare] {
        try connection.query(
            """
            SELECT dimension, value, sum(total_fen)::bigint AS total_fen, sum(seller_fen)::bigint AS seller_fen,
                   sum(buyer_fen)::bigint AS buyer_fen, sum(contract_count)::bigint AS contract_count
            FROM volume_cells WHERE region_code = $1 AND dimension <> 'total' AND day BETWEEN $2::date AND $3::date
            GROUP BY dimension, value
            """,
            region.value, from.text, through.text
        ).map { row in
            VolumeShare(dimension: try Store.enumValue(row, "dimension"), value: try row.decode("value"), sides: try Self.sides(row))
        }
    }

    public func latestRegistrations(region: RegionCode, through: Day, limit: Int) throws -> [(VolumeAct, registrationNumber: String)] {
        try connection.query(
            """
            SELECT v.act, v.registration_revision, v.registered_on::text AS registered_on, v.counted_delta_fen, v.seller_region,
                   v.buyer_region, v.field_code, v.type, v.registration_number
            FROM contract_versions v
            WHERE v.registration_number IS NOT NULL AND v.act IN ('registered_directly', 'registered') AND v.registered_on <= $2::date
              AND (v.seller_region = ANY (region_and_below($1)) OR v.buyer_region = ANY (region_and_below($1)))
            ORDER BY v.registered_on DESC, v.contract_id DESC, v.version DESC LIMIT $3
            """,
            region.value, through.text, Int64(limit)
        ).compactMap { row in
            try Self.act(row).map { ($0, registrationNumber: try row.decode("registration_number")) }
        }
    }

    public func currentTargets(region: RegionCode) throws -> [Int: VolumeTarget] {
        var targets: [Int: VolumeTarget] = [:]
        for row in try connection.query(
            "\(Self.targetSelect) WHERE region_code = $1 ORDER BY year, revision", region.value)
        {
            let target = try Self.target(row)
            targets[target.year] = target
        }
        return targets
    }

    public func targets(region: RegionCode?, page: PageRequest) throws -> [VolumeTarget] {
        try connection.query(
            "\(Self.targetSelect) WHERE ($1::text IS NULL OR region_code = $1) AND id > $2 ORDER BY id LIMIT $3",
            region?.value, page.afterID ?? 0, Int64(page.limit)
        ).map(Self.target)
    }

    public func lockedCurrentTarget(region: RegionCode, year: Int) throws -> VolumeTarget? {
        // One setter of a region's year at a time draws the next revision.
        try connection.query("SELECT pg_advisory_xact_lock(hashtext($1))", "volume-target \(region.value) \(year)")
        return try connection.query(
            "\(Self.targetSelect) WHERE region_code = $1 AND year = $2 ORDER BY revision DESC LIMIT 1", region.value, Int64(year)
        ).first.map(Self.target)
    }

    /// Keeps the target with its author: what the role, participant and key were, not a decision on them.
    public func insertTarget(_ request: VolumeTargetRequest, by author: Principal, at now: Date) throws -> VolumeTarget {
        try Self.target(try connection.query(
            """
            INSERT INTO volume_targets (region_code, year, revision, target_fen, note, set_by_role, set_by_party_id, set_by_key_id, set_at)
            SELECT $1, $2::integer, coalesce(max(revision), 0) + 1, $3::bigint, $4, $5, $6::bigint, $7::bigint, $8
            FROM volume_targets WHERE region_code = $1 AND year = $2::integer
            RETURNING \(Self.targetColumns)
            """,
            request.regionCode.value, Int64(request.year), request.targetFen, request.note, author.role.rawValue, author.partyID?.value,
            author.keyID, now)[0])
    }

    public func countedActs(after: VolumeActPage.Cursor?, limit: Int) throws -> VolumeActPage {
        let rows = try connection.query(
            """
            SELECT v.contract_id, v.version, v.act, v.registration_revision, v.registered_on::text AS registered_on, v.counted_delta_fen,
                   v.seller_region, v.buyer_region, v.field_code, v.type
            FROM contract_versions v
            WHERE v.registration_number IS NOT NULL AND v.act IN ('registered_directly', 'registered', 'terminated')
              AND (v.contract_id, v.version) > ($1::bigint, $2::integer)
            ORDER BY v.contract_id, v.version LIMIT $3
            """,
            after?.contract ?? 0, Int64(after?.version ?? 0), Int64(limit))
        var acts: [VolumeAct] = []
        var last: VolumeActPage.Cursor?
        for row in rows {
            if let act = try Self.act(row) { acts.append(act) }
            last = VolumeActPage.Cursor(contract: try row.decode("contract_id"), version: try row.decode("version"))
        }
        return VolumeActPage(acts: acts, next: rows.count == limit ? last : nil)
    }

    public func storedCells() throws -> [VolumeCell] {
        try connection.query(
            "SELECT region_code, day::text AS day, dimension, value, total_fen, seller_fen, buyer_fen, contract_count FROM volume_cells"
        ).map { row in
            VolumeCell(
                key: .init(
                    region: try Store.regionCode(row, "region_code"), day: try Store.day(row, "day"), dimension: try Store.enumValue(row, "dimension"),
                    value: try row.decode("value")),
                sides: try Self.sides(row))
        }
    }

    public func lockCells() throws {
        try connection.execute("LOCK TABLE volume_cells IN EXCLUSIVE MODE")
    }

    public func replaceCells(_ cells: [VolumeCell]) throws {
        try connection.execute("DELETE FROM volume_cells")
        var rows = CSVRows()
        for cell in cells {
            rows.append([
                cell.key.region.value, cell.key.day.text, cell.key.dimension.rawValue, cell.key.value, String(cell.sides.totalFen),
                String(cell.sides.sellerFen), String(cell.sides.buyerFen), String(cell.sides.contractCount),
            ])
        }
        guard !cells.isEmpty else { return }
        _ = try connection.copyIn(
            "COPY volume_cells (region_code, day, dimension, value, total_fen, seller_fen, buyer_fen, contract_count) FROM STDIN (FORMAT csv)",
            data: rows.bytes)
    }

    // MARK: - Rows

    static func sides(_ row: PostgresRow) throws -> VolumeSides {
        VolumeSides(
            totalFen: try row.decode("total_fen"), sellerFen: try row.decode("seller_fen"), buyerFen: try row.decode("buyer_fen"),
            contractCount: try row.decode("contract_count"))
    }

    static func act(_ row: PostgresRow) throws -> VolumeAct? {
        VolumeRules.act(
            try Store.enumValue(row, "act"), revision: try row.decode("registration_revision"), registeredOn: try Store.day(row, "registered_on"),
            deltaFen: try row.decode("counted_delta_fen"), sellerRegion: try Store.regionCode(row, "seller_region"),
            buyerRegion: try Store.regionCode(row, "buyer_region"), fieldCode: try row.decode("field_code"), type: try Store.enumValue(row, "type"))
    }

    static let targetColumns = "id, region_code, year, revision, target_fen, note, set_by_role, set_by_party_id, set_at"
    static let targetSelect = "SELECT \(targetColumns) FROM volume_targets"

    static func target(_ row: PostgresRow) throws -> VolumeTarget {
        VolumeTarget(
            id: try row.decode("id"), regionCode: try Store.regionCode(row, "region_code"), year: try row.decode("year"),
            targetFen: try row.decode("target_fen"), note: try row.decode("note", as: String?.self), revision: try row.decode("revision"),
            setByRole: try Store.enumValue(row, "set_by_role"), setByPartyID: try row.decode("set_by_party_id", as: Int64?.self).map(PartyID.init),
            setAt: try row.decode("set_at"))
    }
}

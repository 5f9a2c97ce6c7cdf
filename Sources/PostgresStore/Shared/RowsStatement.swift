import Postgres

/// Several rows of one table in one statement: PostgreSQL's fixed work per statement (parse,
/// plan, executor start, the table's CHECKs and triggers set up) is paid once for all of them
/// (docs/offers.md, "Offers that commit together").
extension PostgresMarketStore {
    /// The most parameters one statement may carry: the wire protocol counts them in 16 bits.
    static let parametersPerStatementMax = 65_535

    /// Queues `head`, then the rows' placeholders — `($1, $2::bigint), ($3, $4::bigint)`, one
    /// cast (or "") a column — then `tail`: as many statements as the parameters need, in the
    /// rows' order. Nothing is sent for no rows.
    static func sendRows(
        _ head: String, casts: [String], _ rows: [[any PostgresEncodable]], tail: String = "", on connection: PostgresConnection
    ) throws {
        let perStatement = parametersPerStatementMax / casts.count
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            var placeholders: [String] = []
            placeholders.reserveCapacity(chunk.count)
            var parameters: [any PostgresEncodable] = []
            parameters.reserveCapacity(chunk.count * casts.count)
            for row in chunk {
                precondition(row.count == casts.count, "a row of \(row.count) values for \(casts.count) columns")
                let first = parameters.count + 1
                placeholders.append("(" + casts.enumerated().map { "$\(first + $0.offset)\($0.element)" }.joined(separator: ", ") + ")")
                parameters += row
            }
            try connection.send("\(head) \(placeholders.joined(separator: ", "))\(tail)", parameters: parameters)
            start += chunk.count
        }
    }
}

import Foundation

/// Deqing's contract history (Fixtures/contract-history.csv, written by
/// scripts/generate-contract-history): one row per act, a contract's first row registering it
/// directly with every field, later rows changing, registering again or terminating it. Each
/// contract is played through `ContractRules`, so the history holds only what the rules allow.
public struct ContractHistoryFixture: Sendable {
    public static let fileName = "contract-history.csv"

    /// One act of the file, as written.
    public struct Row: Sendable {
        public var key: String
        public var act: ContractVersion.Act
        public var on: Day
        public var fields: [String: String]
    }

    public var rows: [Row]

    public static func load(from directory: URL) throws -> ContractHistoryFixture {
        let url = directory.appendingPathComponent(fileName)
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch { throw FixtureError.unreadable(file: url.path, reason: "\(error)") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).makeIterator()
        guard let header = lines.next()?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else {
            throw FixtureError.invalid("\(fileName): empty")
        }
        var rows: [Row] = []
        var number = 1
        while let line = lines.next() {
            number += 1
            let values = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard values.count == header.count else { throw FixtureError.invalid("\(fileName):\(number): \(values.count) fields, not \(header.count)") }
            let fields = Dictionary(uniqueKeysWithValues: zip(header, values).filter { !$0.1.isEmpty })
            guard let key = fields["key"], let act = fields["act"].flatMap(ContractVersion.Act.init(rawValue:)), let on = fields["on"].flatMap(Day.init)
            else { throw FixtureError.invalid("\(fileName):\(number): no key, act or day") }
            rows.append(Row(key: key, act: act, on: on, fields: fields))
        }
        return ContractHistoryFixture(rows: rows)
    }

    /// Every contract with its versions, its ids from `firstID` on in the order of first
    /// registration; `partyIDs` names the participants the file refers to by handle.
    public func contracts(firstID: Int64, partyIDs: [String: PartyID]) throws -> [ContractHistory] {
        var histories: [ContractHistory] = []
        var index: [String: Int] = [:]
        for row in rows {
            let line = "\(Self.fileName) \(row.key) \(row.act.rawValue) \(row.on)"
            do {
                if row.act == .registeredDirectly {
                    guard index[row.key] == nil else { throw FixtureError.invalid("registered twice") }
                    let draft = try Self.draft(row, partyIDs: partyIDs)
                    guard let number = row.fields["number"], ContractRules.isRegistrationNumber(number),
                          let region = RegionCode(String(number.dropFirst(4).prefix(6)))
                    else { throw FixtureError.invalid("no registration number") }
                    let (contract, version) = try ContractRules.registerDirectly(
                        draft, id: ContractID(firstID + Int64(histories.count)), number: number, region: region, today: row.on, missing: [],
                        by: .regulator, at: Self.time(row.on))
                    index[row.key] = histories.count
                    histories.append(ContractHistory(contract: contract, versions: [version]))
                    continue
                }
                guard let at = index[row.key] else { throw FixtureError.invalid("an act before the contract's registration") }
                let contract = histories[at].contract
                guard let region = contract.registration?.regionCode else { throw FixtureError.invalid("not registered") }
                let next: (Contract, ContractVersion)
                switch row.act {
                case .changed:
                    guard let total = row.fields["totalFen"].flatMap(Int64.init) else { throw FixtureError.invalid("a change without totalFen") }
                    next = try ContractRules.change(
                        contract, to: ContractTerms(title: contract.terms.title, totalFen: total, costLines: try Self.costs(row.fields["costs"])),
                        reason: row.fields["reason"] ?? "变更", by: .regulator, at: Self.time(row.on))
                case .registered:
                    next = try ContractRules.register(
                        contract, declaredCosts: nil, number: nil, region: region, today: row.on, by: .regulator, at: Self.time(row.on))
                case .terminated:
                    next = try ContractRules.terminate(
                        contract, reason: row.fields["reason"] ?? "终止", region: region, today: row.on, by: .regulator, at: Self.time(row.on))
                case .signed, .registeredDirectly:
                    throw FixtureError.invalid("not an act a history replays")
                }
                histories[at].contract = next.0
                histories[at].versions.append(next.1)
            } catch let error as FixtureError {
                throw FixtureError.invalid("\(line): \(error)")
            } catch {
                throw FixtureError.invalid("\(line): refused by the rules: \(error)")
            }
        }
        return histories
    }

    static func draft(_ row: Row, partyIDs: [String: PartyID]) throws -> ContractDraft {
        func field(_ name: String) throws -> String {
            guard let value = row.fields[name] else { throw FixtureError.invalid("no \(name)") }
            return value
        }
        func party(_ side: String) throws -> ContractParty {
            let handle = row.fields["\(side)Handle"]
            guard let region = RegionCode(try field("\(side)Region")) else { throw FixtureError.invalid("\(side)Region is not a region code") }
            let id = try handle.map { handle in
                guard let id = partyIDs[handle] else { throw FixtureError.invalid("no participant \(handle)") }
                return id
            }
            return ContractParty(partyID: id, name: try field("\(side)Name"), creditCode: try field("\(side)CreditCode"), regionCode: region)
        }
        guard let type = ContractType(rawValue: try field("type")), let total = Int64(try field("totalFen")),
              let signed = Day(try field("signedOn"))
        else { throw FixtureError.invalid("a malformed type, totalFen or signedOn") }
        return ContractDraft(
            type: type, title: try field("title"), seller: try party("seller"), buyer: try party("buyer"), fieldCode: try field("field"),
            totalFen: total, costLines: try costs(row.fields["costs"]), signedOn: signed, source: .direct, listingID: nil,
            subject: row.fields["subject"])
    }

    /// `equipment:120000|parts:5000`
    static func costs(_ text: String?) throws -> [CostLine] {
        guard let text else { return [] }
        return try text.split(separator: "|").map { item in
            let parts = item.split(separator: ":")
            guard parts.count == 2, let kind = CostLine.Kind(rawValue: String(parts[0])), let amount = Int64(parts[1]) else {
                throw FixtureError.invalid("a malformed cost line \(item)")
            }
            return CostLine(kind: kind, amountFen: amount)
        }
    }

    /// Ten in the morning, China time, of `day`: when the history's acts are recorded.
    static func time(_ day: Day) -> Date {
        Date(timeIntervalSince1970: TimeInterval(day.daysSince1970 * 86_400 + 2 * 3_600))
    }
}

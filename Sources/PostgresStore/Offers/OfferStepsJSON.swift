import Foundation
import Market
import Postgres

/// An offer's steps as `offers.steps` keeps them (Schema/0021): a JSON array in order, each step
/// an object with `kind` and `at` (the time as PostgreSQL writes a timestamptz, at microsecond
/// precision) and, when there are any, `by` (the party's id), `priceFen`, `terms` and `reason`.
enum OfferStepsJSON {
    /// The steps as JSON text for a jsonb parameter, written by hand: it is on the path of every
    /// offer, and the only free text, `terms` and `reason`, needs just JSON's string escapes.
    static func text<Steps: Sequence<OfferStep>>(_ steps: Steps) -> String {
        var out = "["
        for (index, step) in steps.enumerated() {
            if index > 0 { out += "," }
            out += #"{"kind":""# + step.kind.rawValue + #"","at":""# + step.at.postgresParameter.text! + #"""#
            if let by = step.byPartyID { out += #","by":"# + String(by.value) }
            if let price = step.priceFen { out += #","priceFen":"# + String(price) }
            if let terms = step.terms { out += #","terms":"#; string(terms, into: &out) }
            if let reason = step.reason { out += #","reason":"#; string(reason, into: &out) }
            out += "}"
        }
        return out + "]"
    }

    private static func string(_ value: String, into out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private struct Stored: Decodable {
        let kind: String
        let at: String
        let by: Int64?
        let priceFen: Int64?
        let terms: String?
        let reason: String?
    }

    /// The steps of the jsonb text `text`, read from the column `column`.
    static func steps(_ text: String, column: String = "steps") throws -> [OfferStep] {
        let stored: [Stored]
        do {
            stored = try JSONDecoder().decode([Stored].self, from: Data(text.utf8))
        } catch {
            throw PostgresDecodingError.invalidValue(column: column, expected: "an array of offer steps", text: text)
        }
        return try stored.map { step in
            guard let kind = OfferStep.Kind(rawValue: step.kind) else {
                throw PostgresDecodingError.invalidValue(column: column, expected: "an offer step's kind", text: step.kind)
            }
            return OfferStep(
                kind: kind, byPartyID: step.by.map(PartyID.init), priceFen: step.priceFen, terms: step.terms, reason: step.reason,
                at: try Date.decode(text: step.at[...], typeOID: PostgresTypeOID.timestamptz, column: column))
        }
    }
}

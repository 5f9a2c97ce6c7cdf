/// What an API key must be to be issued: well formed, with a short label, and of the role of the
/// participant it belongs to (an admin key belongs to no participant).
public enum APIKeyRules {
    public static let labelLengthMax = 100

    /// Refuses the key, naming each bad field. `holder` is the participant `partyID` names, as
    /// the store found it (nil when there is none).
    public static func check(key: String, role: Role, partyID: PartyID?, holder: (kind: PartyKind?, handle: String)?, label: String) throws(MarketError) {
        var issues = FieldIssues()
        if !APIKeyText.isWellFormed(key) { issues.add("key", "must be tmk_ and 16 to 80 letters, digits or underscores") }
        if label.count > labelLengthMax { issues.add("label", "must be at most \(labelLengthMax) characters") }
        switch (role.partyKind, partyID) {
        case (nil, nil):
            break
        case (nil, .some):
            issues.add("party", "an admin key belongs to the operator, not to a participant")
        case (.some(let kind), nil):
            issues.add("party", "\(kind.withArticle.prefix { $0 != " " }) \(role.rawValue) key must belong to a participant")
        case (.some(let kind), .some(let id)):
            if let holder {
                if holder.kind != kind {
                    let actual = holder.kind?.rawValue ?? "unknown"
                    issues.add("role", "the participant is \(holder.kind?.withArticle ?? actual), so its key's role must be \(actual)")
                }
            } else {
                issues.add("party", "no participant \(id)")
            }
        }
        try issues.throwIfAny()
    }
}

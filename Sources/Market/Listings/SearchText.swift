import Foundation

/// Chinese full-text search inside PostgreSQL, without a server-side segmenter.
///
/// PostgreSQL's own parsers split on spaces, which Chinese does not have, and the segmenting
/// extensions (zhparser, pg_jieba) need dictionaries installed in the server. Overlapping
/// character bigrams need neither: any query of two or more ideographs is found as a phrase of
/// its bigrams, and no word is missed because a segmenter cut it differently. The store writes
/// `tsvector(_:)` as a `::tsvector` literal (not `to_tsvector`, which would re-parse it) and
/// runs `tsquery(_:)` as a `::tsquery` (not `to_tsquery`), both as bind parameters.
///
/// Positions, which make phrase queries work:
/// - the bigrams of an ideograph run take consecutive positions; the run's last character alone
///   shares the position of the last bigram, so it never sits between a run and what follows;
/// - runs that touch in the text ("5G通信": an ASCII word then ideographs) take consecutive
///   positions, so the query "5g通信" is the phrase '5g' <-> '通信';
/// - any separator (space, punctuation, other scripts, emoji), and a section boundary, leaves one
///   unused position, however many separator characters there are; inside one query term a
///   separator therefore becomes `<2>` ("gb/t" → 'gb' <2> 't'), and a phrase never runs across
///   a section boundary;
/// - invisible characters (Unicode default-ignorable: zero-width space, soft hyphen, variation
///   selectors) are skipped as if absent, not treated as separators.
public enum SearchText {
    /// PostgreSQL keeps positions up to 16383 (larger ones are clamped, which would pile tokens
    /// onto one position and fake phrase matches), so the rest of a very long text is not indexed.
    static let maxPosition = 16383
    /// PostgreSQL keeps at most 256 positions per lexeme and silently drops the rest; not writing
    /// them keeps the literal of repetitive text short.
    static let maxPositionsPerLexeme = 256
    /// Long enough for any real identifier; bounds the size of the index for junk like base64.
    static let maxWordBytes = 64
    /// Bounds the work one search request can ask of the GIN index.
    static let maxQueryTerms = 10
    /// A phrase of this many tokens is already specific; longer ones only cost (their prefix still
    /// matches everything the whole phrase would).
    static let maxTokensPerTerm = 32

    /// The lexemes of a text in index order, without positions (for tests, diagnostics and
    /// highlighting). A run's last character is indexed alone so that a one-character query,
    /// run as a prefix match, finds it too; every other character already starts a bigram.
    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        scan(text) { run in
            switch run.kind {
            case .ideographs:
                let characters = run.ideographs
                for index in 0..<characters.count - 1 {
                    tokens.append(string(characters[index], characters[index + 1]))
                }
                tokens.append(string(characters[characters.count - 1]))
            case .word:
                if let patent = patentNumber(run.word) {
                    if patent.hasCheck { tokens.append(string(run.word[patent.start..<patent.start + 14])) }
                    tokens.append(string(run.word[patent.start..<patent.start + 12]))
                } else {
                    tokens.append(string(run.word[...]))
                }
            }
            return true
        }
        return tokens
    }

    /// A `tsvector` literal for the sections of one document, e.g. title "A", summary "C": one
    /// literal for all of them, each position tagged with its section's weight so that `ts_rank`
    /// can weigh a title hit above a summary hit; positions run on with a gap between sections so
    /// that no phrase spans two of them.
    public static func tsvector(_ sections: [(text: String, weight: Character)]) -> String {
        struct Entry {
            var text: String
            var positions: Int
        }
        var entries: [Entry] = []
        // Ideograph lexemes are looked up by their packed scalars: hashing a String compares
        // Unicode canonically and building one per occurrence would cost more than the lookup.
        var indexOfIdeographs: [UInt64: Int] = [:]
        var indexOfWord: [String: Int] = [:]
        var next = 1
        var full = false
        for section in sections where !full {
            let weight = weightLetter(section.weight)
            var firstRun = true
            func add(to index: Int, at position: Int) {
                guard entries[index].positions < maxPositionsPerLexeme else { return }
                entries[index].text.append(",")
                entries[index].text.append(String(position))
                entries[index].text.append(weight)
                entries[index].positions += 1
            }
            func addNew(_ lexeme: String, at position: Int) -> Int {
                var text = ""
                appendQuoted(lexeme, to: &text)
                text.append(":")
                text.append(String(position))
                text.append(weight)
                entries.append(Entry(text: text, positions: 1))
                return entries.count - 1
            }
            func add(_ first: Unicode.Scalar, _ second: Unicode.Scalar?, at position: Int) {
                let key = UInt64(first.value) << 21 | UInt64(second?.value ?? 0)
                if let index = indexOfIdeographs[key] {
                    add(to: index, at: position)
                } else {
                    indexOfIdeographs[key] = addNew(string(first, second), at: position)
                }
            }
            func add(_ word: String, at position: Int) {
                if let index = indexOfWord[word] {
                    add(to: index, at: position)
                } else {
                    indexOfWord[word] = addNew(word, at: position)
                }
            }
            scan(section.text) { run in
                if next > 1 && (firstRun || run.gap != .none) { next += 1 }
                firstRun = false
                switch run.kind {
                case .ideographs:
                    let characters = run.ideographs
                    if characters.count == 1 {
                        guard next <= maxPosition else { full = true; return false }
                        add(characters[0], nil, at: next)
                        next += 1
                        return true
                    }
                    for index in 0..<characters.count - 1 {
                        guard next <= maxPosition else { full = true; return false }
                        add(characters[index], characters[index + 1], at: next)
                        next += 1
                    }
                    add(characters[characters.count - 1], nil, at: next - 1)
                case .word:
                    guard next <= maxPosition else { full = true; return false }
                    if let patent = patentNumber(run.word) {
                        if patent.hasCheck { add(string(run.word[patent.start..<patent.start + 14]), at: next) }
                        add(string(run.word[patent.start..<patent.start + 12]), at: next)
                    } else {
                        add(string(run.word[...]), at: next)
                    }
                    next += 1
                }
                return true
            }
        }
        return entries.map(\.text).joined(separator: " ")
    }

    /// A `tsquery` for a user's search text, or nil when nothing in it can be searched for (an
    /// empty tsquery matches nothing and makes PostgreSQL log a notice, so the caller decides). Every
    /// whitespace-separated term must match, as a phrase; only quoted lexemes and the operators
    /// written here reach PostgreSQL, so no input can make the query a syntax error.
    public static func tsquery(_ query: String) -> String? {
        var output = ""
        var terms = 0
        var tokensInTerm = 0
        var distance = 1
        func add(_ lexeme: String, prefix: Bool = false) {
            guard tokensInTerm < maxTokensPerTerm else { return }
            if tokensInTerm > 0 { output.append(distance == 1 ? " <-> " : " <2> ") }
            appendQuoted(lexeme, to: &output)
            if prefix { output.append(":*") }
            tokensInTerm += 1
            distance = 1
        }
        scan(query) { run in
            if terms == 0 || run.gap == .whitespace {
                guard terms < maxQueryTerms else { return false }
                if terms > 0 { output.append(" & ") }
                terms += 1
                tokensInTerm = 0
            }
            distance = run.gap == .separator ? 2 : 1
            switch run.kind {
            case .ideographs:
                let characters = run.ideographs
                if characters.count == 1 {
                    // A lone character is a prefix of the bigram it starts, or the run's last character.
                    add(string(characters[0]), prefix: true)
                } else {
                    for index in 0..<characters.count - 1 {
                        add(string(characters[index], characters[index + 1]))
                    }
                }
            case .word:
                if let patent = patentNumber(run.word) {
                    add(string(run.word[patent.start..<patent.start + (patent.hasCheck ? 14 : 12)]))
                } else {
                    add(string(run.word[...]))
                }
            }
            return true
        }
        return output.isEmpty ? nil : output
    }

    // MARK: - Scanning

    /// What lies between a run and the run before it: it decides the position gap, and whitespace
    /// also ends a query term.
    enum Gap {
        case none, separator, whitespace
    }

    /// A maximal run of ideographs or one ASCII word. The scanner reuses its buffers for the next
    /// run; a consumer that kept the run would make it copy them.
    struct Run {
        enum Kind {
            case ideographs, word
        }

        var kind = Kind.word
        var gap = Gap.none
        var ideographs: [Unicode.Scalar] = []
        /// Lowercased ASCII, at most `maxWordBytes`.
        var word: [UInt8] = []
    }

    private enum ScanState {
        case between, ideographs, word
        /// In a word, after a '.', '-' or '_' that joins only if an alphanumeric follows.
        case wordJoiner(UInt8)
    }

    /// One pass over the unicode scalars, handing each run to `consume` until it returns false.
    static func scan(_ text: String, _ consume: (Run) -> Bool) {
        let text = needsNormalisation(text) ? text.precomposedStringWithCompatibilityMapping : text
        var run = Run()
        var state = ScanState.between
        var gap = Gap.none

        func start(_ kind: Run.Kind) {
            run.kind = kind
            run.gap = gap
            gap = .none
            run.ideographs.removeAll(keepingCapacity: true)
            run.word.removeAll(keepingCapacity: true)
        }
        func appendToWord(_ byte: UInt8) {
            if run.word.count < maxWordBytes { run.word.append(byte) }
        }
        /// Hands over the current run; false when the consumer wants no more.
        func finish() -> Bool {
            switch state {
            case .between:
                return true
            case .ideographs, .word:
                break
            case .wordJoiner:
                gap = .separator
            }
            state = .between
            // Only the 64-byte cut can leave a joiner at the end.
            if run.kind == .word, let last = run.word.last, isJoiner(last) { run.word.removeLast() }
            return consume(run)
        }

        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                var byte = UInt8(truncatingIfNeeded: value)
                switch byte {
                case 0x41...0x5A, 0x61...0x7A, 0x30...0x39:
                    if byte <= 0x5A && byte >= 0x41 { byte |= 0x20 }
                    switch state {
                    case .word:
                        appendToWord(byte)
                    case .wordJoiner(let joiner):
                        appendToWord(joiner)
                        appendToWord(byte)
                        state = .word
                    case .ideographs:
                        guard finish() else { return }
                        start(.word)
                        appendToWord(byte)
                        state = .word
                    case .between:
                        start(.word)
                        appendToWord(byte)
                        state = .word
                    }
                    continue
                case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    if case .word = state {
                        state = .wordJoiner(byte)
                        continue
                    }
                case 0x09...0x0D, 0x20:
                    guard finish() else { return }
                    gap = .whitespace
                    continue
                default:
                    break
                }
                guard finish() else { return }
                if gap == .none { gap = .separator }
            } else if isIdeograph(value) {
                switch state {
                case .ideographs:
                    break
                case .between:
                    start(.ideographs)
                    state = .ideographs
                case .word, .wordJoiner:
                    guard finish() else { return }
                    start(.ideographs)
                    state = .ideographs
                }
                run.ideographs.append(scalar)
            } else if scalar.properties.isDefaultIgnorableCodePoint {
                // Invisible (zero-width space, soft hyphen, variation selectors): pasted text
                // carries them inside words, and no one can type them into a query.
                continue
            } else {
                guard finish() else { return }
                if scalar.properties.isWhitespace {
                    gap = .whitespace
                } else if gap == .none {
                    gap = .separator
                }
            }
        }
        _ = finish()
    }

    static func isIdeograph(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x20000...0x2FA1F: true
        default: false
        }
    }

    static func isJoiner(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// NFKC builds a second copy of the text through Foundation. Most listing text is ASCII, common
    /// ideographs and a little CJK punctuation, which NFKC leaves alone or turns into another
    /// separator, so it can be skipped; anything else (full-width letters and digits, the
    /// ideographic space, compatibility ideographs, combining marks) is normalised.
    static func needsNormalisation(_ text: String) -> Bool {
        for scalar in text.unicodeScalars where !isNormalisationInert(scalar.value) { return true }
        return false
    }

    static func isNormalisationInert(_ value: UInt32) -> Bool {
        switch value {
        case 0x00...0x7F, 0x4E00...0x9FFF, 0x3400...0x4DBF:
            true
        // 、。〈〉《》「」『』【】 and ‘’‚‛“”: unchanged by NFKC.
        case 0x3001...0x3002, 0x3008...0x3011, 0x2018...0x201D:
            true
        // ！（），：；？: NFKC makes them ASCII punctuation, which separates just the same.
        case 0xFF01, 0xFF08, 0xFF09, 0xFF0C, 0xFF1A, 0xFF1B, 0xFF1F:
            true
        default:
            false
        }
    }

    /// A Chinese patent or application number inside a word: optional "cn"/"zl", 12 digits,
    /// optionally "." and a check character. The prefix is dropped so that CN…, ZL… and bare
    /// numbers index alike; the check character is not verified, since a search must find what
    /// was written even when it was mistyped.
    static func patentNumber(_ word: [UInt8]) -> (start: Int, hasCheck: Bool)? {
        var start = 0
        if word.count >= 2 {
            let prefix = (word[0], word[1])
            if prefix == (UInt8(ascii: "c"), UInt8(ascii: "n")) || prefix == (UInt8(ascii: "z"), UInt8(ascii: "l")) {
                start = 2
            }
        }
        let length = word.count - start
        guard length == 12 || length == 14 else { return nil }
        for index in start..<start + 12 where !isDigit(word[index]) { return nil }
        if length == 14 {
            let check = word[start + 13]
            guard word[start + 12] == UInt8(ascii: "."), isDigit(check) || check == UInt8(ascii: "x") else { return nil }
        }
        return (start, length == 14)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    // MARK: - Writing lexemes

    /// Single and double ideographs fit in a small string, so building them does not allocate.
    static func string(_ first: Unicode.Scalar, _ second: Unicode.Scalar? = nil) -> String {
        var string = ""
        string.unicodeScalars.append(first)
        if let second { string.unicodeScalars.append(second) }
        return string
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Lexemes never contain a quote or a backslash today; quoting them anyway keeps the literal
    /// valid whatever the tokenizer lets through later.
    static func appendQuoted(_ lexeme: String, to output: inout String) {
        output.append("'")
        if lexeme.utf8.contains(where: { $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\\") }) {
            for scalar in lexeme.unicodeScalars {
                if scalar == "'" || scalar == "\\" { output.unicodeScalars.append(scalar) }
                output.unicodeScalars.append(scalar)
            }
        } else {
            output.append(lexeme)
        }
        output.append("'")
    }

    /// An unknown weight must not make the literal unparsable; D is PostgreSQL's default weight.
    static func weightLetter(_ weight: Character) -> Character {
        switch weight {
        case "A", "a": "A"
        case "B", "b": "B"
        case "C", "c": "C"
        default: "D"
        }
    }
}

/// 统一社会信用代码: the 18-character unified social credit code of a legal entity (GB 32100-2015).
///
/// Layout: registration authority (1), entity type (1), the registering region's GB/T 2260 code
/// (6), the organisation code (9), and a check character computed over the first 17.
public struct SocialCreditCode: Hashable, Sendable, CustomStringConvertible {
    /// The 31 characters the standard uses: digits and capitals without I, O, S, V, Z.
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
    /// Weight of position i is 3^i mod 31.
    static let weights: [Int] = (0..<17).map { position in
        (0..<position).reduce(1) { weight, _ in weight * 3 % 31 }
    }
    public static let length = 18

    public let value: String

    /// Why a code was refused, in words a person can act on.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case wrongLength(Int)
        case invalidCharacter(position: Int)
        case regionNotNumeric
        case wrongCheckCharacter(expected: Character, found: Character)

        public var description: String {
            switch self {
            case .wrongLength(let count):
                return "a unified social credit code has 18 characters, not \(count)"
            case .invalidCharacter(let position):
                return "character \(position) is not allowed (digits and capitals except I, O, S, V, Z)"
            case .regionNotNumeric:
                return "characters 3 to 8 must be the six digits of a region code"
            case .wrongCheckCharacter(let expected, let found):
                return "the check character is wrong: the first 17 characters give \(expected), not \(found); the code is mistyped"
            }
        }
    }

    /// Accepts a code whose check character is right (lowercase letters are read as capitals).
    public init(_ text: String) throws(Problem) {
        let bytes = Array(text.uppercased().utf8)
        guard bytes.count == Self.length else { throw .wrongLength(text.count) }
        var values: [Int] = []
        values.reserveCapacity(Self.length)
        for (index, byte) in bytes.enumerated() {
            guard let value = Self.alphabet.firstIndex(of: byte) else { throw .invalidCharacter(position: index + 1) }
            values.append(value)
        }
        guard bytes[2..<8].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { throw .regionNotNumeric }
        let sum = zip(values.prefix(17), Self.weights).reduce(0) { $0 + $1.0 * $1.1 }
        let check = (31 - sum % 31) % 31
        guard values[17] == check else {
            throw .wrongCheckCharacter(expected: Character(Unicode.Scalar(Self.alphabet[check])), found: Character(Unicode.Scalar(bytes[17])))
        }
        value = String(decoding: bytes, as: UTF8.self)
    }

    /// The region the entity was registered in (characters 3 to 8).
    public var registrationRegion: String { String(value.dropFirst(2).prefix(6)) }

    public var description: String { value }
}

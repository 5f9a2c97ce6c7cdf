import Foundation

/// A tiny deterministic PRNG (SplitMix64) so every random workload replays from its seed: the
/// one seeded generator of the tests and benchmarks.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `range`, drawn only from this generator.
    public mutating func int(_ range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        if span == 0 { return Int64(bitPattern: next()) }
        return range.lowerBound + Int64(next() % span)
    }

    /// True with probability `percent`/100.
    public mutating func chance(_ percent: Int) -> Bool { next() % 100 < UInt64(percent) }

    /// One element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// A value from 0 to `count` − 1 (`count` > 0).
    public mutating func below(_ count: Int) -> Int { Int(next() % UInt64(count)) }
}

/// The seeds the property tests run; `TEST_SEED=n swift test --filter …` replays one seed
/// (`LEDGER_SEED` and `MATCHING_SEED`, their earlier names, too).
public enum Seeds {
    public static let replayVariables = ["TEST_SEED", "LEDGER_SEED", "MATCHING_SEED"]

    public static func list(count: Int, salt: UInt64) -> [UInt64] {
        let environment = ProcessInfo.processInfo.environment
        if let seed = replayVariables.lazy.compactMap({ environment[$0].flatMap(UInt64.init) }).first {
            return [seed]
        }
        var rng = SplitMix64(seed: salt)
        return (0..<count).map { _ in rng.next() % 1_000_000_007 }
    }
}

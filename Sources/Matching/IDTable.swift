/// An open-addressing map from a 64-bit id to a dense index, sized at `init`.
///
/// Why not `Dictionary`: Swift's hashing is seeded per process, which is fine for lookups but
/// makes layout differ between runs; this table is deterministic, never grows while it holds
/// fewer keys than the capacity it was made with (so an engine made with its full capacity never
/// allocates on the hot path), keeps key and value in one 16-byte slot (one cache miss per
/// probe), and uses a cheap multiplicative hash at a load factor of at most one half. Past its
/// capacity it doubles (an engine recovered for one command reserves what it holds, not its limit).
struct IDTable: Sendable, Equatable {
    struct Slot: Sendable, Equatable {
        var key: UInt64
        /// The stored index, or -1 for an empty slot.
        var value: Int64
    }

    private var slots: [Slot]
    private var shift: UInt64
    private var mask: Int
    private(set) var count: Int
    private(set) var capacity: Int

    init(capacity: Int) {
        precondition(capacity >= 0 && capacity <= Int(Int32.max) / 4, "IDTable capacity out of range")
        var size = 8
        var bits: UInt64 = 3
        while size < capacity * 2 {
            size <<= 1
            bits += 1
        }
        self.slots = [Slot](repeating: Slot(key: 0, value: -1), count: size)
        self.shift = 64 - bits
        self.mask = size - 1
        self.count = 0
        self.capacity = capacity
    }

    @inline(__always)
    private func home(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The index stored for `key`, or -1.
    @inline(__always)
    func find(_ key: UInt64) -> Int32 {
        slots.withUnsafeBufferPointer { buffer in
            var s = home(of: key)
            while true {
                let slot = buffer[s]
                if slot.value < 0 { return -1 }
                if slot.key == key { return Int32(truncatingIfNeeded: slot.value) }
                s = (s &+ 1) & mask
            }
        }
    }

    /// Stores `value` for `key`, replacing any earlier value; a new key past the capacity doubles it first.
    @inline(__always)
    mutating func set(_ key: UInt64, _ value: Int32) {
        precondition(value >= 0)
        var s = home(of: key)
        while true {
            let slot = slots[s]
            if slot.value < 0 {
                if count >= capacity {
                    reserve(max(8, capacity * 2))
                    set(key, value)
                    return
                }
                slots[s] = Slot(key: key, value: Int64(value))
                count += 1
                return
            }
            if slot.key == key {
                slots[s].value = Int64(value)
                return
            }
            s = (s &+ 1) & mask
        }
    }

    /// Makes room for `capacity` keys at once (a rehash into a larger table); nothing when it has that room.
    mutating func reserve(_ capacity: Int) {
        guard capacity > self.capacity else { return }
        var larger = IDTable(capacity: capacity)
        for slot in slots where slot.value >= 0 { larger.set(slot.key, Int32(truncatingIfNeeded: slot.value)) }
        self = larger
    }
}

/// An immutable open-addressing table keyed by 64-bit word hashes (`Bytes.hashLower`).
///
/// The keys are already FNV-1a hashes, so one multiply picks the slot; lookups need no
/// hashing of their own and touch one or two cache lines. Used for every keyword, name
/// and street-word lookup on the scanning hot path.
struct WordMap<Value: Sendable>: Sendable {
    private let keys: [UInt64]
    private let values: [Value?]
    private let shift: UInt64
    /// Key 0 is the empty-slot marker; its value (if any) is kept apart.
    private let zeroValue: Value?

    /// Builds the table; a later duplicate key replaces an earlier one (as a dictionary would).
    init(_ pairs: [(UInt64, Value)]) {
        var capacity = 8
        while capacity < pairs.count * 2 { capacity <<= 1 }
        let bits = UInt64(capacity.trailingZeroBitCount)
        var keys = [UInt64](repeating: 0, count: capacity)
        var values = [Value?](repeating: nil, count: capacity)
        var zero: Value? = nil
        let shift = 64 - bits
        for (key, value) in pairs {
            if key == 0 { zero = value; continue }
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while keys[slot] != 0 && keys[slot] != key { slot = (slot + 1) & (capacity - 1) }
            keys[slot] = key
            values[slot] = value
        }
        self.keys = keys
        self.values = values
        self.shift = shift
        self.zeroValue = zero
    }

    /// The value stored for `key`, if any.
    @inline(__always) subscript(key: UInt64) -> Value? {
        if key == 0 { return zeroValue }
        return keys.withUnsafeBufferPointer { keys -> Value? in
            let mask = keys.count - 1
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while true {
                let k = keys[slot]
                if k == key { return values[slot] }
                if k == 0 { return nil }
                slot = (slot + 1) & mask
            }
        }
    }
}

/// A set of 64-bit word hashes with the lookup of `WordMap`.
struct WordSet: Sendable {
    private let map: WordMap<Bool>

    /// The set of the given hashes.
    init<S: Sequence>(_ hashes: S) where S.Element == UInt64 {
        map = WordMap(hashes.map { ($0, true) })
    }

    /// Whether `hash` is in the set.
    @inline(__always) func contains(_ hash: UInt64) -> Bool { map[hash] != nil }
}

/// A Rego value: the JSON types plus sets, with Rego's total order.
public enum Value: Sendable, Hashable, Comparable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number of arbitrary precision.
    case number(Number)
    /// A string.
    case string(String)
    /// An array.
    case array([Value])
    /// A set, kept sorted in Rego's order.
    case set(SetValue)
    /// An object, keys kept sorted in Rego's order (keys may be any value).
    case object(ObjectValue)

    /// The empty object.
    public static let emptyObject = Value.object(ObjectValue())
    /// The empty set.
    public static let emptySet = Value.set(SetValue())
    /// `true`.
    public static let `true` = Value.bool(true)
    /// `false`.
    public static let `false` = Value.bool(false)

    /// An integer value.
    public static func int(_ v: Int) -> Value { .number(.int(v)) }

    /// The rank of the type in Rego's cross-type order.
    @inlinable var typeRank: Int {
        switch self {
        case .null: return 0
        case .bool: return 1
        case .number: return 2
        case .string: return 3
        case .array: return 6
        case .object: return 7
        case .set: return 8
        }
    }

    /// Rego's type name, as `type_name` reports it.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        case .set: return "set"
        }
    }

    /// Three-way comparison in Rego's total order.
    public static func compare(_ a: Value, _ b: Value) -> Int {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return x == y ? 0 : (x < y ? -1 : 1)
        case (.number(let x), .number(let y)):
            return Number.compare(x, y)
        case (.bool(let x), .bool(let y)):
            return x == y ? 0 : (!x ? -1 : 1)
        case (.null, .null):
            return 0
        case (.array(let x), .array(let y)):
            return compareSequences(x, y)
        case (.set(let x), .set(let y)):
            return compareSequences(x.elements, y.elements)
        case (.object(let x), .object(let y)):
            let n = min(x.count, y.count)
            for i in 0..<n {
                let c = compare(x.keys[i], y.keys[i])
                if c != 0 { return c }
                let d = compare(x.values[i], y.values[i])
                if d != 0 { return d }
            }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        default:
            return a.typeRank < b.typeRank ? -1 : 1
        }
    }

    static func compareSequences(_ x: [Value], _ y: [Value]) -> Int {
        let n = min(x.count, y.count)
        for i in 0..<n {
            let c = compare(x[i], y[i])
            if c != 0 { return c }
        }
        return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
    }

    public static func < (lhs: Value, rhs: Value) -> Bool { compare(lhs, rhs) < 0 }

    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.string(let x), .string(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.array(let x), .array(let y)): return x == y
        case (.set(let x), .set(let y)): return x.elements == y.elements
        case (.object(let x), .object(let y)): return x.keys == y.keys && x.values == y.values
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(typeRank)
        switch self {
        case .null: break
        case .bool(let b): hasher.combine(b)
        case .number(let n): hasher.combine(n)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .set(let s): hasher.combine(s.elements)
        case .object(let o): hasher.combine(o.keys); hasher.combine(o.values)
        }
    }

    // MARK: Convenience accessors

    /// The string payload, if any.
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    /// The number payload, if any.
    public var numberValue: Number? { if case .number(let n) = self { return n }; return nil }
    /// The boolean payload, if any.
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    /// The array payload, if any.
    public var arrayValue: [Value]? { if case .array(let a) = self { return a }; return nil }
    /// The object payload, if any.
    public var objectValue: ObjectValue? { if case .object(let o) = self { return o }; return nil }
    /// The set payload, if any.
    public var setValue: SetValue? { if case .set(let s) = self { return s }; return nil }

    /// Looks up `key` in an object, an array index, or set membership (returns the element).
    public subscript(key: Value) -> Value? {
        switch self {
        case .object(let o): return o[key]
        case .array(let a):
            guard case .number(.int(let i)) = key, i >= 0, i < a.count else { return nil }
            return a[i]
        case .set(let s): return s.contains(key) ? key : nil
        default: return nil
        }
    }

    /// Looks up a string key in an object.
    public subscript(key: String) -> Value? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// Number of elements of a collection (0 for scalars).
    public var count: Int {
        switch self {
        case .array(let a): return a.count
        case .set(let s): return s.count
        case .object(let o): return o.count
        default: return 0
        }
    }

    /// Whether the value is a scalar (not a collection).
    public var isScalar: Bool {
        switch self {
        case .array, .set, .object: return false
        default: return true
        }
    }
}

/// A set of values, sorted and unique.
public struct SetValue: Sendable, Hashable {
    /// The elements in Rego's order.
    public private(set) var elements: [Value]

    /// The empty set.
    public init() { elements = [] }

    /// A set from any values (sorted and deduplicated here).
    public init<S: Sequence>(_ values: S) where S.Element == Value {
        var arr = Array(values)
        if arr.count > 1 {
            arr.sort { Value.compare($0, $1) < 0 }
            var out: [Value] = []
            out.reserveCapacity(arr.count)
            for v in arr where out.last.map({ $0 != v }) ?? true { out.append(v) }
            arr = out
        }
        elements = arr
    }

    /// A set from elements already sorted and unique.
    public init(sortedUnique: [Value]) { elements = sortedUnique }

    /// Number of elements.
    public var count: Int { elements.count }
    /// Whether the set is empty.
    public var isEmpty: Bool { elements.isEmpty }

    func index(of v: Value) -> (found: Bool, index: Int) {
        var lo = 0, hi = elements.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            let c = Value.compare(elements[mid], v)
            if c == 0 { return (true, mid) }
            if c < 0 { lo = mid + 1 } else { hi = mid }
        }
        return (false, lo)
    }

    /// Membership test.
    public func contains(_ v: Value) -> Bool { index(of: v).found }

    /// Inserts a value; returns whether it was new.
    @discardableResult
    public mutating func insert(_ v: Value) -> Bool {
        let (found, i) = index(of: v)
        if found { return false }
        if i == elements.count { elements.append(v) } else { elements.insert(v, at: i) }
        return true
    }

    /// Union.
    public func union(_ other: SetValue) -> SetValue {
        if other.isEmpty { return self }
        if isEmpty { return other }
        var out: [Value] = []
        out.reserveCapacity(count + other.count)
        var i = 0, j = 0
        let a = elements, b = other.elements
        while i < a.count, j < b.count {
            let c = Value.compare(a[i], b[j])
            if c == 0 { out.append(a[i]); i += 1; j += 1 } else if c < 0 { out.append(a[i]); i += 1 } else { out.append(b[j]); j += 1 }
        }
        out.append(contentsOf: a[i...]); out.append(contentsOf: b[j...])
        return SetValue(sortedUnique: out)
    }

    /// Intersection.
    public func intersection(_ other: SetValue) -> SetValue {
        SetValue(sortedUnique: elements.filter { other.contains($0) })
    }

    /// Difference.
    public func subtracting(_ other: SetValue) -> SetValue {
        SetValue(sortedUnique: elements.filter { !other.contains($0) })
    }
}

/// An object: keys sorted in Rego's order, with values alongside.
public struct ObjectValue: Sendable, Hashable {
    /// Keys in Rego's order.
    public private(set) var keys: [Value]
    /// Values matching `keys`.
    public private(set) var values: [Value]

    /// The empty object.
    public init() { keys = []; values = [] }

    /// An object from pairs; later duplicates win.
    public init<S: Sequence>(_ pairs: S) where S.Element == (Value, Value) {
        var arr = Array(pairs)
        if arr.count <= 1 {
            keys = arr.map(\.0); values = arr.map(\.1); return
        }
        // Stable sort keeps the last duplicate at the end of its run.
        arr = arr.enumerated().sorted { l, r in
            let c = Value.compare(l.element.0, r.element.0)
            return c == 0 ? l.offset < r.offset : c < 0
        }.map(\.element)
        var ks: [Value] = [], vs: [Value] = []
        ks.reserveCapacity(arr.count); vs.reserveCapacity(arr.count)
        for (k, v) in arr {
            if let last = ks.last, last == k { vs[vs.count - 1] = v } else { ks.append(k); vs.append(v) }
        }
        keys = ks; values = vs
    }

    /// An object from string-keyed pairs.
    public init(_ dict: [String: Value]) {
        self.init(dict.map { (Value.string($0.key), $0.value) })
    }

    /// Number of entries.
    public var count: Int { keys.count }
    /// Whether the object is empty.
    public var isEmpty: Bool { keys.isEmpty }

    func index(of k: Value) -> (found: Bool, index: Int) {
        var lo = 0, hi = keys.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            let c = Value.compare(keys[mid], k)
            if c == 0 { return (true, mid) }
            if c < 0 { lo = mid + 1 } else { hi = mid }
        }
        return (false, lo)
    }

    func index(ofString k: String) -> (found: Bool, index: Int) {
        var lo = 0, hi = keys.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            let c: Int
            if case .string(let s) = keys[mid] {
                c = s == k ? 0 : (s < k ? -1 : 1)
            } else {
                c = keys[mid].typeRank < 3 ? -1 : 1
            }
            if c == 0 { return (true, mid) }
            if c < 0 { lo = mid + 1 } else { hi = mid }
        }
        return (false, lo)
    }

    /// The value under a key.
    public subscript(key: Value) -> Value? {
        if case .string(let s) = key { return self[s] }
        let (found, i) = index(of: key)
        return found ? values[i] : nil
    }

    /// The value under a string key.
    public subscript(key: String) -> Value? {
        let (found, i) = index(ofString: key)
        return found ? values[i] : nil
    }

    /// Sets or replaces an entry.
    public mutating func set(_ key: Value, _ value: Value) {
        let (found, i) = index(of: key)
        if found { values[i] = value; return }
        keys.insert(key, at: i); values.insert(value, at: i)
    }

    /// Removes an entry.
    public mutating func remove(_ key: Value) {
        let (found, i) = index(of: key)
        if found { keys.remove(at: i); values.remove(at: i) }
    }

    /// The entries in key order.
    public var entries: Zip2Sequence<[Value], [Value]> { zip(keys, values) }
}

// MARK: - Literals

extension Value: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// A boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer.
    public init(integerLiteral value: Int) { self = .number(.int(value)) }
    /// A float.
    public init(floatLiteral value: Double) { self = .number(.real(value)) }
    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array.
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    /// An object with string keys.
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .object(ObjectValue(elements.map { (Value.string($0.0), $0.1) }))
    }
}

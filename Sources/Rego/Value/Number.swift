import BigInt

/// A Rego number: exact integers of any size, and binary floating point for the rest.
///
/// Integers that fit a machine word stay on the fast `.int` path; larger ones
/// become `.big`. Floating values that are integral are normalised to one of the
/// integer cases, so equal numbers always have the same representation.
public enum Number: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// An integer that fits in `Int`.
    case int(Int)
    /// An integer outside `Int`'s range.
    case big(BigInt)
    /// A finite, non-integral floating value.
    case float(Double)

    /// Normalises a big integer to `.int` when it fits.
    public static func integer(_ value: BigInt) -> Number {
        if let small = Int(exactly: value) { return .int(small) }
        return .big(value)
    }

    /// Normalises a double: integral values become integers.
    public static func real(_ value: Double) -> Number {
        if value.isFinite, value.rounded(.towardZero) == value {
            if let small = Int(exactly: value) { return .int(small) }
            return .big(BigInt(value))
        }
        return .float(value)
    }

    /// Parses Rego/JSON number text exactly where it is an integer.
    public init?(text: some StringProtocol) {
        let s = String(text)
        guard !s.isEmpty else { return nil }
        if !s.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            if let v = Int(s) { self = .int(v); return }
            var digits = Substring(s)
            if digits.hasPrefix("+") { digits = digits.dropFirst() }
            guard let b = BigInt(digits, radix: 10) else { return nil }
            self = Number.integer(b)
            return
        }
        // Integral values written with an exponent (1e3) stay exact.
        if let exact = Number.exactIntegerFromDecimal(s) { self = exact; return }
        guard let d = Double(s), d.isFinite else { return nil }
        self = Number.real(d)
    }

    private static func exactIntegerFromDecimal(_ s: String) -> Number? {
        var mantissa = ""
        var exponent = 0
        var negative = false
        var chars = Substring(s)
        if chars.hasPrefix("-") { negative = true; chars = chars.dropFirst() } else if chars.hasPrefix("+") { chars = chars.dropFirst() }
        var parts = chars.split(separator: "e", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 1 { parts = chars.split(separator: "E", maxSplits: 1, omittingEmptySubsequences: false) }
        let significand = parts[0]
        if parts.count == 2 {
            guard let e = Int(parts[1]), abs(e) < 10_000 else { return nil }
            exponent = e
        }
        let pieces = significand.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let intPart = pieces.first, intPart.allSatisfy(\.isNumber) else { return nil }
        mantissa = String(intPart)
        if pieces.count == 2 {
            guard pieces[1].allSatisfy(\.isNumber) else { return nil }
            mantissa += pieces[1]
            exponent -= pieces[1].count
        }
        guard !mantissa.isEmpty else { return nil }
        // Trailing zeros may be absorbed by a negative exponent.
        while exponent < 0, mantissa.count > 1, mantissa.last == "0" {
            mantissa.removeLast(); exponent += 1
        }
        if mantissa.allSatisfy({ $0 == "0" }) { return .int(0) }
        guard exponent >= 0, exponent < 400 else { return nil }
        guard var value = BigInt(mantissa, radix: 10) else { return nil }
        if exponent > 0 { value *= BigInt(10).power(exponent) }
        if negative { value.negate() }
        return Number.integer(value)
    }

    /// Whether this number is an integer.
    public var isInteger: Bool {
        if case .float = self { return false }
        return true
    }

    /// The value as `Int` when it is an integer in range.
    public var intValue: Int? {
        if case .int(let v) = self { return v }
        return nil
    }

    /// The value as a big integer, when integral.
    public var bigValue: BigInt? {
        switch self {
        case .int(let v): return BigInt(v)
        case .big(let v): return v
        case .float: return nil
        }
    }

    /// The nearest double.
    public var doubleValue: Double {
        switch self {
        case .int(let v): return Double(v)
        case .big(let v): return Double(v)
        case .float(let v): return v
        }
    }

    public static func == (lhs: Number, rhs: Number) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return a == b
        case (.big(let a), .big(let b)): return a == b
        case (.float(let a), .float(let b)): return a == b
        default: return false  // normalised forms never coincide across cases
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .int(let v): hasher.combine(v)
        case .big(let v): hasher.combine(v)
        case .float(let v): hasher.combine(v)
        }
    }

    public static func < (lhs: Number, rhs: Number) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// Three-way numeric comparison.
    public static func compare(_ lhs: Number, _ rhs: Number) -> Int {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.float, _), (_, .float):
            let a = lhs.doubleValue, b = rhs.doubleValue
            if a == b {
                // Distinguish a huge integer from a nearby double.
                if let ab = lhs.bigValue, case .float(let bd) = rhs {
                    let f = BigInt(bd.rounded(.down))
                    return ab <= f ? -1 : 1
                }
                if case .float(let ad) = lhs, let bb = rhs.bigValue {
                    let f = BigInt(ad.rounded(.down))
                    return f < bb ? -1 : 1
                }
                return 0
            }
            return a < b ? -1 : 1
        default:
            let a = lhs.bigValue!, b = rhs.bigValue!
            return a < b ? -1 : (a == b ? 0 : 1)
        }
    }

    /// The JSON / Rego text of the number.
    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .big(let v): return v.description
        case .float(let v): return Number.formatDouble(v)
        }
    }

    /// Formats a double like Go's `encoding/json`: plain decimal unless tiny or huge.
    static func formatDouble(_ v: Double) -> String {
        let magnitude = abs(v)
        if magnitude != 0, magnitude < 1e-6 || magnitude >= 1e21 {
            var s = "\(v)"
            // Swift prints 1e-07; Go prints 1e-07 as 1e-07 in %g but json uses e-07 too.
            if let r = s.range(of: "e") {
                var exp = String(s[r.upperBound...])
                var sign = "+"
                if exp.hasPrefix("-") { sign = "-"; exp.removeFirst() } else if exp.hasPrefix("+") { exp.removeFirst() }
                while exp.count > 2, exp.hasPrefix("0") { exp.removeFirst() }
                if exp.count < 2 { exp = "0" + exp }
                s = String(s[..<r.lowerBound]) + "e" + sign + exp
            }
            return s
        }
        var s = "\(v)"
        if s.contains("e") {
            // Expand exponent form into plain decimal.
            s = plainDecimal(v)
        }
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }

    private static func plainDecimal(_ v: Double) -> String {
        let text = "\(v)"
        guard let r = text.range(of: "e") else { return text }
        let mant = String(text[..<r.lowerBound])
        guard let exp = Int(text[r.upperBound...]) else { return text }
        let negative = mant.hasPrefix("-")
        let digitsPart = negative ? String(mant.dropFirst()) : mant
        let pieces = digitsPart.split(separator: ".", omittingEmptySubsequences: false)
        var digits = String(pieces[0])
        var pointPos = digits.count
        if pieces.count > 1 { digits += pieces[1] }
        pointPos += exp
        var out: String
        if pointPos <= 0 {
            out = "0." + String(repeating: "0", count: -pointPos) + digits
        } else if pointPos >= digits.count {
            out = digits + String(repeating: "0", count: pointPos - digits.count)
        } else {
            let idx = digits.index(digits.startIndex, offsetBy: pointPos)
            out = digits[..<idx] + "." + digits[idx...]
        }
        while out.contains("."), out.hasSuffix("0") { out.removeLast() }
        if out.hasSuffix(".") { out.removeLast() }
        return (negative ? "-" : "") + out
    }
}

// MARK: - Arithmetic

extension Number {
    /// Sum, exact for integers.
    public static func + (a: Number, b: Number) -> Number {
        if case .int(let x) = a, case .int(let y) = b {
            let (r, o) = x.addingReportingOverflow(y)
            if !o { return .int(r) }
        }
        if let x = a.bigValue, let y = b.bigValue { return integer(x + y) }
        return real(a.doubleValue + b.doubleValue)
    }

    /// Difference, exact for integers.
    public static func - (a: Number, b: Number) -> Number {
        if case .int(let x) = a, case .int(let y) = b {
            let (r, o) = x.subtractingReportingOverflow(y)
            if !o { return .int(r) }
        }
        if let x = a.bigValue, let y = b.bigValue { return integer(x - y) }
        return real(a.doubleValue - b.doubleValue)
    }

    /// Product, exact for integers.
    public static func * (a: Number, b: Number) -> Number {
        if case .int(let x) = a, case .int(let y) = b {
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if !o { return .int(r) }
        }
        if let x = a.bigValue, let y = b.bigValue { return integer(x * y) }
        return real(a.doubleValue * b.doubleValue)
    }

    /// Quotient; nil when dividing by zero. Exact when the integers divide evenly.
    public static func divide(_ a: Number, _ b: Number) -> Number? {
        if b.isZero { return nil }
        if let x = a.bigValue, let y = b.bigValue {
            let (q, r) = x.quotientAndRemainder(dividingBy: y)
            if r == 0 { return integer(q) }
        }
        return real(a.doubleValue / b.doubleValue)
    }

    /// Whether the number is zero.
    public var isZero: Bool {
        switch self {
        case .int(let v): return v == 0
        case .big: return false
        case .float(let v): return v == 0
        }
    }

    /// Negation.
    public static prefix func - (a: Number) -> Number {
        switch a {
        case .int(let v):
            if v == Int.min { return .big(-BigInt(v)) }
            return .int(-v)
        case .big(let v): return integer(-v)
        case .float(let v): return .float(-v)
        }
    }
}

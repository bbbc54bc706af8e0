import BigInt

/// Exact parsing of resource quantities (`units.parse`) and byte sizes (`units.parse_bytes`).
public enum Units {
    /// Why a quantity could not be parsed; `description` is OPA's message without the builtin name.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The message.
        public let description: String
    }

    /// An exact decimal: `digits × 10^-scale`.
    public struct Decimal: Sendable, Equatable {
        /// The unscaled value.
        public var digits: BigInt
        /// Number of decimal places.
        public var scale: Int

        /// The decimal as a Rego number literal (integer when exact, otherwise a plain decimal).
        public var literal: String {
            var d = digits, s = scale
            while s > 0 && d % 10 == 0 { d /= 10; s -= 1 }
            if s <= 0 { return String(d * BigInt(10).power(-s)) }
            let negative = d.sign == .minus
            var text = String(d.magnitude)
            if text.count <= s { text = String(repeating: "0", count: s - text.count + 1) + text }
            let cut = text.index(text.endIndex, offsetBy: -s)
            return (negative ? "-" : "") + text[..<cut] + "." + text[cut...]
        }

        /// The value truncated toward zero.
        public var truncated: BigInt {
            scale <= 0 ? digits * BigInt(10).power(-scale) : digits / BigInt(10).power(scale)
        }
    }

    /// Splits `-1.5e3Ki` into the number (`-1.5e3`) and the unit (`Ki`); an `e` starts an exponent only before a digit.
    static func split(_ s: String) -> (String, String) {
        let chars = Array(s)
        var i = 0
        if i < chars.count && chars[i] == "-" { i += 1 }
        while i < chars.count && (chars[i].isNumber || chars[i] == ".") { i += 1 }
        if i < chars.count, chars[i] == "e" || chars[i] == "E", i > 0 {
            var j = i + 1
            if j < chars.count && (chars[j] == "-" || chars[j] == "+") { j += 1 }
            if j < chars.count && chars[j].isNumber {
                while j < chars.count && chars[j].isNumber { j += 1 }
                i = j
            }
        }
        if i == 1 && chars.first == "-" { i = 0 }
        return (String(chars[..<i]), String(chars[i...]))
    }

    static func decimal(_ raw: String) -> Decimal? {
        var text = Substring(raw)
        var negative = false
        if text.first == "-" { negative = true; text = text.dropFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let value = Int(text[text.index(after: e)...]), abs(value) < 10_000 else { return nil }
            exponent = value
            text = text[..<e]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !text.isEmpty, text != "." else { return nil }
        let whole = parts[0], fraction = parts.count == 2 ? parts[1] : ""
        guard (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard var digits = BigInt(whole + fraction + (whole.isEmpty && fraction.isEmpty ? "0" : "")) else { return nil }
        if negative { digits = -digits }
        return Decimal(digits: digits, scale: fraction.count - exponent)
    }

    static func scaled(_ value: Decimal, power10: Int = 0, power2: Int = 0) -> Decimal {
        var v = value
        if power2 > 0 { v.digits *= BigInt(2).power(power2) }
        v.scale -= power10
        return v
    }

    /// Parses a quantity such as `500m`, `1.5Ki` or `10G` exactly (`units.parse`).
    public static func parse(_ raw: String) throws(Failure) -> Decimal {
        let s = raw.removingAll("\"")
        if s.contains(" ") { throw Failure(description: "spaces not allowed in resource strings") }
        var (number, unit) = split(s)
        if number.isEmpty { throw Failure(description: "no amount provided") }
        if unit.count > 1 { unit = String(unit.prefix(1)) + unit.dropFirst().lowercased() }
        let factor: (Int, Int)
        switch unit {
        case "": factor = (0, 0)
        case "m": factor = (-3, 0)
        case "k", "K": factor = (3, 0)
        case "ki", "Ki": factor = (0, 10)
        case "M": factor = (6, 0)
        case "mi", "Mi": factor = (0, 20)
        case "g", "G": factor = (9, 0)
        case "gi", "Gi": factor = (0, 30)
        case "t", "T": factor = (12, 0)
        case "ti", "Ti": factor = (0, 40)
        case "p", "P": factor = (15, 0)
        case "pi", "Pi": factor = (0, 50)
        case "e", "E": factor = (18, 0)
        case "ei", "Ei": factor = (0, 60)
        default: throw Failure(description: "unknown unit \(unit)")
        }
        guard let value = decimal(number) else { throw Failure(description: "could not parse amount to a number") }
        return scaled(value, power10: factor.0, power2: factor.1)
    }

    /// Parses a byte size such as `10KB`, `1.5GiB` or `12345` into whole bytes (`units.parse_bytes`).
    public static func parseBytes(_ raw: String) throws(Failure) -> BigInt {
        let s = raw.removingAll("\"").lowercased()
        if s.contains(" ") { throw Failure(description: "spaces not allowed in resource strings") }
        let (number, unit) = split(s)
        if number.isEmpty { throw Failure(description: "no byte amount provided") }
        let factor: (Int, Int)
        switch unit {
        case "": factor = (0, 0)
        case "kb", "k": factor = (3, 0)
        case "kib", "ki": factor = (0, 10)
        case "mb", "m": factor = (6, 0)
        case "mib", "mi": factor = (0, 20)
        case "gb", "g": factor = (9, 0)
        case "gib", "gi": factor = (0, 30)
        case "tb", "t": factor = (12, 0)
        case "tib", "ti": factor = (0, 40)
        case "pb", "p": factor = (15, 0)
        case "pib", "pi": factor = (0, 50)
        case "eb", "e": factor = (18, 0)
        case "eib", "ei": factor = (0, 60)
        default: throw Failure(description: "byte size unit not recognized")
        }
        guard let value = decimal(number) else { throw Failure(description: "could not parse byte amount to a number") }
        return scaled(value, power10: factor.0, power2: factor.1).truncated
    }
}

extension String {
    func removingAll(_ target: Character) -> String {
        filter { $0 != target }
    }
}

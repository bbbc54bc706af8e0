import BigInt
import Foundation

/// Go's `fmt.Sprintf` over Rego values, as OPA's `sprintf` passes them: integers as Go ints (or
/// `*big.Int`), other numbers as `float64`, strings as strings, anything else as its Rego text.
enum GoFormat {
    enum Argument {
        case int(BigInt, big: Bool)
        case float(Double)
        case string(String)

        var goType: String {
            switch self {
            case .int(_, let big): return big ? "*big.Int" : "int"
            case .float: return "float64"
            case .string: return "string"
            }
        }
    }

    static func argument(_ value: Value) -> Argument {
        switch value {
        case .number(let n):
            switch n {
            case .int(let i): return .int(BigInt(i), big: false)
            case .big(let b): return .int(b, big: true)
            case .float(let d): return .float(d)
            }
        case .string(let s): return .string(s)
        default: return .string(RegoText.render(value))
        }
    }

    struct Spec {
        var minus = false, plus = false, zero = false, space = false, sharp = false
        var width: Int? = nil
        var precision: Int? = nil
    }

    static func pad(_ body: String, _ spec: Spec, numeric: Bool = false) -> String {
        guard let width = spec.width, body.count < width else { return body }
        let fill = width - body.count
        if spec.minus { return body + String(repeating: " ", count: fill) }
        if spec.zero && numeric {
            var sign = ""
            var digits = Substring(body)
            if let f = digits.first, f == "-" || f == "+" || f == " " { sign = String(f); digits = digits.dropFirst() }
            return sign + String(repeating: "0", count: fill) + digits
        }
        return String(repeating: " ", count: fill) + body
    }

    static func signed(_ text: String, negative: Bool, _ spec: Spec) -> String {
        if negative { return "-" + text }
        if spec.plus { return "+" + text }
        if spec.space { return " " + text }
        return text
    }

    /// Go's shortest `%v`/`%g` rendering of a float64.
    static func shortest(_ d: Double, exponentThreshold: Int = 6) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        // Swift's description gives the shortest round-trip digits; re-layout them Go's way.
        let text = "\(abs(d))"
        var mantissa = text
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(text[..<e])
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        var digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
        var pointPosition = parts[0].count + exponent
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); pointPosition -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let exp10 = pointPosition - 1
        var out: String
        if exp10 < -4 || exp10 >= exponentThreshold {
            let first = digits.prefix(1), rest = digits.dropFirst()
            let e = abs(exp10) < 10 ? "0\(abs(exp10))" : "\(abs(exp10))"
            out = first + (rest.isEmpty ? "" : "." + rest) + "e" + (exp10 < 0 ? "-" : "+") + e
        } else if pointPosition <= 0 {
            out = "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            out = digits + String(repeating: "0", count: pointPosition - digits.count)
        } else {
            let i = digits.index(digits.startIndex, offsetBy: pointPosition)
            out = digits[..<i] + "." + digits[i...]
        }
        return d < 0 ? "-" + out : out
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out += "\\x" + (c.value < 16 ? "0" : "") + String(c.value, radix: 16)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    static func bad(_ verb: Character, _ arg: Argument) -> String {
        "%!\(verb)(\(arg.goType)=\(plain(arg)))"
    }

    static func plain(_ arg: Argument) -> String {
        switch arg {
        case .int(let v, _): return String(v)
        case .float(let d): return shortest(d)
        case .string(let s): return s
        }
    }

    static func cFormat(_ d: Double, _ verb: Character, _ spec: Spec) -> String {
        var format = "%"
        if spec.sharp { format += "#" }
        format += ".\(spec.precision ?? 6)"
        format.append(verb)
        return String(format: format, abs(d))
    }

    static func format(verb: Character, spec: Spec, arg: Argument) -> String {
        switch verb {
        case "v":
            switch arg {
            case .float(let d):
                let body = spec.precision != nil ? cFormat(d, "g", spec) : shortest(abs(d))
                return pad(signed(body, negative: d < 0, spec), spec, numeric: true)
            case .int(let v, _):
                return pad(signed(String(v.magnitude), negative: v.sign == .minus && !v.isZero, spec), spec, numeric: true)
            case .string(let s):
                return pad(spec.precision.map { String(s.prefix($0)) } ?? s, spec)
            }
        case "s":
            switch arg {
            case .string(let s): return pad(spec.precision.map { String(s.prefix($0)) } ?? s, spec)
            case .int(let v, true): return pad(String(v), spec)
            default: return bad(verb, arg)
            }
        case "q":
            switch arg {
            case .string(let s): return pad(quote(s), spec)
            case .int(let v, false):
                if let scalar = Int(exactly: v).flatMap({ UInt32(exactly: $0) }).flatMap(Unicode.Scalar.init) {
                    return pad("'" + String(scalar) + "'", spec)
                }
                return bad(verb, arg)
            default: return bad(verb, arg)
            }
        case "d", "b", "o", "O", "x", "X", "c", "U":
            switch arg {
            case .int(let v, let big):
                let negative = v.sign == .minus && !v.isZero
                var body: String
                switch verb {
                case "d": body = String(v.magnitude)
                case "b": body = String(v.magnitude, radix: 2)
                case "o", "O": body = String(v.magnitude, radix: 8); if verb == "O" { body = "0o" + body } else if spec.sharp { body = "0" + body }
                case "x": body = String(v.magnitude, radix: 16); if spec.sharp { body = "0x" + body }
                case "X": body = String(v.magnitude, radix: 16, uppercase: true); if spec.sharp { body = "0X" + body }
                case "c":
                    guard !big, let scalar = Int(exactly: v).flatMap({ UInt32(exactly: $0) }).flatMap(Unicode.Scalar.init) else {
                        return bad(verb, arg)
                    }
                    return pad(String(scalar), spec)
                default:
                    let hex = String(v.magnitude, radix: 16, uppercase: true)
                    return pad("U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex, spec)
                }
                if let p = spec.precision, body.count < p { body = String(repeating: "0", count: p - body.count) + body }
                return pad(signed(body, negative: negative, spec), spec, numeric: spec.precision == nil)
            case .string(let s) where verb == "x" || verb == "X":
                var body = ""
                for byte in s.utf8 {
                    let h = String(byte, radix: 16, uppercase: verb == "X")
                    body += h.count == 1 ? "0" + h : h
                }
                return pad(body, spec)
            case .float(let d) where verb == "x" || verb == "X" || verb == "b":
                return pad(String(format: verb == "X" ? "%A" : "%a", d), spec)
            default:
                return bad(verb, arg)
            }
        case "f", "F", "e", "E", "g", "G":
            let d: Double
            switch arg {
            case .float(let f): d = f
            case .int: return bad(verb, arg)
            case .string: return bad(verb, arg)
            }
            var body: String
            if (verb == "g" || verb == "G") && spec.precision == nil {
                body = shortest(abs(d))
                if verb == "G" { body = body.uppercased() }
            } else {
                body = cFormat(d, verb == "F" ? "f" : verb, spec)
            }
            return pad(signed(body, negative: d < 0 || (d == 0 && d.sign == .minus), spec), spec, numeric: true)
        case "t":
            if case .string(let s) = arg, s == "true" || s == "false" { return pad(s, spec) }
            return bad(verb, arg)
        case "T":
            return pad(arg.goType, spec)
        default:
            return "%!\(verb)(\(arg.goType)=\(plain(arg)))"
        }
    }

    /// Formats `template` with `values` exactly as Go's `fmt.Sprintf` would, including its `%!` error markers.
    static func sprintf(_ template: String, _ values: [Value]) -> String {
        if let fast = simpleSprintf(template, values) { return fast }
        let args = values.map(argument)
        let chars = Array(template)
        var out = ""
        var next = 0
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "%" else { out.append(c); i += 1; continue }
            i += 1
            var spec = Spec()
            flags: while i < chars.count {
                switch chars[i] {
                case "-": spec.minus = true; spec.zero = false
                case "+": spec.plus = true
                case "0": spec.zero = !spec.minus
                case " ": spec.space = true
                case "#": spec.sharp = true
                default: break flags
                }
                i += 1
            }
            func number() -> Int? {
                if i < chars.count && chars[i] == "*" {
                    i += 1
                    if next < args.count, case .int(let v, _) = args[next] { next += 1; return Int(exactly: v) }
                    next += 1
                    return nil
                }
                var value: Int? = nil
                while i < chars.count, let d = chars[i].wholeNumberValue, chars[i].isASCII {
                    value = (value ?? 0) * 10 + d
                    i += 1
                }
                return value
            }
            spec.width = number()
            if let w = spec.width, w < 0 { spec.minus = true; spec.width = -w }
            if i < chars.count && chars[i] == "." {
                i += 1
                spec.precision = number() ?? 0
            }
            guard i < chars.count else { out += "%!(NOVERB)"; break }
            let verb = chars[i]
            i += 1
            if verb == "%" { out += "%"; continue }
            guard next < args.count else { out += "%!\(verb)(MISSING)"; continue }
            out += format(verb: verb, spec: spec, arg: args[next])
            next += 1
        }
        if next < args.count {
            out += "%!(EXTRA " + args[next...].map { "\($0.goType)=\(plain($0))" }.joined(separator: ", ") + ")"
        }
        return out
    }
}

extension GoFormat {
    /// The common case of ASCII templates without flags or widths: `%s`/`%v` of strings, `%d`/`%v` of machine
    /// integers, `%.Nf` of non-integral numbers, `%%`, every argument used once.
    /// Returns nil for anything else, which the general formatter then handles.
    static func simpleSprintf(_ template: String, _ values: [Value]) -> String? {
        var out = ""
        out.reserveCapacity(template.utf8.count + 16 * values.count)
        let bytes = template.utf8
        var next = 0
        var i = bytes.startIndex
        var literalStart = i
        while i != bytes.endIndex {
            let byte = bytes[i]
            guard byte < 0x80 else { return nil }  // the general formatter handles non-ASCII text
            guard byte == UInt8(ascii: "%") else { i = bytes.index(after: i); continue }
            out += template[literalStart..<i]
            i = bytes.index(after: i)
            guard i != bytes.endIndex else { return nil }
            var verb = bytes[i]
            if verb == UInt8(ascii: "%") {
                out += "%"
                i = bytes.index(after: i)
                literalStart = i
                continue
            }
            var precision: Int? = nil
            if verb == UInt8(ascii: ".") {
                i = bytes.index(after: i)
                guard i != bytes.endIndex, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") else { return nil }
                precision = Int(bytes[i] - UInt8(ascii: "0"))
                i = bytes.index(after: i)
                guard i != bytes.endIndex else { return nil }
                verb = bytes[i]
                guard verb == UInt8(ascii: "f") else { return nil }
            }
            guard next < values.count else { return nil }
            let arg = values[next]
            next += 1
            switch (verb, arg) {
            case (UInt8(ascii: "s"), .string(let s)), (UInt8(ascii: "v"), .string(let s)):
                out += s
            case (UInt8(ascii: "d"), .number(.int(let n))), (UInt8(ascii: "v"), .number(.int(let n))):
                out += String(n)
            case (UInt8(ascii: "f"), .number(.float(let d))):
                guard let p = precision, let text = fixed(d, precision: p) else { return nil }
                out += text
            default:
                return nil
            }
            i = bytes.index(after: i)
            literalStart = i
        }
        guard next == values.count else { return nil }
        out += template[literalStart..<bytes.endIndex]
        return out
    }

    /// `%.Nf` of a finite double, correctly rounded (half to even on the exact binary value,
    /// as Go's strconv does); nil when the exact arithmetic would not fit 128 bits.
    static func fixed(_ d: Double, precision p: Int) -> String? {
        guard d.isFinite, p <= 9, abs(d) < 1e15 else { return nil }
        var scale: UInt64 = 1
        for _ in 0..<p { scale *= 10 }
        // d = m * 2^e exactly, m < 2^53.
        let m = UInt64(d.significandBitPattern) | (d.isNormal ? (UInt64(1) << 52) : 0)
        let e = Int(d.exponent) - 52
        guard e < 0, -e < 120 else { return nil }
        let shift = UInt64(-e)
        let n = UInt128(m) * UInt128(scale)  // d * 10^p * 2^-e, exactly
        var q = n >> shift
        let r = n - (q << shift)
        let half = UInt128(1) << (shift - 1)
        if r > half || (r == half && q & 1 == 1) { q += 1 }
        var digits = String(q)
        if digits.utf8.count <= p { digits = String(repeating: "0", count: p - digits.utf8.count + 1) + digits }
        var text = d.sign == .minus ? "-" : ""
        let cut = digits.index(digits.endIndex, offsetBy: -p)
        text += digits[..<cut]
        if p > 0 { text += "."; text += digits[cut...] }
        return text
    }
}

/// Rego's textual form of a value (as OPA's `ast.Value.String()` prints it).
enum RegoText {
    static func render(_ value: Value) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    static func write(_ value: Value, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n.description
        case .string(let s): JSON.writeString(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                write(item, into: &out)
            }
            out += "]"
        case .set(let set):
            if set.isEmpty { out += "set()"; return }
            out += "{"
            for (i, item) in set.elements.enumerated() {
                if i > 0 { out += ", " }
                write(item, into: &out)
            }
            out += "}"
        case .object(let object):
            out += "{"
            for (i, (k, v)) in object.entries.enumerated() {
                if i > 0 { out += ", " }
                write(k, into: &out)
                out += ": "
                write(v, into: &out)
            }
            out += "}"
        }
    }
}

extension GoFormat {
    static let all: [Builtin] = [
        Builtin("sprintf", [.string, .array(.any)], .string) { a, _ in
            .string(sprintf(try a.string(0), try a.array(1)))
        },
    ]
}

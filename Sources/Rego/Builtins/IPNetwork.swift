/// IPv4/IPv6 addresses and networks with Go's `net.ParseIP` / `net.ParseCIDR` rules, for `net.cidr_*`.
public struct IPNetwork: Sendable, Hashable {
    /// Address bytes (4 for IPv4, 16 for IPv6), masked to the prefix when built from a CIDR.
    public var bytes: [UInt8]
    /// Prefix length in bits.
    public var prefix: Int

    /// Why an address or network could not be parsed.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The message, as Go's `net` package words it.
        public let description: String
    }

    /// Creates a network from bytes and a prefix length.
    public init(bytes: [UInt8], prefix: Int) {
        self.bytes = bytes
        self.prefix = prefix
    }

    /// Parses an IP address (dotted IPv4 or IPv6 text); nil if it is not one.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        if text.contains(":") { return parseIPv6(Substring(text)) }
        return parseIPv4(Substring(text))
    }

    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            if part.count > 1 && part.first == "0" { return nil }
            guard let v = Int(part), v <= 255 else { return nil }
            out.append(UInt8(v))
        }
        return out
    }

    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        var groups: [UInt16] = []
        var tail: [UInt8] = []
        var ellipsis: Int? = nil
        var s = text
        if s.hasPrefix("::") { ellipsis = 0; s = s.dropFirst(2) }
        while !s.isEmpty {
            // IPv4 tail?
            if let dot = s.firstIndex(of: "."), !s[..<dot].contains(":") {
                guard let v4 = parseIPv4(s) else { return nil }
                tail = v4
                s = ""
                break
            }
            let group = s.prefix { $0 != ":" }
            guard !group.isEmpty, group.count <= 4, let v = UInt16(group, radix: 16) else { return nil }
            groups.append(v)
            s = s.dropFirst(group.count)
            if s.hasPrefix("::") {
                guard ellipsis == nil else { return nil }
                ellipsis = groups.count
                s = s.dropFirst(2)
            } else if s.hasPrefix(":") {
                s = s.dropFirst()
                if s.isEmpty { return nil }
            }
        }
        var bytes: [UInt8] = []
        for g in groups { bytes.append(UInt8(g >> 8)); bytes.append(UInt8(g & 0xFF)) }
        bytes.append(contentsOf: tail)
        if let e = ellipsis {
            guard bytes.count < 16 else { return nil }
            let fill = [UInt8](repeating: 0, count: 16 - bytes.count)
            bytes.insert(contentsOf: fill, at: e * 2)
        }
        return bytes.count == 16 ? bytes : nil
    }

    /// Parses `a.b.c.d/n` or `x::/n`; the address is masked to the prefix (Go's `net.ParseCIDR`).
    public static func parseCIDR(_ text: String) throws(Failure) -> IPNetwork {
        let invalid = Failure(description: "invalid CIDR address: \(text)")
        guard let slash = text.firstIndex(of: "/") else { throw invalid }
        guard var bytes = parseAddress(String(text[..<slash])) else { throw invalid }
        let prefixText = text[text.index(after: slash)...]
        guard !prefixText.isEmpty, prefixText.count <= 3, prefixText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let prefix = Int(prefixText), prefix <= bytes.count * 8 else { throw invalid }
        if prefixText.count > 1 && prefixText.first == "0" { throw invalid }
        bytes = mask(bytes, prefix)
        return IPNetwork(bytes: bytes, prefix: prefix)
    }

    static func mask(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
        var out = bytes
        for i in 0..<out.count {
            let bits = max(0, min(8, prefix - i * 8))
            out[i] &= bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        }
        return out
    }

    /// Go's `IP.To4`: the IPv4 form of an IPv4 or IPv4-mapped IPv6 address.
    static func to4(_ bytes: [UInt8]) -> [UInt8]? {
        if bytes.count == 4 { return bytes }
        if bytes.count == 16 && bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return Array(bytes[12...])
        }
        return nil
    }

    /// Whether `address` lies in the network (an IPv4 address also matches an IPv4-mapped network and back).
    public func contains(_ address: [UInt8]) -> Bool {
        var a = address
        if a.count != bytes.count {
            if bytes.count == 4, let v4 = IPNetwork.to4(a) { a = v4 } else if bytes.count == 16 && a.count == 4 {
                a = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + a
            } else { return false }
        }
        return IPNetwork.mask(a, prefix) == bytes
    }

    /// Whether `other` lies entirely inside this network.
    public func contains(network other: IPNetwork) -> Bool {
        other.bytes.count == bytes.count && other.prefix >= prefix && contains(other.bytes)
    }

    /// Whether the two networks share an address.
    public func intersects(_ other: IPNetwork) -> Bool {
        contains(other.bytes) || other.contains(bytes)
    }

    /// Text of an address in Go's canonical form.
    public static func format(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        if let v4 = to4(bytes) { return "::ffff:" + v4.map(String.init).joined(separator: ".") }
        var groups: [UInt16] = []
        for i in stride(from: 0, to: 16, by: 2) { groups.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])) }
        // Longest run of zeros (at least two groups) becomes "::".
        var bestStart = -1, bestLength = 0, i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLength && j - i >= 2 { bestStart = i; bestLength = j - i }
                i = j
            } else { i += 1 }
        }
        var out = ""
        var k = 0
        while k < 8 {
            if k == bestStart {
                out += "::"
                k += bestLength
                continue
            }
            if !out.isEmpty && !out.hasSuffix(":") { out += ":" }
            out += String(groups[k], radix: 16)
            k += 1
        }
        return out
    }

    /// CIDR text, e.g. `10.0.0.0/8`.
    public var description: String { "\(IPNetwork.format(bytes))/\(prefix)" }

    /// First and last address of the network, as big-endian integers in 128 bits.
    var range: (UInt128, UInt128) {
        let width = bytes.count * 8
        var value: UInt128 = 0
        for b in bytes { value = value << 8 | UInt128(b) }
        let hostBits = width - prefix
        let hostMask: UInt128 = hostBits == 0 ? 0 : (hostBits >= 128 ? UInt128.max : (UInt128(1) << hostBits) - 1)
        return (value & ~hostMask, value | hostMask)
    }

    static func bytes(of value: UInt128, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * (count - 1 - $0))) }
    }

    /// Every address of the network, for `net.cidr_expand` (nil if there would be more than `limit`).
    public func addresses(limit: Int) -> [String]? {
        let (low, high) = range
        guard high - low < UInt128(limit) else { return nil }
        var out: [String] = []
        var v = low
        while true {
            out.append(IPNetwork.format(IPNetwork.bytes(of: v, count: bytes.count)))
            if v == high { break }
            v += 1
        }
        return out
    }

    /// The smallest set of networks covering exactly the union of `networks` (per address family).
    public static func merge(_ networks: [IPNetwork]) -> [IPNetwork] {
        var out: [IPNetwork] = []
        for width in [4, 16] {
            let ranges = networks.filter { $0.bytes.count == width }.map(\.range).sorted { $0.0 < $1.0 }
            var merged: [(UInt128, UInt128)] = []
            for r in ranges {
                if let last = merged.last, last.1 == UInt128.max || r.0 <= last.1 + 1 {
                    merged[merged.count - 1].1 = max(last.1, r.1)
                } else {
                    merged.append(r)
                }
            }
            let bits = width * 8
            for (low, high) in merged {
                var start = low
                while true {
                    // Largest block aligned at `start` that fits in [start, high].
                    var size = start == 0 ? bits : min(bits, start.trailingZeroBitCount)
                    while size > 0 {
                        let span: UInt128 = size >= 128 ? UInt128.max : (UInt128(1) << size) - 1
                        if span <= high - start { break }
                        size -= 1
                    }
                    out.append(IPNetwork(bytes: bytes(of: start, count: width), prefix: bits - size))
                    let span: UInt128 = size >= 128 ? UInt128.max : (UInt128(1) << size) - 1
                    if start + span >= high { break }
                    start += span + 1
                }
            }
        }
        return out
    }

    /// Go's `IP.DefaultMask` prefix for an IPv4 address (classful A/B/C).
    public static func defaultPrefix(_ v4: [UInt8]) -> Int {
        v4[0] < 0x80 ? 8 : (v4[0] < 0xC0 ? 16 : 24)
    }
}

/// `net.cidr_*`: IPv4/IPv6 networks with Go's parsing rules.
enum NetBuiltins {
    static let s = BuiltinType.string
    static let b = BuiltinType.boolean

    /// Largest expansion `net.cidr_expand` produces before refusing.
    static let expansionLimit = 1 << 20

    static func network(_ text: String) throws -> IPNetwork {
        do {
            return try IPNetwork.parseCIDR(text)
        } catch {
            throw BuiltinError.builtin(error.description)
        }
    }

    /// Whether `network` contains `item`, an IP address or a CIDR.
    static func contains(_ net: IPNetwork, _ item: String) throws -> Bool {
        if let address = IPNetwork.parseAddress(item) { return net.contains(address) }
        let inner = try network(item)
        let (low, high) = inner.range
        return net.contains(IPNetwork.bytes(of: low, count: inner.bytes.count))
            && net.contains(IPNetwork.bytes(of: high, count: inner.bytes.count))
    }

    /// Entries of a `cidr_contains_matches` operand: (key, address text).
    static func entries(_ value: Value, operand: Int) throws -> [(Value, String)] {
        func text(_ element: Value) throws -> String {
            switch element {
            case .string(let s): return s
            case .array(let items):
                if let first = items.first, case .string(let s) = first { return s }
            default: break
            }
            throw BuiltinError.builtin("operand \(operand + 1): element must be string or non-empty array")
        }
        switch value {
        case .string(let s): return [(value, s)]
        case .array(let items): return try items.enumerated().map { (Value.int($0.offset), try text($0.element)) }
        case .set(let set): return try set.elements.map { ($0, try text($0)) }
        case .object(let object): return try object.entries.map { ($0.0, try text($0.1)) }
        default:
            throw BuiltinError.operand(operand, mustBe: "one of {string, array, set, object}", got: value)
        }
    }

    static let collection = BuiltinType.anyOf([.string, .array(.any), .set(.any), .object(.any, .any)])

    static let all: [Builtin] = [
        Builtin("net.cidr_contains", [s, s], b) { a, _ in
            .bool(try contains(try network(try a.string(0)), try a.string(1)))
        },
        Builtin("net.cidr_intersects", [s, s], b) { a, _ in
            .bool(try network(try a.string(0)).intersects(try network(try a.string(1))))
        },
        Builtin("net.cidr_overlap", [s, s], b) { a, _ in
            .bool(try contains(try network(try a.string(0)), try a.string(1)))
        },
        Builtin("net.cidr_is_valid", [s], b, checkOperands: false) { a, _ in
            guard case .string(let text) = a[0] else { return .false }
            return .bool((try? IPNetwork.parseCIDR(text)) != nil)
        },
        Builtin("net.cidr_expand", [s], .set(s)) { a, _ in
            let net = try network(try a.string(0))
            guard let addresses = net.addresses(limit: expansionLimit) else {
                throw BuiltinError.builtin("CIDR too large to expand")
            }
            return .set(SetValue(addresses.map(Value.string)))
        },
        Builtin("net.cidr_merge", [.anyOf([.array(.string), .set(.string)])], .set(s), checkOperands: false) { a, _ in
            let items: [Value]
            switch a[0] {
            case .array(let values): items = values
            case .set(let set): items = set.elements
            default: throw BuiltinError.operand(0, mustBe: "one of {array, set}", got: a[0])
            }
            var networks: [IPNetwork] = []
            for item in items {
                guard case .string(let text) = item else {
                    throw BuiltinError.type("operand 1 must be array of strings but got array containing \(item.typeName)")
                }
                if let address = IPNetwork.parseAddress(text) {
                    guard let v4 = IPNetwork.to4(address) else {
                        throw BuiltinError.builtin("IPv6 invalid: needs prefix length")
                    }
                    let prefix = IPNetwork.defaultPrefix(v4)
                    networks.append(IPNetwork(bytes: IPNetwork.mask(v4, prefix), prefix: prefix))
                } else {
                    networks.append(try network(text))
                }
            }
            return .set(SetValue(IPNetwork.merge(networks).map { .string($0.description) }))
        },
        Builtin("net.cidr_contains_matches", [collection, collection], .set(.array(.any)), checkOperands: false) { a, _ in
            let cidrs = try entries(a[0], operand: 0)
            let items = try entries(a[1], operand: 1)
            var out = SetValue()
            for (key, cidr) in cidrs {
                let net = try network(cidr)
                for (itemKey, item) in items where try contains(net, item) {
                    out.insert(.array([key, itemKey]))
                }
            }
            return .set(out)
        },
    ]
}

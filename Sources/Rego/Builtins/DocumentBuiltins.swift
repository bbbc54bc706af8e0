import Yams

/// `json.*` and `yaml.*`: (un)marshalling, validity checks, filtering, removal and JSON Patch.
enum DocumentBuiltins {
    static let s = BuiltinType.string
    static let b = BuiltinType.boolean

    // MARK: YAML

    static func yamlMessage(_ error: any Error) -> String {
        if let yaml = error as? YamlError {
            switch yaml {
            case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
                // Like go-yaml, report the line where the unfinished construct began.
                return "yaml: line \(context?.mark.line ?? mark.line): \(problem)"
            default:
                return "yaml: \(yaml)"
            }
        }
        return "yaml: \(error)"
    }

    static func value(_ node: Node, depth: Int = 0) throws -> Value {
        guard depth < JSON.maxDepth else { throw BuiltinError.builtin("yaml: document nests too deeply") }
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return .bool(node.bool ?? false)
            case Tag.Name.int.rawValue:
                let text = scalar.string.replacingUnderscores()
                if let n = Number(text: text) { return .number(n) }
                if let i = node.int { return .int(i) }
                return .string(scalar.string)
            case Tag.Name.float.rawValue:
                if let n = Number(text: scalar.string), scalar.string.first != "." { return .number(n) }
                if let d = node.float, d.isFinite { return .number(.real(d)) }
                return .string(scalar.string)
            default:
                return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .array(try sequence.map { try value($0, depth: depth + 1) })
        case .mapping(let mapping):
            var pairs: [(Value, Value)] = []
            for (k, v) in mapping {
                let key: Value
                if case .scalar(let ks) = k { key = .string(ks.string) } else { key = .string(JSON.serialize(try value(k, depth: depth + 1))) }
                pairs.append((key, try value(v, depth: depth + 1)))
            }
            return .object(ObjectValue(pairs))
        default:
            throw BuiltinError.builtin("yaml: unsupported node")
        }
    }

    static func parseYAML(_ text: String) throws -> Value {
        do {
            guard let node = try Yams.compose(yaml: text) else { return .null }
            return try value(node)
        } catch let error as BuiltinError {
            throw error
        } catch {
            throw BuiltinError.builtin(yamlMessage(error))
        }
    }

    static func node(_ value: Value) -> Node {
        switch value {
        case .null: return Node("null", .init(.null))
        case .bool(let v): return Node(v ? "true" : "false", .init(.bool))
        case .number(let n): return Node(n.description, .init(n.isInteger ? .int : .float))
        case .string(let text): return Node(text, .init(.str))
        case .array(let items): return Node(items.map(node))
        case .set(let set): return Node(set.elements.map(node))
        case .object(let object):
            return Node(object.entries.map { (k, v) -> (Node, Node) in
                if case .string(let ks) = k { return (Node(ks, .init(.str)), node(v)) }
                return (Node(JSON.serialize(k), .init(.str)), node(v))
            })
        }
    }

    static func marshalYAML(_ value: Value) throws -> String {
        do {
            return try Yams.serialize(node: node(value), width: -1, allowUnicode: true)
        } catch {
            throw BuiltinError.builtin(yamlMessage(error))
        }
    }

    // MARK: Paths

    /// Paths of `json.filter` / `json.remove`: strings `a/b/c` (with `~0`/`~1` escapes) or arrays of segments.
    static func paths(_ value: Value, name: String) throws -> [[Value]] {
        let items: [Value]
        switch value {
        case .array(let a): items = a
        case .set(let s): items = s.elements
        default: throw BuiltinError.operand(1, mustBe: "one of {set, array}", got: value)
        }
        return try items.map { item in
            switch item {
            case .string(let text):
                var trimmed = Substring(text)
                while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
                if trimmed.isEmpty { return [] }
                return trimmed.split(separator: "/", omittingEmptySubsequences: false).map {
                    .string(String($0).unescapedPointer())
                }
            case .array(let segments):
                return segments
            default:
                throw BuiltinError.type("operand 2 must be one of {set, array} containing string paths or array of path segments but got \(item.typeName)")
            }
        }
    }

    final class PathTree {
        var children: [Value: PathTree] = [:]
        var terminal = false
        func insert(_ path: ArraySlice<Value>) {
            guard let first = path.first else { terminal = true; return }
            let child = children[first] ?? PathTree()
            children[first] = child
            child.insert(path.dropFirst())
        }
        func child(_ key: Value) -> PathTree? {
            if let c = children[key] { return c }
            // Array indices may be written as strings.
            if case .number(let n) = key { return children[.string(n.description)] }
            return nil
        }
    }

    static func tree(_ paths: [[Value]]) -> PathTree {
        let root = PathTree()
        for p in paths { root.insert(p[...]) }
        return root
    }

    static func filter(_ value: Value, _ tree: PathTree) -> Value? {
        if tree.terminal { return value }
        switch value {
        case .object(let object):
            var pairs: [(Value, Value)] = []
            for (k, v) in object.entries {
                if let sub = tree.child(k), let kept = filter(v, sub) { pairs.append((k, kept)) }
            }
            return .object(ObjectValue(pairs))
        case .array(let items):
            var out: [Value] = []
            for (i, v) in items.enumerated() {
                if let sub = tree.child(.int(i)), let kept = filter(v, sub) { out.append(kept) }
            }
            return .array(out)
        case .set(let set):
            var out: [Value] = []
            for v in set.elements {
                if let sub = tree.child(v), let kept = filter(v, sub) { out.append(kept) }
            }
            return .set(SetValue(out))
        default:
            return nil
        }
    }

    static func remove(_ value: Value, _ tree: PathTree) -> Value? {
        if tree.terminal { return nil }
        switch value {
        case .object(let object):
            var pairs: [(Value, Value)] = []
            for (k, v) in object.entries {
                if let sub = tree.child(k) {
                    if let kept = remove(v, sub) { pairs.append((k, kept)) }
                } else {
                    pairs.append((k, v))
                }
            }
            return .object(ObjectValue(pairs))
        case .array(let items):
            var out: [Value] = []
            for (i, v) in items.enumerated() {
                if let sub = tree.child(.int(i)) {
                    if let kept = remove(v, sub) { out.append(kept) }
                } else {
                    out.append(v)
                }
            }
            return .array(out)
        case .set(let set):
            var out: [Value] = []
            for v in set.elements {
                if let sub = tree.child(v) {
                    if let kept = remove(v, sub) { out.append(kept) }
                } else {
                    out.append(v)
                }
            }
            return .set(SetValue(out))
        default:
            return value
        }
    }

    // MARK: JSON Patch (RFC 6902)

    /// A JSON Patch path: `/a/b` (leading slash optional, `~0`/`~1` escapes) or an array of segments.
    static func pointer(_ value: Value) -> [Value]? {
        switch value {
        case .string(let text):
            if text.isEmpty { return [] }
            let body = text.hasPrefix("/") ? text.dropFirst() : Substring(text)
            return body.split(separator: "/", omittingEmptySubsequences: false).map { .string(String($0).unescapedPointer()) }
        case .array(let items):
            return items
        default:
            return nil
        }
    }

    /// An array index segment: a number, or a string of digits without leading zeros.
    static func index(_ segment: Value, count: Int, allowEnd: Bool) -> Int? {
        switch segment {
        case .number(let n):
            guard let i = n.intValue, i >= 0, allowEnd ? i <= count : i < count else { return nil }
            return i
        case .string(let text):
            if allowEnd && text == "-" { return count }
            guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), text == "0" || !text.hasPrefix("0"),
                  let i = Int(text), allowEnd ? i <= count : i < count else { return nil }
            return i
        default:
            return nil
        }
    }

    static func get(_ doc: Value, _ path: ArraySlice<Value>) -> Value? {
        guard let first = path.first else { return doc }
        switch doc {
        case .object(let o): return o[first].flatMap { get($0, path.dropFirst()) }
        case .array(let a):
            guard let i = index(first, count: a.count, allowEnd: false) else { return nil }
            return get(a[i], path.dropFirst())
        case .set(let s):
            return s.contains(first) ? get(first, path.dropFirst()) : nil
        default: return nil
        }
    }

    enum Edit { case add(Value), remove, replace(Value) }

    static func apply(_ doc: Value, _ path: ArraySlice<Value>, _ edit: Edit) -> Value? {
        guard let first = path.first else {
            switch edit {
            case .add(let v), .replace(let v): return v
            case .remove: return nil
            }
        }
        let last = path.count == 1
        switch doc {
        case .object(var o):
            if last {
                switch edit {
                case .add(let v): o.set(first, v)
                case .replace(let v):
                    guard o[first] != nil else { return nil }
                    o.set(first, v)
                case .remove:
                    guard o[first] != nil else { return nil }
                    o.remove(first)
                }
                return .object(o)
            }
            guard let child = o[first], let updated = apply(child, path.dropFirst(), edit) else { return nil }
            o.set(first, updated)
            return .object(o)
        case .array(var a):
            if last {
                switch edit {
                case .add(let v):
                    guard let i = index(first, count: a.count, allowEnd: true) else { return nil }
                    a.insert(v, at: i)
                case .replace(let v):
                    guard let i = index(first, count: a.count, allowEnd: false) else { return nil }
                    a[i] = v
                case .remove:
                    guard let i = index(first, count: a.count, allowEnd: false) else { return nil }
                    a.remove(at: i)
                }
                return .array(a)
            }
            guard let i = index(first, count: a.count, allowEnd: false), let updated = apply(a[i], path.dropFirst(), edit) else { return nil }
            a[i] = updated
            return .array(a)
        case .set(var s):
            if last {
                switch edit {
                case .add(let v):
                    // A set element is its own key.
                    guard v == first else { return nil }
                    s.insert(v)
                case .replace(let v):
                    guard s.contains(first), v == first else { return nil }
                case .remove:
                    guard s.contains(first) else { return nil }
                    s = s.subtracting(SetValue([first]))
                }
                return .set(s)
            }
            guard s.contains(first), let updated = apply(first, path.dropFirst(), edit) else { return nil }
            var out = s.subtracting(SetValue([first]))
            out.insert(updated)
            return .set(out)
        default:
            return nil
        }
    }

    static func patch(_ doc: Value, _ operations: [Value]) throws -> Value? {
        var current = doc
        for operation in operations {
            guard case .object(let op) = operation, case .string(let kind)? = op["op"], let pathValue = op["path"],
                  let path = pointer(pathValue) else {
                return nil
            }
            switch kind {
            case "add":
                guard let v = op["value"], let next = apply(current, path[...], .add(v)) else { return nil }
                current = next
            case "remove":
                guard !path.isEmpty, let next = apply(current, path[...], .remove) else { return nil }
                current = next
            case "replace":
                guard let v = op["value"], get(current, path[...]) != nil, let next = apply(current, path[...], .replace(v)) else { return nil }
                current = next
            case "move", "copy":
                guard let fromValue = op["from"], let from = pointer(fromValue), let v = get(current, from[...]) else { return nil }
                if kind == "move" {
                    if path == from { continue }
                    if path.starts(with: from) && path.count > from.count { return nil }
                    guard let removed = apply(current, from[...], .remove) else { return nil }
                    current = removed
                }
                guard let next = apply(current, path[...], .add(v)) else { return nil }
                current = next
            case "test":
                guard let v = op["value"], let actual = get(current, path[...]), actual == v else { return nil }
            default:
                return nil
            }
        }
        return current
    }

    static let all: [Builtin] = [
        Builtin("json.marshal", [.any], s) { a, _ in .string(JSON.serialize(a[0])) },
        Builtin("json.marshal_with_options", [.any, .object(.string, .any)], s) { a, _ in
            let options = try a.object(1)
            let pretty = options["pretty"]?.boolValue ?? (options["indent"] != nil || options["prefix"] != nil)
            guard pretty else { return .string(JSON.serialize(a[0])) }
            let indent = options["indent"]?.stringValue ?? "\t"
            let prefix = options["prefix"]?.stringValue ?? ""
            let text = JSON.serializePretty(a[0], indent: indent)
            return .string(text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n"))
        },
        Builtin("json.unmarshal", [s], .any) { a, _ in
            do {
                return try JSON.parse(try a.string(0))
            } catch let error as BuiltinError {
                throw error
            } catch {
                throw BuiltinError.builtin("\(error)")
            }
        },
        Builtin("json.is_valid", [.any], b) { a, _ in
            guard case .string(let text) = a[0] else { return .false }
            return .bool((try? JSON.parse(text)) != nil)
        },
        Builtin("yaml.marshal", [.any], s) { a, _ in .string(try marshalYAML(a[0])) },
        Builtin("yaml.unmarshal", [s], .any) { a, _ in try parseYAML(try a.string(0)) },
        Builtin("yaml.is_valid", [.any], b) { a, _ in
            guard case .string(let text) = a[0] else { return .false }
            return .bool((try? parseYAML(text)) != nil)
        },
        Builtin("json.filter", [.object(.any, .any), .anyOf([.array(.any), .set(.any)])], .any) { a, _ in
            filter(a[0], tree(try paths(a[1], name: "json.filter")))
        },
        Builtin("json.remove", [.object(.any, .any), .anyOf([.array(.any), .set(.any)])], .any, checkOperands: false) { a, _ in
            guard case .object = a[0] else { throw BuiltinError.operand(0, mustBe: .object(.any, .any), got: a[0]) }
            return remove(a[0], tree(try paths(a[1], name: "json.remove")))
        },
        Builtin("json.patch", [.any, .array(.object(.string, .any))], .any) { a, _ in
            try patch(a[0], try a.array(1))
        },
    ]
}

extension String {
    /// Undoes JSON Pointer escaping (`~1` → `/`, `~0` → `~`).
    func unescapedPointer() -> String {
        guard contains("~") else { return self }
        var out = ""
        var iterator = makeIterator()
        while let c = iterator.next() {
            if c == "~" {
                switch iterator.next() {
                case "0": out.append("~")
                case "1": out.append("/")
                case let other?: out.append("~"); out.append(other)
                case nil: out.append("~")
                }
            } else {
                out.append(c)
            }
        }
        return out
    }

    func replacingUnderscores() -> String { filter { $0 != "_" } }
}

/// A `# METADATA` comment block: YAML describing the package or rule that follows it.
public struct Annotation: Sendable {
    /// `package`, `subpackages`, `rule` or `document`.
    public var scope: String
    /// The annotation as OPA renders it (`scope`, `title`, `description`, `authors`, ...).
    public var value: ObjectValue
    /// Where the block starts.
    public var location: Location
    /// The annotated rule's location, or nil when the block annotates the package.
    public var ruleLocation: Location?

    /// The keys OPA accepts in an annotation block.
    static let keys: Set<String> = [
        "scope", "title", "description", "entrypoint", "organizations", "related_resources", "authors", "schemas", "custom", "compile",
    ]

    /// Finds the METADATA blocks among a module's comments and attaches each to the statement after it.
    static func blocks(in comments: [(row: Int, col: Int, text: String)], module: Module) throws -> [Annotation] {
        var groups: [[(row: Int, col: Int, text: String)]] = []
        for c in comments {
            if var last = groups.last, let prev = last.last, prev.row + 1 == c.row {
                last.append(c)
                groups[groups.count - 1] = last
            } else {
                groups.append([c])
            }
        }
        var out: [Annotation] = []
        for group in groups {
            guard let first = group.first, first.text.annotationTrimmed == "METADATA" else { continue }
            let location = Location(file: module.file, row: first.row, col: first.col)
            let lines = group.dropFirst().map(\.text)
            let indented = lines.allSatisfy { $0.isEmpty || $0.hasPrefix(" ") }
            let yaml = lines.map { indented && !$0.isEmpty ? String($0.dropFirst()) : $0 }.joined(separator: "\n")
            let parsed: Value
            do {
                parsed = yaml.annotationTrimmed.isEmpty ? .emptyObject : try DocumentBuiltins.parseYAML(yaml)
            } catch let e as BuiltinError {
                throw RegoError(code: RegoError.Code.parse, message: "yaml: \(e.message)", location: location)
            }
            guard case .object(let fields) = parsed else {
                throw RegoError(code: RegoError.Code.parse, message: "yaml: unmarshal errors: cannot unmarshal into annotations", location: location)
            }
            let end = group[group.count - 1].row
            let rule = module.rules.first { $0.location.row > end && $0.location.file == module.file }
            let annotatesPackage = module.packageLocation.row > end && (rule == nil || module.packageLocation.row < rule!.location.row)
            if !annotatesPackage && rule == nil { continue }
            out.append(try make(fields, location: location, ruleLocation: annotatesPackage ? nil : rule?.location))
        }
        return out
    }

    static func make(_ fields: ObjectValue, location: Location, ruleLocation: Location?) throws -> Annotation {
        func fail(_ message: String) -> RegoError { RegoError(code: RegoError.Code.parse, message: message, location: location) }
        var out: [String: Value] = [:]
        var scope = ruleLocation == nil ? "package" : "rule"
        for (k, v) in fields.entries {
            guard case .string(let key) = k else { continue }
            if !keys.contains(key) { continue }
            switch key {
            case "scope":
                guard case .string(let s) = v else { throw fail("invalid scope: must be a string") }
                scope = s
            case "title", "description":
                if case .string(let s) = v, !s.isEmpty { out[key] = .string(s) }
            case "entrypoint":
                if v == .true { out[key] = .true }
            case "organizations":
                if case .array(let items) = v, !items.isEmpty { out[key] = .array(items) }
            case "authors":
                guard case .array(let items) = v else { throw fail("invalid authors: must be a list") }
                out[key] = .array(try items.map { item in
                    switch item {
                    case .string(let s): return author(s)
                    case .object(let o):
                        var a: [String: Value] = [:]
                        if let n = o["name"]?.stringValue, !n.isEmpty { a["name"] = .string(n) }
                        if let e = o["email"]?.stringValue, !e.isEmpty { a["email"] = .string(e) }
                        if a.isEmpty { throw fail("invalid author: at least one of 'name' or 'email' must be set") }
                        return .object(ObjectValue(a))
                    default: throw fail("invalid author: must be a string or an object")
                    }
                })
            case "related_resources":
                guard case .array(let items) = v else { throw fail("invalid related_resources: must be a list") }
                out[key] = .array(items.map { item in
                    if case .object(let o) = item {
                        var r: [String: Value] = [:]
                        if let ref = o["ref"] { r["ref"] = ref }
                        if let d = o["description"]?.stringValue, !d.isEmpty { r["description"] = .string(d) }
                        return .object(ObjectValue(r))
                    }
                    return .object(ObjectValue(["ref": item]))
                })
            case "custom":
                if case .object(let o) = v, !o.isEmpty { out[key] = v }
            case "schemas":
                if case .array(let items) = v {
                    out[key] = .array(items.compactMap { item -> Value? in
                        guard case .object(let o) = item, let (pk, pv) = o.entries.first(where: { _ in true }), case .string(let path) = pk else { return nil }
                        var s: [String: Value] = ["path": .array(path.split(separator: ".").map { .string(String($0)) })]
                        if case .string(let schema) = pv {
                            s["schema"] = .array(schema.split(separator: ".").map { .string(String($0)) })
                        } else {
                            s["definition"] = pv
                        }
                        return .object(ObjectValue(s))
                    })
                }
            default:
                break
            }
        }
        out["scope"] = .string(scope)
        return Annotation(scope: scope, value: ObjectValue(out), location: location, ruleLocation: ruleLocation)
    }

    /// `Name <email>` → `{"name": ..., "email": ...}`.
    static func author(_ text: String) -> Value {
        let t = text.annotationTrimmed
        if t.hasSuffix(">"), let open = t.lastIndex(of: "<") {
            let name = String(t[..<open]).annotationTrimmed
            let email = String(t[t.index(after: open)..<t.index(before: t.endIndex)])
            var a: [String: Value] = ["email": .string(email)]
            if !name.isEmpty { a["name"] = .string(name) }
            return .object(ObjectValue(a))
        }
        return .object(ObjectValue(["name": .string(t)]))
    }
}

extension String {
    var annotationTrimmed: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

/// `json.verify_schema` and `json.match_schema`: a JSON Schema (draft 4–7 core keywords) checker
/// whose messages follow gojsonschema, the library OPA uses.
enum SchemaBuiltins {
    struct Failure {
        var field: String
        var type: String
        var description: String
    }

    static let primitiveTypes = ["array", "boolean", "integer", "number", "null", "object", "string"]

    /// Checks the schema itself; returns the gojsonschema-style message of the first problem.
    static func verify(_ schema: Value, depth: Int = 0) -> String? {
        guard depth < 200 else { return "schema nests too deeply" }
        switch schema {
        case .bool: return nil
        case .object(let object):
            if let type = object["type"] {
                let names: [Value]
                switch type {
                case .string: names = [type]
                case .array(let items): names = items
                default: return "Invalid type. Expected: string/array of strings, given: type"
                }
                for name in names {
                    guard case .string(let text) = name, primitiveTypes.contains(text) else {
                        let given = name.stringValue ?? RegoText.render(name)
                        return "has a primitive type that is NOT VALID -- given: /\(given)/ Expected valid values are:[\(primitiveTypes.joined(separator: " "))]"
                    }
                }
            }
            for key in ["properties", "patternProperties", "definitions", "$defs"] {
                if case .object(let children)? = object[key] {
                    for child in children.values { if let error = verify(child, depth: depth + 1) { return error } }
                }
            }
            for key in ["items", "additionalProperties", "not", "additionalItems"] {
                if let child = object[key], case .object = child {
                    if let error = verify(child, depth: depth + 1) { return error }
                }
            }
            for key in ["allOf", "anyOf", "oneOf"] {
                if case .array(let children)? = object[key] {
                    for child in children { if let error = verify(child, depth: depth + 1) { return error } }
                }
            }
            if case .array(let children)? = object["items"] {
                for child in children { if let error = verify(child, depth: depth + 1) { return error } }
            }
            return nil
        default:
            return "Invalid type. Expected: object, given: \(typeName(schema))"
        }
    }

    static func typeName(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let n): return n.isInteger ? "integer" : "number"
        case .string: return "string"
        case .array, .set: return "array"
        case .object: return "object"
        }
    }

    static func matchesType(_ value: Value, _ type: String) -> Bool {
        let actual = typeName(value)
        return actual == type || (type == "number" && actual == "integer")
    }

    static func fieldName(_ path: [String]) -> String {
        path.isEmpty ? "(root)" : path.joined(separator: ".")
    }

    static func validate(_ value: Value, _ schema: Value, path: [String], root: Value, into failures: inout [Failure], depth: Int = 0) {
        guard depth < 200 else { return }
        let field = fieldName(path)
        guard case .object(let s) = schema else {
            if case .bool(false) = schema {
                failures.append(Failure(field: field, type: "false", description: "False always fails validation"))
            }
            return
        }
        if case .string(let ref)? = s["$ref"], ref.hasPrefix("#") {
            var target: Value? = root
            for part in ref.dropFirst().split(separator: "/") { target = target?[String(part).unescapedPointer()] }
            if let target { validate(value, target, path: path, root: root, into: &failures, depth: depth + 1) }
            return
        }
        if let type = s["type"] {
            let names = (type.arrayValue ?? [type]).compactMap(\.stringValue)
            if !names.isEmpty && !names.contains(where: { matchesType(value, $0) }) {
                failures.append(Failure(field: field, type: "invalid_type",
                    description: "Invalid type. Expected: \(names.joined(separator: ", ")), given: \(typeName(value))"))
                return
            }
        }
        // Combinators, in gojsonschema's order (before the common and type-specific keywords).
        if case .array(let any)? = s["anyOf"], !any.isEmpty {
            var best: [Failure]?
            var matched = false
            for sub in any where !matched {
                var sf: [Failure] = []
                validate(value, sub, path: path, root: root, into: &sf, depth: depth + 1)
                if sf.isEmpty { matched = true } else if best == nil || sf.count < best!.count { best = sf }
            }
            if !matched {
                failures.append(Failure(field: field, type: "number_any_of", description: "Must validate at least one schema (anyOf)"))
                failures += best ?? []
            }
        }
        if case .array(let one)? = s["oneOf"], !one.isEmpty {
            var best: [Failure]?
            var validated = 0
            for sub in one {
                var sf: [Failure] = []
                validate(value, sub, path: path, root: root, into: &sf, depth: depth + 1)
                if sf.isEmpty { validated += 1 } else if validated == 0 && (best == nil || sf.count < best!.count) { best = sf }
            }
            if validated != 1 {
                failures.append(Failure(field: field, type: "number_one_of", description: "Must validate one and only one schema (oneOf)"))
                if validated == 0 { failures += best ?? [] }
            }
        }
        if case .array(let all)? = s["allOf"], !all.isEmpty {
            var validated = 0
            for sub in all {
                var sf: [Failure] = []
                validate(value, sub, path: path, root: root, into: &sf, depth: depth + 1)
                if sf.isEmpty { validated += 1 }
                failures += sf
            }
            if validated != all.count {
                failures.append(Failure(field: field, type: "number_all_of", description: "Must validate all the schemas (allOf)"))
            }
        }
        if let not = s["not"] {
            var sf: [Failure] = []
            validate(value, not, path: path, root: root, into: &sf, depth: depth + 1)
            if sf.isEmpty {
                failures.append(Failure(field: field, type: "number_not", description: "Must not validate the schema (not)"))
            }
        }
        if case .array(let allowed)? = s["enum"], !allowed.contains(value) {
            let list = allowed.map { JSON.serialize($0) }.joined(separator: ",")
            failures.append(Failure(field: field, type: "enum", description: "\(field) must be one of the following: \(list)"))
        }
        if let constant = s["const"], constant != value {
            failures.append(Failure(field: field, type: "const", description: "\(field) does not match: \(JSON.serialize(constant))"))
        }
        switch value {
        case .object(let object):
            if case .array(let required)? = s["required"] {
                for case .string(let name) in required where object[name] == nil {
                    failures.append(Failure(field: field, type: "required", description: "\(name) is required"))
                }
            }
            let properties = s["properties"]?.objectValue
            for (k, v) in object.entries {
                guard case .string(let key) = k else { continue }
                if let sub = properties?[key] {
                    validate(v, sub, path: path + [key], root: root, into: &failures, depth: depth + 1)
                } else if let additional = s["additionalProperties"] {
                    if case .bool(false) = additional {
                        failures.append(Failure(field: field, type: "additional_property_not_allowed",
                                                description: "Additional property \(key) is not allowed"))
                    } else {
                        validate(v, additional, path: path + [key], root: root, into: &failures, depth: depth + 1)
                    }
                }
            }
        case .array(let items):
            if let itemSchema = s["items"], case .object = itemSchema {
                for (i, item) in items.enumerated() {
                    validate(item, itemSchema, path: path + [String(i)], root: root, into: &failures, depth: depth + 1)
                }
            }
            if let min = s["minItems"]?.numberValue?.intValue, items.count < min {
                failures.append(Failure(field: field, type: "array_min_items", description: "Array must have at least \(min) items"))
            }
            if let max = s["maxItems"]?.numberValue?.intValue, items.count > max {
                failures.append(Failure(field: field, type: "array_max_items", description: "Array must have at most \(max) items"))
            }
        case .string(let text):
            let length = text.unicodeScalars.count
            if let min = s["minLength"]?.numberValue?.intValue, length < min {
                failures.append(Failure(field: field, type: "string_gte", description: "String length must be greater than or equal to \(min)"))
            }
            if let max = s["maxLength"]?.numberValue?.intValue, length > max {
                failures.append(Failure(field: field, type: "string_lte", description: "String length must be less than or equal to \(max)"))
            }
            if case .string(let pattern)? = s["pattern"], let re = try? RegularExpression.cached(pattern), !re.matches(text) {
                failures.append(Failure(field: field, type: "pattern", description: "Does not match pattern '\(pattern)'"))
            }
        case .number(let n):
            if case .number(let min)? = s["minimum"], Number.compare(n, min) < 0 {
                failures.append(Failure(field: field, type: "number_gte", description: "Must be greater than or equal to \(min)"))
            }
            if case .number(let max)? = s["maximum"], Number.compare(n, max) > 0 {
                failures.append(Failure(field: field, type: "number_lte", description: "Must be less than or equal to \(max)"))
            }
        default:
            break
        }
    }

    /// The schema operand: an object, or a string holding JSON.
    static func schema(_ value: Value, name: String) throws -> Value {
        if case .string(let text) = value {
            do { return try JSON.parse(text) } catch { throw BuiltinError.builtin("jsonschema: \(error)") }
        }
        return value
    }

    static let schemaType = BuiltinType.anyOf([.string, .object(.any, .any), .boolean])

    static let all: [Builtin] = [
        Builtin("json.verify_schema", [schemaType], .array(.any)) { a, _ in
            let parsed: Value
            do { parsed = try schema(a[0], name: "json.verify_schema") } catch let error as BuiltinError {
                return .array([.false, .string(error.message)])
            }
            if let problem = verify(parsed) { return .array([.false, .string("jsonschema: " + problem)]) }
            return .array([.true, .null])
        },
        Builtin("json.match_schema", [.anyOf([.string, .object(.any, .any), .array(.any), .set(.any)]), schemaType], .array(.any)) { a, _ in
            let parsedSchema = try schema(a[1], name: "json.match_schema")
            if let problem = verify(parsedSchema) { throw BuiltinError.builtin(problem) }
            var document = a[0]
            if case .string(let text) = document {
                do { document = try JSON.parse(text) } catch { throw BuiltinError.builtin("\(error)") }
            }
            var failures: [Failure] = []
            validate(document, parsedSchema, path: [], root: parsedSchema, into: &failures)
            let errors: [Value] = failures.map { f in
                ["error": .string("\(f.field): \(f.description)"), "type": .string(f.type), "field": .string(f.field),
                 "desc": .string(f.description)]
            }
            return .array([.bool(failures.isEmpty), .array(errors)])
        },
    ]
}

import Testing
@testable import Rego

/// Calls a library builtin by name, as the evaluator does.
func callBuiltin(_ name: String, _ args: Value..., now: Int64 = 1_700_000_000_000_000_000) throws -> Value? {
    guard let builtin = BuiltinRegistry.lookup(name) else {
        Issue.record("builtin \(name) is not registered")
        return nil
    }
    return try builtin.callSingle(args, context: BuiltinContext(nowNanoseconds: now))
}

func builtinError(_ name: String, _ args: Value...) -> BuiltinError? {
    guard let builtin = BuiltinRegistry.lookup(name) else { return nil }
    do {
        _ = try builtin.callSingle(args, context: BuiltinContext(nowNanoseconds: 0))
        return nil
    } catch let error as BuiltinError {
        return error
    } catch {
        return nil
    }
}

@Suite("Builtins: strings")
struct BuiltinsStringTests {
    @Test func basics() throws {
        #expect(try callBuiltin("indexof", "åäö", "ö") == 2)
        #expect(try callBuiltin("indexof_n", "sad book is sad", "sad") == [0, 12])
        #expect(try callBuiltin("substring", "åäöx", 1, 2) == "äö")
        #expect(try callBuiltin("substring", "abc", 1, -1) == "bc")
        #expect(builtinError("substring", "aaa", -1, -1)?.message == "negative offset")
        #expect(try callBuiltin("split", "a.b.c", ".") == ["a", "b", "c"])
        #expect(try callBuiltin("replace", "abc", "", "-") == "-a-b-c-")
        #expect(try callBuiltin("trim", "..abc..", ".") == "abc")
        #expect(try callBuiltin("trim_space", "\t abc \n") == "abc")
        #expect(try callBuiltin("trim_prefix", "abc", "ab") == "c")
        #expect(try callBuiltin("trim_suffix", "abc", "bc") == "a")
        #expect(try callBuiltin("upper", "abcé") == "ABCÉ")
        #expect(try callBuiltin("strings.count", "cheese", "e") == 3)
        #expect(try callBuiltin("strings.replace_n", ["a": "b", "b": "c"], "ab") == "bc")
        #expect(try callBuiltin("strings.reverse", "åbc") == "cbå")
        #expect(builtinError("strings.reverse", 1)?.message == "reverse: operand 1 must be string but got number")
        #expect(try callBuiltin("strings.any_prefix_match", ["foo/bar", "x"], "foo") == true)
        #expect(builtinError("strings.any_prefix_match", [1], "foo")?.message
            == "operand 1 must be array of strings but got array containing number")
    }

    @Test func sprintfLikeGo() throws {
        #expect(try callBuiltin("sprintf", "%s", [.number(Number(text: "123456789123456789123")!)]) == "123456789123456789123")
        #expect(try callBuiltin("sprintf", "%d items, %v, %.2f", [3, "x", 1.5]) == "3 items, x, 1.50")
        #expect(try callBuiltin("sprintf", "%v %v", [["a": 1], Value.set(SetValue([1, 2]))]) == "{\"a\": 1} {1, 2}")
        #expect(try callBuiltin("sprintf", "%d", ["x"]) == "%!d(string=x)")
        #expect(try callBuiltin("sprintf", "%s %s", ["x"]) == "x %!s(MISSING)")
        #expect(try callBuiltin("sprintf", "%5s|%-5d|%05d|%x", ["ab", 7, 42, 255]) == "   ab|7    |00042|ff")
        #expect(try callBuiltin("sprintf", "%v", [0.00001]) == "1e-05")
    }
}

@Suite("Builtins: regex and glob via the registry")
struct BuiltinsPatternTests {
    @Test func regex() throws {
        #expect(try callBuiltin("regex.match", "^[a-z]+$", "abc") == true)
        #expect(try callBuiltin("regex.is_valid", "++") == false)
        #expect(builtinError("regex.match", "[a", "x")?.message == "error parsing regexp: missing closing ]: `[a`")
        #expect(try callBuiltin("regex.find_all_string_submatch_n", "a(x*)b", "-ab-axb-", -1) == [["ab", ""], ["axb", "x"]])
        #expect(try callBuiltin("regex.replace", "foo bar", "o+", "0") == "f0 bar")
        #expect(try callBuiltin("regex.split", "a", "banana") == ["b", "n", "n", ""])
        #expect(try callBuiltin("regex.template_match", "urn:foo:{.*}", "urn:foo:bar:baz", "{", "}") == true)
        #expect(try callBuiltin("glob.match", "*.github.com", ["."], "api.github.com") == true)
        #expect(try callBuiltin("glob.match", "*", .null, "a.b") == true)
        #expect(try callBuiltin("regex.globs_match", "a.a.[0-9]+z", ".b.b2359825792*594823z") == true)
        #expect(try callBuiltin("regex.globs_match", "a+", "b+") == false)
        #expect(builtinError("regex.globs_match", "pqrs]", "[a-b]+")?.message
            == "input:pqrs], pos:5, set-close ']' with no preceding '[': the input provided is invalid")
    }
}

@Suite("Builtins: time, units, semver, net, uuid")
struct BuiltinsScalarFamilyTests {
    @Test func time() throws {
        #expect(try callBuiltin("time.date", .array([1_582_977_600_000_000_000, "America/Los_Angeles"])) == [2020, 2, 29])
        #expect(try callBuiltin("time.clock", .array([1_517_832_000_000_000_000, "America/New_York"])) == [7, 0, 0])
        #expect(builtinError("time.date", .number(Number(text: "1582977600000000000000")!))?.message == "timestamp too big")
        #expect(try callBuiltin("time.format", .array([1_582_977_600_000_000_000, "Asia/Kolkata", "RFC1123Z"])) == "Sat, 29 Feb 2020 17:30:00 +0530")
        #expect(try callBuiltin("time.diff", 1_582_977_600_000_000_000, 1_517_832_000_000_000_000) == [2, 0, 24, 0, 0, 0])
        #expect(try callBuiltin("time.now_ns", now: 42) == 42)
        #expect(builtinError("time.add_date", .number(.int(Int.min)), 0, 0, -1)?.message == "time outside of valid range")
    }

    @Test func unitsSemverNet() throws {
        #expect(try callBuiltin("units.parse", "500m") == 0.5)
        #expect(try callBuiltin("units.parse_bytes", "2MiB") == 2_097_152)
        #expect(builtinError("units.parse", "")?.message == "no amount provided")
        #expect(try callBuiltin("semver.compare", "1.0.0", "1.0.1") == -1)
        #expect(builtinError("semver.compare", "1", "1.0.0")?.message == "operand 1: string \"1\" is not a valid SemVer")
        #expect(try callBuiltin("net.cidr_contains", "10.0.0.0/8", "10.1.0.0/16") == true)
        #expect(try callBuiltin("net.cidr_merge", ["192.0.128.0/24", "192.0.129.0/24"]) == .set(SetValue(["192.0.128.0/23"])))
        #expect(builtinError("net.cidr_merge", ["2601:600::1"])?.message == "IPv6 invalid: needs prefix length")
        #expect(try callBuiltin("net.cidr_contains_matches", "1.1.1.0/24", "1.1.1.1") == .set(SetValue([["1.1.1.0/24", "1.1.1.1"]])))
        let parsed = try callBuiltin("uuid.parse", "000003e8-48b9-21ee-b200-325096b39f47")
        #expect(parsed?["clocksequence"] == 12800)
        #expect(parsed?["time"] == 1_693_566_990_121_469_600)
        #expect(parsed?["domain"] == "Person")
        #expect(try callBuiltin("net.lookup_ip_addr", "10.0.0.0") == .set(SetValue(["10.0.0.0"])))
        #expect(builtinError("http.send", ["method": "get"])?.message == "missing required request parameters(s): {\"url\"}")
        #expect(builtinError("http.send", ["method": "get", "url": "http://x"])?.kind == .halt)
        #expect(try callBuiltin("is_number", 1.5) == true)
        #expect(try callBuiltin("bits.lsh", 1, 70) == .number(Number(text: "1180591620717411303424")!))
    }
}

@Suite("Builtins: encodings, documents, crypto, JWT")
struct BuiltinsDocumentTests {
    @Test func encodings() throws {
        #expect(try callBuiltin("base64.encode", "hello") == "aGVsbG8=")
        #expect(try callBuiltin("base64.decode", "aGVsbG8=") == "hello")
        #expect(try callBuiltin("base64url.encode_no_pad", "42") == "NDI")
        #expect(try callBuiltin("base64url.decode", "NDI") == "42")
        #expect(try callBuiltin("hex.encode", "hi") == "6869")
        #expect(try callBuiltin("urlquery.encode", "a=b+1") == "a%3Db%2B1")
        #expect(try callBuiltin("urlquery.decode_object", "a=1&a=2&b=x") == ["a": ["1", "2"], "b": ["x"]])
        #expect(builtinError("base64.decode", "a")?.kind == .builtin)
    }

    @Test func documents() throws {
        #expect(try callBuiltin("json.marshal", [["foo": .set(SetValue([1, 2, 3]))]]) == "[{\"foo\":[1,2,3]}]")
        #expect(try callBuiltin("json.is_valid", 1) == false)
        #expect(try callBuiltin("yaml.unmarshal", "a: [1, 2.5, true, null, x]") == ["a": [1, 2.5, true, .null, "x"]])
        #expect(try callBuiltin("yaml.marshal", ["a": [1, 2]]) == "a:\n- 1\n- 2\n")
        #expect(builtinError("yaml.unmarshal", "[1,2,3")?.message.hasPrefix("yaml: line 1: did not find") == true)
        #expect(try callBuiltin("json.remove", ["a": ["b": ["c": 7, "d": 8]], "e": 9], ["a/b/c", "e"]) == ["a": ["b": ["d": 8]]])
        #expect(try callBuiltin("json.filter", ["a": ["b": 1, "c": 2], "d": 3], ["a/b"]) == ["a": ["b": 1]])
        let patched = try callBuiltin("json.patch", ["a": [1]], [["op": "add", "path": "/a/-", "value": 2], ["op": "replace", "path": "/b", "value": 1]])
        #expect(patched == nil)
        #expect(try callBuiltin("json.patch", ["a": [1]], [["op": "add", "path": "/a/-", "value": 2]]) == ["a": [1, 2]])
    }

    @Test func jsonSchema() throws {
        let schema: Value = ["properties": ["id": ["type": "integer"]], "required": ["id"]]
        #expect(try callBuiltin("json.match_schema", ["id": 5], schema) == [true, []])
        #expect(try callBuiltin("json.match_schema", ["id": "foo"], schema) == [false, [[
            "desc": "Invalid type. Expected: integer, given: string", "error": "id: Invalid type. Expected: integer, given: string",
            "field": "id", "type": "invalid_type",
        ]]])
        #expect(try callBuiltin("json.match_schema", Value.emptyObject, schema) == [false, [[
            "desc": "id is required", "error": "(root): id is required", "field": "(root)", "type": "required",
        ]]])
        #expect(try callBuiltin("json.verify_schema", ["type": "unknown"]) == [false,
            "jsonschema: has a primitive type that is NOT VALID -- given: /unknown/ Expected valid values are:[array boolean integer number null object string]"])
    }

    @Test func cryptoAndJWT() throws {
        #expect(try callBuiltin("crypto.sha256", "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try callBuiltin("crypto.hmac.sha256", "msg", "key") == "2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628")
        let token = try callBuiltin("io.jwt.encode_sign", ["alg": "HS256", "typ": "JWT"], ["sub": "me"], ["kty": "oct", "k": "NDI"])
        guard case .string(let jwt)? = token else { Issue.record("no token"); return }
        #expect(try callBuiltin("io.jwt.verify_hs256", .string(jwt), "42") == true)
        #expect(try callBuiltin("io.jwt.verify_hs256", .string(jwt), "43") == false)
        let decoded = try callBuiltin("io.jwt.decode_verify", .string(jwt), ["secret": "42"])
        #expect(decoded == [true, ["alg": "HS256", "typ": "JWT"], ["sub": "me"]])
        #expect(builtinError("io.jwt.decode", "a.b")?.message == "encoded JWT must have 3 sections, found 2")
        #expect(builtinError("io.jwt.encode_sign_raw", "{}", "{}", "{\"kty\":\"oct\",\"k\":\"NDI\"}")?.message
            == "missing or invalid 'alg' header: jwsbb: header \"alg\" not found")
    }
}

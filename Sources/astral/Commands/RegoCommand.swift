import ArgumentParser
import Foundation
import Rego
#if canImport(Glibc)
import Glibc
#endif

struct RegoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rego",
        abstract: "Evaluate, test and format Rego policies.",
        subcommands: [RegoEval.self, RegoTest.self, RegoFmt.self, RegoConformance.self, RegoBench.self]
    )
}

/// Reads `.rego` files from files and directories (recursively), sorted by path.
func loadRegoSources(_ paths: [String]) throws -> (modules: [(name: String, source: String)], data: Value) {
    var modules: [(name: String, source: String)] = []
    var data = Value.emptyObject
    let fm = FileManager.default
    for p in paths {
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: p, isDirectory: &isDir) else { throw CommandFailure("no such file or directory: \(p)") }
        var files: [String] = []
        if isDir.boolValue {
            let e = fm.enumerator(atPath: p)
            while let f = e?.nextObject() as? String { files.append((p as NSString).appendingPathComponent(f)) }
            files.sort()
        } else {
            files = [p]
        }
        for f in files {
            if f.hasSuffix(".rego") {
                modules.append((name: f, source: try String(contentsOfFile: f, encoding: .utf8)))
            } else if f.hasSuffix(".json") && isDir.boolValue == false || (f.hasSuffix("data.json")) {
                let v = try JSON.parse(String(contentsOfFile: f, encoding: .utf8))
                data = mergeData(data, v)
            }
        }
    }
    return (modules, data)
}

func mergeData(_ a: Value, _ b: Value) -> Value {
    guard case .object(var x) = a, case .object(let y) = b else { return b }
    for (k, v) in y.entries { x.set(k, x[k].map { mergeData($0, v) } ?? v) }
    return .object(x)
}

func describe(_ error: any Error) -> String {
    if let f = error as? CompileFailure { return f.description }
    if let e = error as? RegoError { return e.description }
    return "\(error)"
}

struct RegoEval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Evaluate a query (like `opa eval`), or serve the JSON-lines batch protocol.")

    @Option(name: [.customShort("d"), .long], help: "Policy or data file or directory (repeatable).")
    var data: [String] = []
    @Option(name: [.customShort("i"), .long], help: "Input JSON file.")
    var input: String?
    @Flag(help: "Read JSON requests from stdin, one per line; write one JSON response per line.")
    var batch = false
    @Flag(help: "Abort on builtin errors.")
    var strictBuiltinErrors = false
    @Argument(help: "The query.")
    var query: String?

    func validate() throws {
        if !batch && query == nil {
            // Without --batch and without a query, one request is read from stdin.
        }
    }

    func run() async throws {
        if batch || query == nil {
            while let line = readLine(strippingNewline: true) {
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                let response = Self.handle(line)
                FileHandle.standardOutput.write(Data((JSON.serialize(response) + "\n").utf8))
                if !batch { break }
            }
            return
        }
        let (modules, baseData) = try loadRegoSources(data)
        var inputValue: Value? = nil
        if let input { inputValue = try JSON.parse(String(contentsOfFile: input, encoding: .utf8)) }
        var options = PreparedQuery.Options()
        options.strictBuiltinErrors = strictBuiltinErrors
        do {
            let text = query!
            // Like `opa eval`: a query that is one plain term reports the term's value
            // as an expression; otherwise each solution reports its bindings.
            let expressions = try Parser.parseQuery(text)
            let isSingleTerm: Bool
            if expressions.count == 1, !expressions[0].negated, expressions[0].with.isEmpty,
                case .term = expressions[0].kind { isSingleTerm = true } else { isSingleTerm = false }
            var solutions: [Value] = []
            if isSingleTerm {
                let valueName = "astral_eval_expression_value"
                let pq = try PreparedQuery(query: "\(valueName) = (\(text))", modules: modules, data: baseData, options: options)
                for var row in try pq.evaluate(input: inputValue) {
                    guard let value = row.removeValue(forKey: valueName), value != .bool(false) else { continue }
                    var solution: [String: Value] = ["expressions": [["value": value, "text": .string(text)]]]
                    if !row.isEmpty { solution["bindings"] = .object(ObjectValue(row)) }
                    solutions.append(.object(ObjectValue(solution)))
                }
            } else {
                let pq = try PreparedQuery(query: text, modules: modules, data: baseData, options: options)
                solutions = try pq.evaluate(input: inputValue).map { ["bindings": .object(ObjectValue($0))] }
            }
            print(JSON.serializePretty(["result": .array(solutions)]))
        } catch {
            throw CommandFailure(describe(error))
        }
    }

    static func handle(_ line: String) -> Value {
        let request: Value
        do { request = try JSON.parse(line) } catch {
            return ["error": ["code": "invalid_request", "message": .string("\(error)")]]
        }
        var modules: [(name: String, source: String)] = []
        if case .object(let m) = request["modules"] ?? .null {
            for (k, v) in m.entries { modules.append((name: k.stringValue ?? "", source: v.stringValue ?? "")) }
        }
        var c = ConformanceCase(note: request["note"]?.stringValue ?? "", query: request["query"]?.stringValue ?? "", modules: modules)
        c.data = request["data"] ?? .emptyObject
        c.input = request["input"]
        c.inputTerm = request["input_term"]?.stringValue
        c.strict = request["strict"]?.boolValue ?? false
        var options = PreparedQuery.Options()
        if case .object(let env) = request["env"] ?? .null {
            for (k, v) in env.entries { if let ks = k.stringValue, let vs = v.stringValue { options.environment[ks] = vs } }
        }
        return Conformance.run(c, options: options).responseJSON
    }
}

struct RegoConformance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conformance", abstract: "Run OPA's YAML conformance cases in a directory.")

    @Argument(help: "Directory of case folders.")
    var directory: String
    @Flag(help: "Print each failing case and why.")
    var verbose = false
    @Option(help: "Only run folders whose name contains this text.")
    var filter: String?

    func run() async throws {
        let fm = FileManager.default
        guard let folders = try? fm.contentsOfDirectory(atPath: directory) else { throw CommandFailure("cannot read directory \(directory)") }
        var passed = 0, failed = 0, skipped = 0
        for folder in folders.sorted() {
            if let filter, !folder.contains(filter) { continue }
            let dir = (directory as NSString).appendingPathComponent(folder)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else { continue }
            let files = (try? fm.contentsOfDirectory(atPath: dir))?.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted() ?? []
            var p = 0, f = 0, s = 0
            for file in files {
                let path = (dir as NSString).appendingPathComponent(file)
                let cases: [ConformanceCase]
                do {
                    cases = try Conformance.load(yaml: String(contentsOfFile: path, encoding: .utf8))
                } catch {
                    s += 1
                    if verbose { print("  SKIP \(folder)/\(file): cannot load: \(error)") }
                    continue
                }
                for c in cases {
                    let outcome = Conformance.run(c)
                    let (ok, reason) = Conformance.judge(c, outcome)
                    if ok { p += 1 } else {
                        f += 1
                        if verbose { print("  FAIL \(c.note) [\(file)]: \(reason.prefix(600))") }
                    }
                }
            }
            print("\(folder): \(p) passed, \(f) failed\(s > 0 ? ", \(s) skipped" : "")")
            passed += p; failed += f; skipped += s
        }
        print("\(passed) passed, \(failed) failed, \(skipped) skipped")
    }
}

struct RegoTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "Run test_ rules (like `opa test`).")

    @Argument(help: "Policy files or directories.")
    var paths: [String]
    @Flag(name: [.short, .long], help: "Print every test.")
    var verbose = false

    func run() async throws {
        let (modules, data) = try loadRegoSources(paths)
        let policy: CompiledPolicy
        do {
            policy = try Compiler.compile(modules.map { try Parser.parseModule(file: $0.name, source: $0.source) })
        } catch {
            throw CommandFailure(describe(error))
        }
        var tests: [(String, [String])] = []
        for m in policy.modules {
            var seen = Set<String>()
            for r in m.rules where r.name.hasPrefix("test_") && !seen.contains(r.name) && r.args.isEmpty {
                seen.insert(r.name)
                tests.append((m.file, m.package + [r.name]))
            }
        }
        var pass = 0, fail = 0
        var currentFile = ""
        for (file, path) in tests {
            let name = "data." + path.joined(separator: ".")
            let start = Date()
            var status = "FAIL"
            do {
                let pq = try PreparedQuery(query: name + " == true", policy: policy, data: data)
                if try !pq.evaluate(input: nil).isEmpty { status = "PASS" }
            } catch {
                status = "ERROR"
                if verbose { print("  \(describe(error))") }
            }
            let ms = Date().timeIntervalSince(start) * 1000
            if status == "PASS" { pass += 1 } else { fail += 1 }
            if verbose || status != "PASS" {
                if file != currentFile { print("\(file):"); currentFile = file }
                print("\(name): \(status) (\(String(format: "%.3f", ms))ms)")
            }
        }
        print(String(repeating: "-", count: 80))
        if fail == 0 { print("PASS: \(pass)/\(pass + fail)") } else {
            if pass > 0 { print("PASS: \(pass)/\(pass + fail)") }
            print("FAIL: \(fail)/\(pass + fail)")
            throw ExitCode(1)
        }
    }
}

struct RegoFmt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fmt", abstract: "Print a policy in canonical formatting.")

    @Argument(help: "Policy file.")
    var file: String

    func run() async throws {
        let source = try String(contentsOfFile: file, encoding: .utf8)
        do {
            let module = try Parser.parseModule(file: file, source: source)
            print(Formatter.format(module), terminator: "")
        } catch {
            throw CommandFailure(describe(error))
        }
    }
}

struct RegoBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Prepare once, evaluate N times; print median and p99 microseconds.")

    @Option(name: [.customShort("d"), .long], help: "Policy or data file or directory (repeatable).")
    var data: [String] = []
    @Option(name: [.customShort("i"), .long], help: "Input JSON file.")
    var input: String?
    @Option(help: "Evaluations to time.")
    var iterations = 10_000
    @Argument(help: "The query.")
    var query: String

    func run() async throws {
        let (modules, baseData) = try loadRegoSources(data)
        var inputValue: Value? = nil
        if let input { inputValue = try JSON.parse(String(contentsOfFile: input, encoding: .utf8)) }
        let pq: PreparedQuery
        do { pq = try PreparedQuery(query: query, modules: modules, data: baseData) } catch { throw CommandFailure(describe(error)) }
        let stats = try Benchmark.run(pq, input: inputValue, iterations: iterations, allocationCounter: preloadedAllocationCounter())
        var report: [String: Value] = ["median_us": .number(.real(stats.medianMicros)), "p99_us": .number(.real(stats.p99Micros)), "iterations": .int(iterations)]
        if let a = stats.allocationsPerEvaluation { report["allocs_per_eval"] = .number(.real((a * 10).rounded() / 10)) }
        print(JSON.serialize(.object(ObjectValue(report))))
    }
}

/// The process's allocation count when `Benchmarks/Rego/malloc-count` is preloaded
/// (`LD_PRELOAD=libmalloc_count.so`); nil otherwise, and the bench reports no allocations.
func preloadedAllocationCounter() -> (() -> UInt64)? {
    #if canImport(Glibc)
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "astral_malloc_count") else { return nil }
    typealias Counter = @convention(c) () -> UInt64
    let counter = unsafeBitCast(symbol, to: Counter.self)
    return { counter() }
    #else
    return nil
    #endif
}

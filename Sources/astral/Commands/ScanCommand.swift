import ArgumentParser
import Detection
import Foundation

struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan text for sensitive data, secrets and prompt injection.",
        discussion: """
            Without --jsonl the whole input is one text and one JSON object is printed.
            With --jsonl every input line is {"id": ..., "text": "..."} and every output line,
            in the same order, carries that id with its findings and injection verdict.
            Invalid UTF-8 is replaced by U+FFFD; offsets are Unicode scalar offsets into the
            text as decoded.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Read JSON lines {\"id\", \"text\"} and write one result line per input line.")
    var jsonl = false

    @Option(name: .long, help: "Largest accepted text in bytes (default 1048576).")
    var maxBytes: Int = 1 << 20

    @Argument(help: "Input file, or - for standard input (default).")
    var input: String = "-"

    func validate() throws {
        guard maxBytes > 0 else { throw ValidationError("--max-bytes must be positive") }
    }

    func run() async throws {
        let data: Data
        if input == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: input) else {
                throw CommandFailure("cannot read input file \(input)")
            }
            data = contents
        }
        let detector: Detector
        do {
            detector = try Detector(configuration: .init(maxInputBytes: maxBytes))
        } catch {
            throw CommandFailure("cannot build the detector: \(error)")
        }
        let out = FileHandle.standardOutput
        if !jsonl {
            let text = String(decoding: data, as: UTF8.self)
            do {
                let result = try detector.scan(text)
                out.write(Data((ScanJSON.object(id: nil, result: result) + "\n").utf8))
            } catch {
                throw CommandFailure("input rejected: \(error)")
            }
            return
        }
        var failures = 0
        var lineNumber = 0
        var buffer = Data()
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            lineNumber += 1
            let line = data[start..<end]
            start = end < data.endIndex ? data.index(after: end) : end
            let repaired = String(decoding: line, as: UTF8.self)
            if repaired.allSatisfy({ $0.isWhitespace }) { continue }
            let outputLine: String
            switch ScanJSON.parseLine(repaired) {
            case let .failure(problem):
                failures += 1
                outputLine = ScanJSON.error(idJSON: problem.idJSON, message: "line \(lineNumber): \(problem.message)")
            case let .success((idJSON, text)):
                do {
                    outputLine = ScanJSON.object(idJSON: idJSON, result: try detector.scan(text))
                } catch {
                    failures += 1
                    outputLine = ScanJSON.error(idJSON: idJSON, message: "line \(lineNumber): \(error)")
                }
            }
            buffer.append(contentsOf: outputLine.utf8)
            buffer.append(0x0A)
            if buffer.count > 1 << 16 { out.write(buffer); buffer.removeAll(keepingCapacity: true) }
        }
        out.write(buffer)
        if failures > 0 {
            throw CommandFailure("\(failures) input line\(failures == 1 ? "" : "s") could not be scanned (see the error lines)")
        }
    }
}

/// The JSON shapes of CONTRACTS.md §1, written by hand so that key order is stable.
enum ScanJSON {
    struct LineProblem: Error {
        var idJSON: String
        var message: String
    }

    /// Parses `{"id": <any>, "text": "<string>"}`; returns the id re-serialised and the text.
    static func parseLine(_ line: String) -> Result<(String, String), LineProblem> {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
        } catch {
            return .failure(LineProblem(idJSON: "null", message: "not valid JSON"))
        }
        guard let dict = object as? [String: Any] else {
            return .failure(LineProblem(idJSON: "null", message: "expected a JSON object with \"text\""))
        }
        let idJSON = dict["id"].map(serialize) ?? "null"
        guard let textValue = dict["text"] else { return .failure(LineProblem(idJSON: idJSON, message: "missing \"text\"")) }
        guard let text = textValue as? String else { return .failure(LineProblem(idJSON: idJSON, message: "\"text\" is not a string")) }
        return .success((idJSON, text))
    }

    static func serialize(_ value: Any) -> String {
        if value is NSNull { return "null" }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    static func object(id: String?, result: ScanResult) -> String {
        object(idJSON: id.map { string($0) }, result: result)
    }

    static func object(idJSON: String?, result: ScanResult) -> String {
        var s = "{"
        if let idJSON { s += "\"id\": \(idJSON), " }
        s += "\"findings\": ["
        for (k, f) in result.findings.enumerated() {
            if k > 0 { s += ", " }
            s += "{\"type\": \(string(f.type))"
            if let rule = f.rule { s += ", \"rule\": \(string(rule))" }
            s += ", \"start\": \(f.start), \"end\": \(f.end), \"score\": \(number(f.score))}"
        }
        s += "], \"injection\": {\"score\": \(number(result.injection.score)), \"attack\": \(result.injection.attack), \"signatures\": ["
        s += result.injection.signatures.map(string).joined(separator: ", ")
        s += "]}}"
        return s
    }

    static func error(idJSON: String, message: String) -> String {
        "{\"id\": \(idJSON), \"error\": \(string(message))}"
    }

    static func number(_ x: Double) -> String {
        let rounded = (x * 10000).rounded() / 10000
        return rounded == rounded.rounded() ? String(format: "%.1f", rounded) : String(rounded)
    }

    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

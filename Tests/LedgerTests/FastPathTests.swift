import Foundation
import Ledger
import Testing

/// The allocation-free paths (reused canonicaliser, in-place number and
/// string fast paths, expanded tiles, parallel export audit) give exactly
/// what the plain paths give.
@Suite struct FastPathTests {
    func canonical(_ text: String) throws -> String {
        String(decoding: try JCS.canonicalize(Array(text.utf8)), as: UTF8.self)
    }

    /// Plain decimals taken as written must print as ECMAScript prints their double.
    @Test func decimalFastPathMatchesNumberFormatting() throws {
        var generator = SystemRandomNumberGenerator()
        var tokens = ["0.95", "12.5", "-0.5", "0.000001", "0.0000001", "0.00001", "123456789012345.5", "1.2345678901234",
                      "1.23456789012345", "1.234567890123456", "0.1000000000000001", "9007199254740993.5", "-0.0",
                      "0.10", "100.25", "0.333333333333333", "0.3333333333333333", "5.0e-324"]
        for _ in 0..<3000 {
            let integer = ["0", "1", "42", "-0", "-7", "123456", "99999999999"].randomElement(using: &generator)!
            let zeros = String(repeating: "0", count: Int.random(in: 0...8, using: &generator))
            let digits = String((0..<Int.random(in: 1...18, using: &generator)).map { _ in
                "0123456789".randomElement(using: &generator)!
            })
            tokens.append("\(integer).\(zeros)\(digits)")
            tokens.append(Double(bitPattern: UInt64.random(in: 0x3e00_0000_0000_0000...0x4400_0000_0000_0000, using: &generator)).description)
        }
        for token in tokens {
            let value = try #require(Double(token))
            let expected = String(decoding: try JCS.canonicalize(.number(value)), as: UTF8.self)
            #expect(try canonical("[\(token)]") == "[\(expected)]", "token \(token)")
        }
    }

    /// One canonicaliser reused across documents gives what a fresh one gives, and Foundation-written input agrees.
    @Test func reusedCanonicaliserMatchesFreshOne() throws {
        var generator = SystemRandomNumberGenerator()
        var canonicalizer = JCS.Canonicalizer()
        var buffer: [UInt8] = []
        let documents = [
            #"{"z":1,"a":{"y":[1,{"c":2,"b":3}],"x":"\u00e9\"q"},"m":"plain","\u20ac":0.5}"#,
            #"{"b":1,"a":2}"#, #"{"a":1,"b":2}"#, #"{}"#, #"{"a":{"b":{"c":{}}}}"#, #"[{"b":1,"a":2},{"d":1,"c":2}]"#,
            #"{"a\\b":1,"a":2,"a\u0000":3}"#, #"{"é":1,"e":2,"\ud83d\ude00":3,"\ufb33":4}"#,
        ]
        var inputs = documents
        for _ in 0..<300 {
            let value = JCSTests().randomValue(depth: 0, using: &generator)
            let object: JSONValue = .object(["v": value, "w": value, "a": .string("x")])
            let text = try JSONSerialization.data(
                withJSONObject: try JSONSerialization.jsonObject(with: Data(try JCS.canonicalize(object)), options: [.fragmentsAllowed]),
                options: [.prettyPrinted, .fragmentsAllowed])
            inputs.append(String(decoding: text, as: UTF8.self))
        }
        for input in inputs {
            let bytes = Array(input.utf8)
            let fresh = try JCS.canonicalize(bytes)
            buffer.removeAll()
            try bytes.withUnsafeBufferPointer { try canonicalizer.canonicalize($0, into: &buffer) }
            #expect(buffer == fresh, "input \(input)")
            // The byte-for-byte check accepts exactly the canonical texts.
            #expect(try bytes.withUnsafeBufferPointer { try canonicalizer.isCanonical($0) } == (bytes == fresh))
            #expect(try fresh.withUnsafeBufferPointer { try canonicalizer.isCanonical($0) })
            #expect(try JCS.canonicalize(fresh) == fresh)
            if fresh.first == UInt8(ascii: "{") {
                let hash = try bytes.withUnsafeBufferPointer {
                    try LedgerRecord.leafHash(json: $0, canonicalizer: &canonicalizer, buffer: &buffer)
                }
                #expect(hash == Merkle.leafHash(fresh))
            }
        }
        // Near-canonical texts are caught: whitespace, order, escapes, number spellings, trailing bytes.
        for text in [#"{"a":1,"b":2} "#, #"{"a": 1}"#, #"{"b":1,"a":2}"#, #"{"a":"\u0041"}"#, #"{"a":1.50}"#,
                     #"{"a":1e2}"#, #"{"a":-0}"#, #"{"a":"\/"}"#, #"{"a":[1,2 ]}"#, #"{"a":0.0000001}"#, #"{"a":1E+2}"#] {
            #expect(try Array(text.utf8).withUnsafeBufferPointer { try canonicalizer.isCanonical($0) } == false, "\(text)")
        }
        for text in [#"{"a":1,"b":[true,false,null,"x\n",0.25,-3,{}]}"#, #"{"a\u0000":1e+30,"€":"é"}"#] {
            #expect(try Array(text.utf8).withUnsafeBufferPointer { try canonicalizer.isCanonical($0) }, "\(text)")
        }
        #expect(throws: LedgerError.self) {
            try Array(#"{"b":1,"a":}"#.utf8).withUnsafeBufferPointer { try canonicalizer.isCanonical($0) }
        }
        // An error leaves the canonicaliser usable.
        #expect(throws: LedgerError.self) {
            try Array(#"{"a":1,"a":2}"#.utf8).withUnsafeBufferPointer { try canonicalizer.canonicalize($0, into: &buffer) }
        }
        buffer.removeAll()
        try Array(#"{"b":1,"a":[true]}"#.utf8).withUnsafeBufferPointer { try canonicalizer.canonicalize($0, into: &buffer) }
        #expect(String(decoding: buffer, as: UTF8.self) == #"{"a":[true],"b":1}"#)
    }

    /// Expanded tiles answer every node as recomputing from the raw tile does.
    @Test func expandedTilesMatchRawTiles() throws {
        for width in [1, 2, 3, 7, 128, 200, 255, 256] {
            let raw = (0..<width).flatMap { Merkle.leafHash(Array("leaf \($0)".utf8)).bytes }
            let tile = try TileHashes(tile: raw)
            #expect(tile.width == width)
            for level in 0..<Tiles.height {
                for index in 0..<UInt64(max(1, width >> level) + 1) {
                    let node = TreeNode(level: level, index: index)
                    let expected = try? Tiles.hash(of: node, inTile: raw)
                    #expect(tile.covers(node) == (expected != nil))
                    if let expected { #expect(try tile.hash(of: node) == expected) }
                }
            }
        }
        #expect(throws: LedgerError.self) { try TileHashes(tile: [UInt8](repeating: 0, count: 33)) }
        #expect(throws: LedgerError.self) { try TileHashes(tile: []) }
    }

    /// A compact range rebuilt from its subtree hashes continues as the original does.
    @Test func compactRangeFromSubtreeHashes() throws {
        let leaves = (0..<300).map { Merkle.leafHash(Array("r\($0)".utf8)) }
        var range = CompactRange()
        for (i, leaf) in leaves.enumerated() {
            var resumed = try CompactRange(size: range.size, hashes: range.hashes)
            resumed.append(contentsOf: leaves[i...])
            var full = range
            full.append(contentsOf: leaves[i...])
            #expect(resumed.root == full.root)
            range.append(leaf)
        }
        #expect(throws: LedgerError.self) { try CompactRange(size: 3, hashes: [leaves[0]]) }
    }

    /// The audit gives the same verdict and the same first failure however the records are sliced.
    @Test func exportAuditIsIndependentOfSlicing() throws {
        let signer = try NoteSigner.generate(name: "test.example")
        var lines = (0..<500).map { #"{"seq":\#($0),"note":"r\#($0)","score":0.\#($0 + 1)}"# }
        func export(_ lines: [String]) throws -> (records: [UInt8], notes: String, hashes: [UInt8]) {
            var range = CompactRange()
            var notes: [String] = []
            var hashes: [UInt8] = []
            for (i, line) in lines.enumerated() {
                let hash = try LedgerRecord(json: Array(line.utf8)).leafHash
                hashes += hash.bytes
                range.append(hash)
                if (i + 1) % 120 == 0 || i + 1 == lines.count {
                    notes.append(try Checkpoint(origin: "test.example/t", size: range.size, root: range.root)
                        .signed(by: signer).serialized)
                }
            }
            return (Array(lines.joined(separator: "\n").utf8), notes.joined(separator: "\n"), hashes)
        }
        func audit(_ e: (records: [UInt8], notes: String, hashes: [UInt8]), hashes: Bool, workers: Int, slice: Int) -> String {
            do {
                let result = try e.records.withUnsafeBufferPointer {
                    try ExportAudit.verify(
                        records: $0, checkpoints: e.notes, leafHashes: hashes ? e.hashes : nil, key: signer.verifierKey,
                        workers: workers, sliceBytes: slice)
                }
                return "ok \(result.summary.size) \(result.summary.root.hex) \(result.summary.checkpointsVerified)"
            } catch {
                return "\(error)"
            }
        }
        let good = try export(lines)
        var tampered = good
        lines[317] = #"{"seq":317,"note":"edited","score":0.318}"#
        tampered.records = Array(lines.joined(separator: "\n").utf8)
        var invalid = good
        lines[317] = #"{"seq":317,"note":"#
        invalid.records = Array(lines.joined(separator: "\n").utf8)
        for (e, expected) in [(good, "ok 500"), (tampered, "leaf 317:"), (invalid, "leaf 317:")] {
            for hashes in [true, false] {
                let serial = audit(e, hashes: hashes, workers: 1, slice: 1 << 20)
                if hashes || e.records == good.records || e.records == invalid.records {
                    #expect(serial.hasPrefix(expected), "\(serial)")
                }
                for (workers, slice) in [(2, 1), (3, 100), (2, 1000), (4, 7)] {
                    #expect(audit(e, hashes: hashes, workers: workers, slice: slice) == serial)
                }
            }
        }
    }
}

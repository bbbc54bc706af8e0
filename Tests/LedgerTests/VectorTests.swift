import Foundation
import Ledger
import Testing
import TestSupport

/// The shared RFC 6962 / C2SP vectors (`ledger/vectors.json`), every group.
@Suite struct VectorTests {
    static func vectors() throws -> [String: Any] {
        let data = try Data(contentsOf: SharedFixtures.file("ledger/vectors.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func group(_ name: String) throws -> [[String: Any]] {
        try #require(try vectors()[name] as? [[String: Any]])
    }

    /// Decodes a hash as the case encodes it; nil when it is not 32 bytes (a strict verifier rejects those).
    static func hash(_ value: Any?, base64: Bool) -> Hash? {
        guard let text = value as? String else { return nil }
        return base64 ? try? Hash(base64: text) : try? Hash(hex: text)
    }

    static func proof(_ value: Any?, base64: Bool) -> [Hash]? {
        if value == nil || value is NSNull { return [] }
        guard let items = value as? [Any] else { return nil }
        var out: [Hash] = []
        for item in items {
            guard let h = hash(item, base64: base64) else { return nil }
            out.append(h)
        }
        return out
    }

    static func expected(_ entry: [String: Any]) -> Bool {
        if let verdict = (entry["verify_py_expect_valid"] ?? entry["expect_valid"]) as? Bool { return verdict }
        Issue.record("vector without expect_valid: \(desc(entry))")
        return false
    }

    static func desc(_ entry: [String: Any]) -> String { entry["desc"] as? String ?? "(no desc)" }

    /// A string field the vector must carry; its absence fails the test instead of crashing it.
    static func text(_ entry: [String: Any], _ key: String) throws -> String {
        try #require(entry[key] as? String, "vector field \(key) missing in \(desc(entry))")
    }

    /// An integer field the vector must carry.
    static func integer(_ entry: [String: Any], _ key: String) throws -> UInt64 {
        try #require(entry[key] as? NSNumber, "vector field \(key) missing in \(desc(entry))").uint64Value
    }

    @Test func hashPrimitives() throws {
        let cases = try Self.group("hash_primitives")
        #expect(cases.count >= 4)
        for entry in cases {
            let expected = try Self.text(entry, "expect_hex")
            switch try Self.text(entry, "op") {
            case "sha256":
                #expect(HexCoding.decode(try Self.text(entry, "input_hex")) == [])
                #expect(Hash.emptyTree.hex == expected)
            case "leaf":
                let input = try #require(HexCoding.decode(try Self.text(entry, "input_hex")))
                #expect(Merkle.leafHash(input).hex == expected, "\(Self.desc(entry))")
            case "node":
                let left = try #require(HexCoding.decode(try Self.text(entry, "left_hex")))
                let right = try #require(HexCoding.decode(try Self.text(entry, "right_hex")))
                #expect(Merkle.nodeHash(left: left, right: right).hex == expected)
            default:
                Issue.record("unknown op in \(Self.desc(entry))")
            }
        }
    }

    @Test func treeRoots() throws {
        let trees = try Self.group("trees")
        #expect(trees.count == 2)
        for tree in trees {
            let leaves: [[UInt8]]
            if let hex = tree["leaves_hex"] as? [String] {
                leaves = hex.map { HexCoding.decode($0)! }
            } else {
                leaves = (0..<1000).map { Array("leaf \($0)".utf8) }
                #expect((tree["source"] as? String ?? "").contains("leaf {i}"))
            }
            let leafHashes = leaves.map(Merkle.leafHash)
            if let expectedLeaves = tree["leaf_hashes_hex"] as? [String] {
                #expect(leafHashes.map(\.hex) == expectedLeaves)
            }
            let roots = try #require(tree["roots_hex"] as? [String: String])
            for (sizeText, root) in roots {
                let size = Int(sizeText)!
                #expect(Merkle.root(leafHashes: leafHashes.prefix(size)).hex == root, "\(tree["name"] as? String ?? "?") size \(size)")
                // The tile-based root (what the store computes) agrees.
                #expect(try TileModel(leafHashes: Array(leafHashes.prefix(size))).root().hex == root)
            }
        }
    }

    @Test func inclusionProofs() throws {
        let cases = try Self.group("inclusion")
        #expect(cases.count >= 150)
        var valid = 0
        for entry in cases {
            let base64 = entry["encoding"] as? String == "base64"
            let index = try #require((entry["leaf_index"] ?? entry["leafIdx"]) as? NSNumber).uint64Value
            let size = try #require((entry["tree_size"] ?? entry["treeSize"]) as? NSNumber).uint64Value
            let leafHash: Hash?
            if let data = entry["leaf_data_utf8"] as? String {
                leafHash = Merkle.leafHash(Array(data.utf8))
            } else {
                leafHash = Self.hash(entry["leaf_hash"] ?? entry["leafHash"], base64: base64)
            }
            let verdict: Bool
            if let leafHash, let root = Self.hash(entry["root"], base64: base64),
                let proof = Self.proof(entry["proof"], base64: base64)
            {
                verdict = (try? ProofVerifier.verifyInclusion(
                    leafHash: leafHash, index: index, size: size, proof: proof, root: root)) != nil
            } else {
                verdict = false
            }
            #expect(verdict == Self.expected(entry), "\(Self.desc(entry))")
            if verdict { valid += 1 }
        }
        #expect(valid > 0)
    }

    @Test func consistencyProofs() throws {
        let cases = try Self.group("consistency")
        #expect(cases.count >= 150)
        for entry in cases {
            let base64 = entry["encoding"] as? String == "base64"
            let size1 = try #require(entry["size1"] as? NSNumber).uint64Value
            let size2 = try #require(entry["size2"] as? NSNumber).uint64Value
            let verdict: Bool
            if let root1 = Self.hash(entry["root1"], base64: base64),
                let root2 = Self.hash(entry["root2"], base64: base64),
                let proof = Self.proof(entry["proof"], base64: base64)
            {
                verdict = (try? ProofVerifier.verifyConsistency(
                    size1: size1, size2: size2, root1: root1, root2: root2, proof: proof)) != nil
            } else {
                verdict = false
            }
            #expect(verdict == Self.expected(entry), "\(Self.desc(entry))")
        }
    }

    /// Every valid derived proof is also what our generator produces, byte for byte.
    @Test func generatedProofsMatchPublishedOnes() throws {
        let leafHashes = (0..<1000).map { Merkle.leafHash(Array("leaf \($0)".utf8)) }
        let model = try TileModel(leafHashes: leafHashes)
        var compared = 0
        for entry in try Self.group("inclusion") where entry["source"] as? String == "derived" && Self.expected(entry) {
            guard entry["leaf_data_utf8"] != nil else { continue }
            let index = try Self.integer(entry, "leaf_index")
            let size = try Self.integer(entry, "tree_size")
            let proof = try ProofPlan.inclusion(index: index, size: size).assemble(model.hash)
            #expect(proof.map(\.hex) == (entry["proof"] as? [String] ?? []), "\(Self.desc(entry))")
            compared += 1
        }
        let rfcLeaves = try #require(try Self.group("trees").first?["leaves_hex"] as? [String])
        let rfcModel = try TileModel(leafHashes: rfcLeaves.map { Merkle.leafHash(HexCoding.decode($0)!) }, batch: 3)
        for entry in try Self.group("consistency") where entry["source"] as? String == "derived" && Self.expected(entry) {
            let desc = try Self.text(entry, "desc")
            let tree: TileModel
            if desc.hasPrefix("leaf-i-1000 consistency") {
                tree = model
            } else if desc.hasPrefix("rfc6962-8 consistency") {
                tree = rfcModel
            } else {
                continue
            }
            let proof = try ProofPlan.consistency(from: try Self.integer(entry, "size1"), to: try Self.integer(entry, "size2"))
                .assemble(tree.hash)
            #expect(proof.map(\.hex) == (entry["proof"] as? [String] ?? []), "\(desc)")
            compared += 1
        }
        #expect(compared > 10)
    }

    @Test func signedNotes() throws {
        let cases = try Self.group("note")
        #expect(cases.count >= 8)
        for entry in cases {
            let verdict: Bool
            do {
                let key = try NoteVerifierKey(try Self.text(entry, "vkey"))
                let note = try SignedNote(parsing: try Self.text(entry, "note"))
                try note.verify(with: key)
                verdict = true
            } catch {
                verdict = false
            }
            #expect(verdict == Self.expected(entry), "\(Self.desc(entry))")
        }
    }

    @Test func checkpoints() throws {
        let cases = try Self.group("checkpoint")
        #expect(cases.count >= 16)
        for entry in cases {
            let verdict: Bool
            do {
                let key = try NoteVerifierKey(try Self.text(entry, "vkey"))
                _ = try Checkpoint.verified(
                    note: try Self.text(entry, "note"), key: key, expectedOrigin: entry["origin"] as? String)
                verdict = true
            } catch {
                verdict = false
            }
            #expect(verdict == Self.expected(entry), "\(Self.desc(entry))")
        }
    }

    /// Signing the synthetic checkpoints with the published seed reproduces them exactly (Ed25519 is deterministic).
    @Test func signingReproducesSyntheticCheckpoints() throws {
        let meta = try #require(try Self.vectors()["meta"] as? [String: Any])
        let synthetic = try #require(meta["synthetic_checkpoint_key"] as? [String: String])
        let seed = try #require(HexCoding.decode(synthetic["ed25519_seed_hex"]!))
        let signer = try NoteSigner(name: "ledger.example/governance-audit", seed: seed)
        #expect(signer.verifierKey.description == synthetic["vkey"])
        var reproduced = 0
        for entry in try Self.group("checkpoint") where entry["signer_seed_hex"] != nil && Self.expected(entry) {
            let original = try SignedNote(parsing: try Self.text(entry, "note"))
            let resigned = try SignedNote(signing: original.text, with: signer)
            let expectedNote = try Self.text(entry, "note")
            #expect(resigned.serialized == expectedNote, "\(Self.desc(entry))")
            reproduced += 1
        }
        #expect(reproduced >= 1)
        let reparsed = try NoteSigner(privateKeyText: signer.privateKeyText)
        #expect(reparsed.verifierKey == signer.verifierKey)
    }
}

/// An in-memory tile store built with the same `Tiles.append` the database uses.
struct TileModel {
    var tiles: [Tiles.Key: [UInt8]] = [:]
    let size: UInt64

    init(leafHashes: [Hash], batch: Int = 37) throws {
        var size: UInt64 = 0
        var tiles: [Tiles.Key: [UInt8]] = [:]
        var start = 0
        while start < leafHashes.count {
            let chunk = Array(leafHashes[start..<min(start + batch, leafHashes.count)])
            let changed = try Tiles.append(chunk, toTreeOfSize: size) { tiles[$0] }
            tiles.merge(changed) { _, new in new }
            size += UInt64(chunk.count)
            start += batch
        }
        self.tiles = tiles
        self.size = size
    }

    func hash(_ node: TreeNode) throws -> Hash {
        let location = Tiles.location(of: node)
        let tile = try #require(tiles[location.key], "missing \(location.key)")
        return try Tiles.hash(of: node, inTile: tile)
    }

    func root(size: UInt64? = nil) throws -> Hash {
        try ProofPlan.root(size: size ?? self.size).assemble(hash).first ?? Hash.emptyTree
    }
}

import Ledger
import Testing

/// Proofs for every size 1...70 against a naive recursive RFC 9162 implementation.
@Suite struct ProofTests {
    static let leaves = (0..<70).map { Merkle.leafHash(Array("record \($0)".utf8)) }

    /// MTH by the RFC's recursive definition.
    static func mth(_ hashes: ArraySlice<Hash>) -> Hash {
        if hashes.isEmpty { return Hash.emptyTree }
        if hashes.count == 1 { return hashes.first! }
        var k = 1
        while k * 2 < hashes.count { k *= 2 }
        let start = hashes.startIndex
        return Merkle.nodeHash(mth(hashes[start..<start + k]), mth(hashes[(start + k)...]))
    }

    static func path(_ m: Int, _ hashes: ArraySlice<Hash>) -> [Hash] {
        if hashes.count <= 1 { return [] }
        var k = 1
        while k * 2 < hashes.count { k *= 2 }
        let start = hashes.startIndex
        if m < k { return path(m, hashes[start..<start + k]) + [mth(hashes[(start + k)...])] }
        return path(m - k, hashes[(start + k)...]) + [mth(hashes[start..<start + k])]
    }

    static func subproof(_ m: Int, _ hashes: ArraySlice<Hash>, _ b: Bool) -> [Hash] {
        let n = hashes.count
        if m == n { return b ? [] : [mth(hashes)] }
        var k = 1
        while k * 2 < n { k *= 2 }
        let start = hashes.startIndex
        if m <= k { return subproof(m, hashes[start..<start + k], b) + [mth(hashes[(start + k)...])] }
        return subproof(m - k, hashes[(start + k)...], false) + [mth(hashes[start..<start + k])]
    }

    @Test func rootsInclusionAndConsistencyForAllSmallSizes() throws {
        let model = try TileModel(leafHashes: Self.leaves, batch: 5)
        for size in 1...Self.leaves.count {
            let prefix = Self.leaves[0..<size]
            let root = Self.mth(prefix)
            #expect(Merkle.root(leafHashes: prefix) == root)
            #expect(try model.root(size: UInt64(size)) == root)
            for index in 0..<size {
                let proof = try ProofPlan.inclusion(index: UInt64(index), size: UInt64(size)).assemble(model.hash)
                #expect(proof == Self.path(index, prefix), "inclusion \(index) in \(size)")
                try ProofVerifier.verifyInclusion(
                    leafHash: Self.leaves[index], index: UInt64(index), size: UInt64(size), proof: proof, root: root)
                // The wrong leaf or a neighbouring index must fail.
                #expect(throws: LedgerError.self) {
                    try ProofVerifier.verifyInclusion(
                        leafHash: Self.leaves[(index + 1) % Self.leaves.count], index: UInt64(index),
                        size: UInt64(size), proof: proof, root: root)
                }
            }
            for first in 1...size {
                let proof = try ProofPlan.consistency(from: UInt64(first), to: UInt64(size)).assemble(model.hash)
                #expect(proof == (first == size ? [] : Self.subproof(first, prefix, true)), "consistency \(first) -> \(size)")
                try ProofVerifier.verifyConsistency(
                    size1: UInt64(first), size2: UInt64(size), root1: Self.mth(Self.leaves[0..<first]), root2: root,
                    proof: proof)
                if first < size {
                    #expect(throws: LedgerError.self) {
                        try ProofVerifier.verifyConsistency(
                            size1: UInt64(first), size2: UInt64(size), root1: Self.mth(Self.leaves[0..<first]),
                            root2: Self.leaves[0], proof: proof)
                    }
                }
            }
        }
    }

    @Test func plansRejectPositionsOutsideTheTree() {
        #expect(throws: LedgerError.self) { try ProofPlan.inclusion(index: 5, size: 5) }
        #expect(throws: LedgerError.self) { try ProofPlan.consistency(from: 0, to: 5) }
        #expect(throws: LedgerError.self) { try ProofPlan.consistency(from: 6, to: 5) }
    }

    @Test func tilesGrowAcrossTileBoundaries() throws {
        // 256 + 256·… crosses level-0 and level-1 tile boundaries; any batching gives the same tiles.
        let hashes = (0..<(256 * 3 + 17)).map { Merkle.leafHash(Array("t\($0)".utf8)) }
        let one = try TileModel(leafHashes: hashes, batch: 1)
        let many = try TileModel(leafHashes: hashes, batch: 300)
        #expect(one.tiles == many.tiles)
        #expect(try one.root() == Merkle.root(leafHashes: hashes))
        #expect(one.tiles[Tiles.Key(level: 1, index: 0)]?.count == 3 * 32)
    }
}

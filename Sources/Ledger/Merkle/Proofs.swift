/// Which complete subtrees a proof or root needs, and how they combine.
///
/// Proofs are built in two steps, so that a store can fetch everything in one
/// batch: the plan lists the nodes (`nodes`), the store reads their hashes,
/// and `assemble` folds them into the proof. Each proof element is the hash of
/// one RFC 9162 subtree range, made of one or more complete subtrees.
public struct ProofPlan: Sendable, Hashable {
    /// For each proof element, bottom-up, the complete subtrees it folds.
    public let elements: [[TreeNode]]

    /// A plan from explicit elements (each a non-empty list of complete subtrees, folded from the right).
    public init(elements: [[TreeNode]]) {
        self.elements = elements
    }

    /// Every distinct node the plan needs.
    public var nodes: [TreeNode] {
        var seen = Set<TreeNode>()
        var out: [TreeNode] = []
        for element in elements {
            for node in element where seen.insert(node).inserted { out.append(node) }
        }
        return out
    }

    /// The proof hashes, given the hash of each needed node.
    public func assemble(_ hashOf: (TreeNode) throws -> Hash) rethrows -> [Hash] {
        try elements.map { element in
            var hash = try hashOf(element[element.count - 1])
            for node in element.dropLast().reversed() {
                hash = Merkle.nodeHash(try hashOf(node), hash)
            }
            return hash
        }
    }

    /// The plan for MTH of the first `size` leaves (one element; none for the empty tree).
    public static func root(size: UInt64) -> ProofPlan {
        ProofPlan(elements: size == 0 ? [] : [TreeNode.covering(0, size)])
    }

    /// The plan of RFC 9162 PATH(index, D[0:size]); throws if the leaf is outside the tree.
    public static func inclusion(index: UInt64, size: UInt64) throws -> ProofPlan {
        guard index < size else {
            throw LedgerError(.outOfRange, "leaf index \(index) is outside a tree of size \(size)")
        }
        var ranges: [(UInt64, UInt64)] = []
        path(index, 0, size, &ranges)
        return ProofPlan(elements: ranges.map { TreeNode.covering($0.0, $0.1) })
    }

    /// The plan of RFC 9162 PROOF(from, D[0:to]); throws unless 1 ≤ from ≤ to.
    public static func consistency(from: UInt64, to: UInt64) throws -> ProofPlan {
        guard from >= 1 else {
            throw LedgerError(.outOfRange, "a consistency proof needs a first size of at least 1")
        }
        guard from <= to else {
            throw LedgerError(.outOfRange, "sizes out of order: \(from) is larger than \(to)")
        }
        var ranges: [(UInt64, UInt64)] = []
        if from < to { subproof(from, 0, to, true, &ranges) }
        return ProofPlan(elements: ranges.map { TreeNode.covering($0.0, $0.1) })
    }

    private static func path(_ m: UInt64, _ low: UInt64, _ high: UInt64, _ out: inout [(UInt64, UInt64)]) {
        guard high - low > 1 else { return }
        let k = Merkle.split(high - low)
        if m < low + k {
            path(m, low, low + k, &out)
            out.append((low + k, high))
        } else {
            path(m, low + k, high, &out)
            out.append((low, low + k))
        }
    }

    private static func subproof(
        _ m: UInt64, _ low: UInt64, _ high: UInt64, _ complete: Bool, _ out: inout [(UInt64, UInt64)]
    ) {
        let n = high - low
        if m == n {
            if !complete { out.append((low, high)) }
            return
        }
        let k = Merkle.split(n)
        if m <= k {
            subproof(m, low, low + k, complete, &out)
            out.append((low + k, high))
        } else {
            subproof(m - k, low + k, high, false, &out)
            out.append((low, low + k))
        }
    }
}

/// RFC 9162 §2.1.3.2 and §2.1.4.2 proof verification.
///
/// A proof binds a tree size only together with its root: take (size, root)
/// from a verified checkpoint, never from the proof alone.
public enum ProofVerifier {
    /// Checks that `leafHash` is leaf `index` of the tree of `size` leaves with `root`; throws `verificationFailed` if not.
    public static func verifyInclusion(leafHash: Hash, index: UInt64, size: UInt64, proof: [Hash], root: Hash) throws {
        guard index < size else {
            throw LedgerError(.verificationFailed, "leaf index \(index) is outside a tree of size \(size)")
        }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            guard sn != 0 else { throw LedgerError(.verificationFailed, "inclusion proof is too long") }
            if fn & 1 == 1 || fn == sn {
                r = Merkle.nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = Merkle.nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw LedgerError(.verificationFailed, "inclusion proof is too short") }
        guard r == root else { throw LedgerError(.verificationFailed, "inclusion proof does not lead to the root") }
    }

    /// Checks that the tree of `size1` leaves with `root1` is a prefix of the tree of `size2` with `root2`.
    ///
    /// `size1` = 0 is rejected: an empty tree is trivially a prefix, so such a
    /// proof proves nothing (transparency-dev's policy).
    public static func verifyConsistency(size1: UInt64, size2: UInt64, root1: Hash, root2: Hash, proof: [Hash]) throws {
        guard size1 >= 1 else {
            throw LedgerError(.verificationFailed, "a consistency proof needs a first size of at least 1")
        }
        guard size1 <= size2 else {
            throw LedgerError(.verificationFailed, "sizes out of order: \(size1) is larger than \(size2)")
        }
        if size1 == size2 {
            guard proof.isEmpty else { throw LedgerError(.verificationFailed, "proof between equal sizes must be empty") }
            guard root1 == root2 else { throw LedgerError(.verificationFailed, "equal sizes with different roots") }
            return
        }
        guard !proof.isEmpty else { throw LedgerError(.verificationFailed, "consistency proof is empty") }
        var path = proof
        if size1 & (size1 - 1) == 0 { path.insert(root1, at: 0) }
        var fn = size1 - 1
        var sn = size2 - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { throw LedgerError(.verificationFailed, "consistency proof is too long") }
            if fn & 1 == 1 || fn == sn {
                fr = Merkle.nodeHash(c, fr)
                sr = Merkle.nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = Merkle.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw LedgerError(.verificationFailed, "consistency proof is too short") }
        guard fr == root1 else { throw LedgerError(.verificationFailed, "consistency proof does not lead to the first root") }
        guard sr == root2 else { throw LedgerError(.verificationFailed, "consistency proof does not lead to the second root") }
    }
}

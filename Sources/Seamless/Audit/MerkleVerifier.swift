import SeamlessCrypto

/// Verifies inclusion and consistency proofs exactly as RFC 9162 §2.1.3.2 and §2.1.4.2 describe, with the
/// strict checks real verifiers got wrong: index < size, the exact proof length, and the final `sn == 0`.
public enum MerkleVerifier {
    /// Checks that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`.
    public static func verifyInclusion(
        leafHash: [UInt8], index: Int, size: Int, proof: [[UInt8]], root: [UInt8]
    ) throws(MerkleProofError) {
        guard index >= 0, index < size else { throw .indexOutOfRange(index: index, size: size) }
        let expected = inclusionProofLength(index: index, size: size)
        guard proof.count == expected else { throw .wrongLength(expected: expected, actual: proof.count) }
        try checkHashes(proof)
        // One digest context for the whole proof, not one per hash.
        let context = DigestContext(.sha256)
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            guard sn != 0 else { throw .wrongLength(expected: expected, actual: proof.count) }
            if fn & 1 == 1 || fn == sn {
                r = MerkleHash.node(p, r, using: context)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = MerkleHash.node(r, p, using: context)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .wrongLength(expected: expected, actual: proof.count) }
        guard r == root else { throw .rootMismatch }
    }

    /// Checks that the tree of `oldSize` leaves with `oldRoot` is a prefix of the tree of `newSize` leaves
    /// with `newRoot`.
    public static func verifyConsistency(
        oldSize: Int, newSize: Int, oldRoot: [UInt8], newRoot: [UInt8], proof: [[UInt8]]
    ) throws(MerkleProofError) {
        guard oldSize > 0, oldSize <= newSize else { throw .badSizes(oldSize: oldSize, newSize: newSize) }
        if oldSize == newSize {
            guard proof.isEmpty, oldRoot == newRoot else { throw .equalSizesDiffer }
            return
        }
        let expected = consistencyProofLength(oldSize: oldSize, newSize: newSize)
        guard proof.count == expected else { throw .wrongLength(expected: expected, actual: proof.count) }
        try checkHashes(proof)
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        let context = DigestContext(.sha256)
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { throw .wrongLength(expected: expected, actual: proof.count) }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHash.node(c, fr, using: context)
                sr = MerkleHash.node(c, sr, using: context)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = MerkleHash.node(sr, c, using: context)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .wrongLength(expected: expected, actual: proof.count) }
        guard fr == oldRoot, sr == newRoot else { throw .rootMismatch }
    }

    /// The exact length of an inclusion proof: inner + border (transparency-dev/merkle).
    public static func inclusionProofLength(index: Int, size: Int) -> Int {
        let inner = bitLength(index ^ (size - 1))
        let border = (index >> inner).nonzeroBitCount
        return inner + border
    }

    /// The exact length of a consistency proof for 0 < oldSize < newSize: the inclusion-proof shape of
    /// leaf oldSize − 1, minus the levels below the old tree's rightmost complete subtree, plus that
    /// subtree's root unless it is the whole old tree (transparency-dev/merkle).
    public static func consistencyProofLength(oldSize: Int, newSize: Int) -> Int {
        let index = oldSize - 1
        let inner = bitLength(index ^ (newSize - 1))
        let border = (index >> inner).nonzeroBitCount
        let shift = oldSize.trailingZeroBitCount
        let seed = oldSize == 1 << shift ? 0 : 1
        return seed + inner - shift + border
    }

    static func bitLength(_ value: Int) -> Int {
        value == 0 ? 0 : Int.bitWidth - value.leadingZeroBitCount
    }

    private static func checkHashes(_ proof: [[UInt8]]) throws(MerkleProofError) {
        for (position, hash) in proof.enumerated() where hash.count != MerkleHash.length {
            throw .badHashLength(position: position)
        }
    }
}

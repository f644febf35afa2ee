import Foundation
import SeamlessTestSupport
import Testing

@testable import Seamless

/// The Merkle tree and proofs against vectors computed independently from the RFC's definitions
/// (scripts/interop/merkle_vectors.py), and proofs altered in every way a verifier must notice.
@Suite("Merkle tree (RFC 9162)")
struct MerkleTreeTests {
    static let size = 40

    struct Vectors {
        let leafHashes: [[UInt8]]
        let roots: [[UInt8]]
        let inclusion: [(index: Int, size: Int, proof: [[UInt8]])]
        let consistency: [(old: Int, new: Int, proof: [[UInt8]])]
    }

    static func unhex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static func vectors() throws -> Vectors {
        let script = repositoryRoot.appendingPathComponent("scripts/interop/merkle_vectors.py").path
        let json = try JSONParser().parse(try runChecked("python3", [script, String(size)]).stdout)
        func hashes(_ value: JSONValue?) -> [[UInt8]] { value?.arrayValue?.map { unhex($0.stringValue!) } ?? [] }
        func triples(_ key: String) -> [(Int, Int, [[UInt8]])] {
            json[key]!.arrayValue!.map { item in
                let parts = item.arrayValue!
                return (Int(parts[0].integerValue!), Int(parts[1].integerValue!), hashes(parts[2]))
            }
        }
        return Vectors(
            leafHashes: hashes(json["leafHashes"]), roots: hashes(json["roots"]),
            inclusion: triples("inclusion"), consistency: triples("consistency")
        )
    }

    static func tree() -> MerkleTree {
        var tree = MerkleTree()
        for index in 0..<size { tree.append(leafHash: MerkleHash.leaf(Array("entry-\(index)".utf8))) }
        return tree
    }

    @Test("leaf hashes, roots and every proof match the independent vectors, and verify")
    func matchesVectors() throws {
        let vectors = try Self.vectors()
        let tree = Self.tree()
        #expect((0..<Self.size).map { tree.leafHash(at: $0) } == vectors.leafHashes)
        #expect((0...Self.size).map { tree.root(size: $0) } == vectors.roots)
        #expect(vectors.roots[0] == MerkleHash.emptyRoot)
        for (index, size, proof) in vectors.inclusion {
            #expect(try tree.inclusionProof(index: index, size: size) == proof, "inclusion \(index)/\(size)")
            #expect(MerkleVerifier.inclusionProofLength(index: index, size: size) == proof.count)
            try MerkleVerifier.verifyInclusion(
                leafHash: vectors.leafHashes[index], index: index, size: size, proof: proof, root: vectors.roots[size])
        }
        for (old, new, proof) in vectors.consistency {
            #expect(try tree.consistencyProof(oldSize: old, newSize: new) == proof, "consistency \(old)→\(new)")
            #expect(
                MerkleVerifier.consistencyProofLength(oldSize: old, newSize: new) == proof.count, "length \(old)→\(new)"
            )
            try MerkleVerifier.verifyConsistency(
                oldSize: old, newSize: new, oldRoot: vectors.roots[old], newRoot: vectors.roots[new], proof: proof)
        }
    }

    @Test("the edge cases real verifiers got wrong")
    func edgeCases() throws {
        let tree = Self.tree()
        // index 0 of a one-leaf tree has an empty proof and verifies (google/certificate-transparency #1278).
        try MerkleVerifier.verifyInclusion(
            leafHash: tree.leafHash(at: 0), index: 0, size: 1, proof: [], root: tree.root(size: 1))
        // index ≥ size is refused, even with a plausible proof (CT RFCs PR #125).
        #expect(throws: MerkleProofError.indexOutOfRange(index: 5, size: 5)) {
            try MerkleVerifier.verifyInclusion(
                leafHash: tree.leafHash(at: 4), index: 5, size: 5, proof: try tree.inclusionProof(index: 4, size: 5),
                root: tree.root(size: 5))
        }
        // equal sizes: empty proof, equal roots; size 0 and shrinking trees are refused.
        try MerkleVerifier.verifyConsistency(
            oldSize: 7, newSize: 7, oldRoot: tree.root(size: 7), newRoot: tree.root(size: 7), proof: [])
        #expect(throws: MerkleProofError.equalSizesDiffer) {
            try MerkleVerifier.verifyConsistency(
                oldSize: 7, newSize: 7, oldRoot: tree.root(size: 7), newRoot: tree.root(size: 8), proof: [])
        }
        #expect(throws: MerkleProofError.badSizes(oldSize: 0, newSize: 7)) {
            try MerkleVerifier.verifyConsistency(
                oldSize: 0, newSize: 7, oldRoot: MerkleHash.emptyRoot, newRoot: tree.root(size: 7), proof: [])
        }
        #expect(throws: MerkleProofError.badSizes(oldSize: 8, newSize: 7)) {
            try MerkleVerifier.verifyConsistency(
                oldSize: 8, newSize: 7, oldRoot: tree.root(size: 8), newRoot: tree.root(size: 7), proof: [])
        }
        // one consistency proof must not verify for other tree sizes (CT RFCs PR #100: the sn check).
        let proof = try tree.consistencyProof(oldSize: 6, newSize: 8)
        for new in 9...16 {
            #expect(throws: MerkleProofError.self) {
                try MerkleVerifier.verifyConsistency(
                    oldSize: 6, newSize: new, oldRoot: tree.root(size: 6), newRoot: tree.root(size: 8), proof: proof)
            }
        }
    }

    @Test(
        "bit-flipped, truncated, extended and reordered proofs are refused",
        arguments: [(5, 13), (0, 40), (39, 40), (16, 17), (31, 33)])
    func tamperedInclusion(index: Int, size: Int) throws {
        let tree = Self.tree()
        let leaf = tree.leafHash(at: index)
        let root = tree.root(size: size)
        let proof = try tree.inclusionProof(index: index, size: size)
        try MerkleVerifier.verifyInclusion(leafHash: leaf, index: index, size: size, proof: proof, root: root)
        var variants: [[[UInt8]]] = [Array(proof.dropLast()), proof + [proof[0]], [MerkleHash.emptyRoot] + proof]
        for position in proof.indices {
            var flipped = proof
            flipped[position][position % 32] ^= 0x01
            variants.append(flipped)
        }
        if proof.count > 1 { variants.append(proof.reversed()) }
        for variant in variants {
            #expect(throws: MerkleProofError.self) {
                try MerkleVerifier.verifyInclusion(leafHash: leaf, index: index, size: size, proof: variant, root: root)
            }
        }
        #expect(throws: MerkleProofError.self) {
            try MerkleVerifier.verifyInclusion(
                leafHash: leaf, index: index, size: size, proof: proof.map { Array($0.dropLast()) }, root: root)
        }
        let otherIndex = (index + 1) % size
        #expect(throws: MerkleProofError.self) {
            try MerkleVerifier.verifyInclusion(leafHash: leaf, index: otherIndex, size: size, proof: proof, root: root)
        }
    }

    @Test("tampered consistency proofs are refused", arguments: [(1, 2), (3, 7), (4, 8), (6, 8), (13, 40), (32, 33)])
    func tamperedConsistency(old: Int, new: Int) throws {
        let tree = Self.tree()
        let proof = try tree.consistencyProof(oldSize: old, newSize: new)
        let (oldRoot, newRoot) = (tree.root(size: old), tree.root(size: new))
        try MerkleVerifier.verifyConsistency(
            oldSize: old, newSize: new, oldRoot: oldRoot, newRoot: newRoot, proof: proof)
        var variants: [[[UInt8]]] = [Array(proof.dropLast()), proof + [proof[0]], []]
        for position in proof.indices {
            var flipped = proof
            flipped[position][7] ^= 0x80
            variants.append(flipped)
        }
        if proof.count > 1 { variants.append(proof.reversed()) }
        for variant in variants {
            #expect(throws: MerkleProofError.self) {
                try MerkleVerifier.verifyConsistency(
                    oldSize: old, newSize: new, oldRoot: oldRoot, newRoot: newRoot, proof: variant)
            }
        }
        #expect(throws: MerkleProofError.self) {
            try MerkleVerifier.verifyConsistency(
                oldSize: old, newSize: new, oldRoot: newRoot, newRoot: oldRoot, proof: proof)
        }
    }

    @Test("a tree continued from its frontier has the same roots and proofs from there on")
    func continuedFromFrontier() throws {
        let whole = Self.tree()
        for start in [0, 1, 2, 3, 5, 8, 13, 21, 32, 39, 40] {
            let frontier = whole.frontier(size: start)
            #expect(frontier.count == start.nonzeroBitCount)
            var part = try #require(MerkleTree(size: start, frontier: frontier))
            #expect(part.size == start && part.firstLeaf == start)
            for index in start..<Self.size { part.append(leafHash: whole.leafHash(at: index)) }
            for size in max(start, 1)...Self.size {
                #expect(part.root(size: size) == whole.root(size: size), "from \(start), root at \(size)")
                #expect(part.frontier(size: size) == whole.frontier(size: size))
            }
            for index in start..<Self.size {
                #expect(
                    try part.inclusionProof(index: index, size: Self.size)
                        == whole.inclusionProof(index: index, size: Self.size))
            }
            for old in max(start, 1)...Self.size {
                #expect(
                    try part.consistencyProof(oldSize: old, newSize: Self.size)
                        == whole.consistencyProof(oldSize: old, newSize: Self.size))
            }
            if start > 0 {
                #expect(throws: MerkleProofError.beforeFirstLeaf(index: start - 1, firstLeaf: start)) {
                    try part.inclusionProof(index: start - 1, size: Self.size)
                }
            }
        }
        // A frontier must have one hash per one-bit of the size, each 32 bytes.
        #expect(MerkleTree(size: 5, frontier: [MerkleHash.emptyRoot]) == nil)
        #expect(MerkleTree(size: 4, frontier: [[1, 2, 3]]) == nil)
    }
}

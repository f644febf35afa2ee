import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI
import SeamlessCrypto

/// Verifies a bundle and returns the tree recomputed from its entries; a bundle with findings is refused.
func verifiedTree(_ bundle: String) throws -> (BundleVerification, MerkleTree) {
    let verification: BundleVerification
    do {
        verification = try BundleVerifier.verify(bundle)
    } catch {
        throw CommandFailure.io(error.reason)
    }
    guard verification.findings.isEmpty else {
        throw CommandFailure.refused(
            "the bundle does not verify (\(verification.findings.count) findings); run `exchange-audit verify \(bundle)`"
        )
    }
    return (verification, verification.tree)
}

struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Make inclusion and consistency proofs from a verified bundle.",
        subcommands: [Inclusion.self, Consistency.self]
    )

    struct Inclusion: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that entry SEQ is in the log at a checkpointed size.",
            discussion: "Example:\n  exchange-audit prove inclusion --bundle /tmp/ps-bundle --seq 17 > proof.json"
        )
        @Option(help: "The bundle folder.") var bundle: String
        @Option(help: "The entry's sequence number.") var seq: Int
        @Option(help: "The checkpointed tree size (default: the largest).") var size: Int?

        func run() throws {
            let (verification, tree) = try verifiedTree(bundle)
            let treeSize = size ?? verification.verifiedCheckpoints.last ?? tree.size
            guard verification.verifiedCheckpoints.contains(treeSize) else {
                throw CommandFailure.usage(
                    "no verified checkpoint has size \(treeSize); checkpoints: \(verification.verifiedCheckpoints)")
            }
            do {
                let proof = try tree.inclusionProof(index: seq, size: treeSize)
                try printJSON(
                    MerkleProofDocument(
                        type: .inclusion, origin: verification.manifest.origin, sequence: seq,
                        leafHash: Base64.encode(tree.leafHash(at: seq)), treeSize: treeSize,
                        hashes: proof.map { Base64.encode($0) }))
            } catch {
                throw CommandFailure.usage("\(error)")
            }
        }
    }

    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that the log at SIZE1 is a prefix of the log at SIZE2 (both checkpointed).",
            discussion:
                "Example:\n  exchange-audit prove consistency --bundle /tmp/ps-bundle --from 20 --to 50 > proof.json"
        )
        @Option(help: "The bundle folder.") var bundle: String
        @Option(name: .customLong("from"), help: "The older size.") var oldSize: Int
        @Option(name: .customLong("to"), help: "The newer size.") var newSize: Int

        func run() throws {
            let (verification, tree) = try verifiedTree(bundle)
            for size in [oldSize, newSize] where !verification.verifiedCheckpoints.contains(size) {
                throw CommandFailure.usage(
                    "no verified checkpoint has size \(size); checkpoints: \(verification.verifiedCheckpoints)")
            }
            do {
                let proof = try tree.consistencyProof(oldSize: oldSize, newSize: newSize)
                try printJSON(
                    MerkleProofDocument(
                        type: .consistency, origin: verification.manifest.origin, treeSize: newSize, oldSize: oldSize,
                        hashes: proof.map { Base64.encode($0) }))
            } catch {
                throw CommandFailure.usage("\(error)")
            }
        }
    }
}

struct CheckProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-proof",
        abstract: "Check a proof against signed checkpoints and the keys that may sign them.",
        discussion: """
            Each --checkpoint is a signed note verified against --trust first. Exit 0 when the proof holds, 1 when
            it does not.

            Example:
              exchange-audit check-proof --proof proof.json --checkpoint bundle/checkpoints/50.note \\
                  --trust bundle/trust.json --entry entry-17.json
            """
    )

    @Option(help: "The proof file (from `prove`).") var proof: String
    @Option(name: .customLong("checkpoint"), help: "A signed checkpoint; repeat for consistency proofs.")
    var checkpoints: [String] = []
    @Option(help: "trust.json with the keys that may sign checkpoints.") var trust: String
    @Option(help: "The entry's bytes, to check they hash to the proof's leaf (inclusion).") var entry: String?

    func run() throws {
        let document: MerkleProofDocument
        do {
            document = try JSONDecoder().decode(
                MerkleProofDocument.self, from: Data(try Files.read(proof, limit: 1 << 20, what: "proof")))
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.usage("'\(proof)' is not a proof document: \(error)")
        }
        let keys: [NoteKey]
        do {
            keys = try JSONDecoder().decode(
                AuditBundle.Trust.self, from: Data(try Files.read(trust, limit: 1 << 20, what: "trust file"))
            ).noteKeys()
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.usage("'\(trust)' is not a trust file: \(error)")
        }
        var verified: [Checkpoint] = []
        for path in checkpoints {
            do {
                verified.append(try Checkpoint.open(try Files.readText(path, what: "checkpoint"), keys: keys).0)
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                throw CommandFailure.refused("\(path): \(error)")
            }
        }
        let entryBytes = try entry.map { path -> [UInt8] in
            var bytes = try Files.read(path, limit: 1 << 20, what: "entry")
            if bytes.last == 0x0A { bytes.removeLast() }
            return bytes
        }
        do {
            try document.check(against: verified, entry: entryBytes)
        } catch {
            switch error {
            case .malformedDocument, .badHashLength:
                throw CommandFailure.usage("'\(proof)' cannot be used: \(error)")
            default:
                throw CommandFailure.refused("the proof does not hold: \(error)")
            }
        }
        print("ok: \(document.type.rawValue) proof holds for \(document.origin) at size \(document.treeSize)")
    }
}

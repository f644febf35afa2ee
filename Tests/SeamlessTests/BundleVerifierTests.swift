import Foundation
import SeamlessCrypto
import SeamlessFixtures
import SeamlessTestSupport
import Testing

@testable import Seamless

/// Every kind of tampering with an exported audit bundle is caught and named.
@Suite("Audit bundle verification")
struct BundleVerifierTests {
    typealias F = FederationFixture

    /// A bundle of 50 events with checkpoints at 20 and 50.
    static func bundle(_ dir: TemporaryDirectory, key: PrivateKey) async throws -> String {
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        _ = try await store.importCatalogEntries([F.household, F.secrets], at: F.t("2026-11-01T00:00:00Z"))
        let log = try await AuditLog(store: store, node: F.security, signer: key)
        var catalogEvent = AuditEvent(kind: .catalogRevision, at: F.t("2026-11-01T00:00:00Z"), node: F.security)
        catalogEvent.catalogRevision = try await store.currentCatalog().revision
        _ = try await log.append(catalogEvent)
        for index in 1..<50 {
            var event = AuditEvent(
                kind: .requestReceived, at: F.t("2026-11-02T00:00:00Z").adding(seconds: Int64(index)), node: F.security)
            event.peer = F.civil
            event.resource = F.household.id
            event.requestHash = AuditEvent.hash(Array("request \(index)".utf8))
            _ = try await log.append(event)
            if index == 19 { _ = try await log.checkpoint() }
        }
        _ = try await log.checkpoint()
        let path = dir.path("bundle")
        try await AuditBundle.export(store: store, node: F.security, publicKey: key.publicKey, to: path)
        return path
    }

    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path + "/entries.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func write(_ lines: [String], _ path: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: path + "/entries.jsonl", atomically: true, encoding: .utf8)
    }

    @Test("an untouched bundle verifies, with both checkpoints")
    func clean() async throws {
        let dir = try TemporaryDirectory()
        let path = try await Self.bundle(dir, key: try PrivateKey.generate(.ed25519))
        let result = try BundleVerifier.verify(path)
        #expect(result.findings.isEmpty, "\(result.findings)")
        #expect(result.verifiedCheckpoints == [20, 50])
        #expect(result.entryCount == 50)
    }

    @Test("one changed byte in an entry is pinned to that entry")
    func changedByte() async throws {
        let dir = try TemporaryDirectory()
        let path = try await Self.bundle(dir, key: try PrivateKey.generate(.ed25519))
        var lines = try Self.lines(path)
        lines[33] = lines[33].replacingOccurrences(
            of: "\"peer\":\"gov.civil-affairs\"", with: "\"peer\":\"gov.civil-affaira\"")
        try Self.write(lines, path)
        let findings = try BundleVerifier.verify(path).findings
        #expect(findings.contains { $0.code == "chain-broken" && $0.sequence == 33 }, "\(findings)")
        #expect(findings.contains { $0.code == "checkpoint-root-mismatch" && $0.file == "checkpoints/50.note" })
        #expect(!findings.contains { $0.file == "checkpoints/20.note" }, "the checkpoint before the change still holds")
        #expect(findings.contains { $0.code == "file-changed" && $0.file == "entries.jsonl" })
    }

    @Test("a dropped entry and reordered entries are named")
    func droppedAndReordered() async throws {
        let dir = try TemporaryDirectory()
        let path = try await Self.bundle(dir, key: try PrivateKey.generate(.ed25519))
        var lines = try Self.lines(path)
        lines.remove(at: 10)
        try Self.write(lines, path)
        let dropped = try BundleVerifier.verify(path).findings
        #expect(
            dropped.contains { $0.code == "sequence-mismatch" && $0.sequence == 10 && $0.message.contains("dropped") },
            "\(dropped)")
        let other = try TemporaryDirectory()
        let path2 = try await Self.bundle(other, key: try PrivateKey.generate(.ed25519))
        var lines2 = try Self.lines(path2)
        lines2.swapAt(40, 41)
        try Self.write(lines2, path2)
        let swapped = try BundleVerifier.verify(path2).findings
        #expect(swapped.contains { $0.code == "sequence-mismatch" && $0.sequence == 40 }, "\(swapped)")
    }

    @Test("entries after the last checkpoint are reported")
    func uncovered() async throws {
        let dir = try TemporaryDirectory()
        let key = try PrivateKey.generate(.ed25519)
        let path = try await Self.bundle(dir, key: key)
        try FileManager.default.removeItem(atPath: path + "/checkpoints/50.note")
        let findings = try BundleVerifier.verify(path).findings
        #expect(findings.contains { $0.code == "entries-uncovered" && $0.sequence == 20 }, "\(findings)")
        #expect(findings.contains { $0.code == "file-missing" && $0.file == "checkpoints/50.note" })
    }

    @Test("a checkpoint signed by an unknown key, and two checkpoints that fork, are reported")
    func unknownKeyAndFork() async throws {
        let dir = try TemporaryDirectory()
        let key = try PrivateKey.generate(.ed25519)
        let path = try await Self.bundle(dir, key: key)
        let stranger = try PrivateKey.generate(.ed25519)
        let forged = try Checkpoint(origin: "\(F.security)/audit", size: 50, root: [UInt8](repeating: 7, count: 32))
            .signed(name: F.security, with: stranger)
        try forged.serialized.write(toFile: path + "/checkpoints/51.note", atomically: true, encoding: .utf8)
        let fork = try Checkpoint(origin: "\(F.security)/audit", size: 20, root: [UInt8](repeating: 9, count: 32))
            .signed(name: F.security, with: key)
        try fork.serialized.write(toFile: path + "/checkpoints/20b.note", atomically: true, encoding: .utf8)
        let findings = try BundleVerifier.verify(path).findings
        #expect(
            findings.contains { $0.code == "checkpoint-unknown-key" && $0.file == "checkpoints/51.note" }, "\(findings)"
        )
        #expect(
            findings.contains {
                ($0.code == "checkpoint-fork" || $0.code == "checkpoint-root-mismatch")
                    && $0.file == "checkpoints/20b.note"
            }, "\(findings)")
        #expect(findings.contains { $0.code == "file-unlisted" })
    }

    @Test("a bundle without a manifest is unreadable, not merely wrong")
    func unreadable() async throws {
        let dir = try TemporaryDirectory()
        #expect(throws: BundleUnreadable.self) { _ = try BundleVerifier.verify(dir.path("nothing")) }
        // A manifest whose origin is not its node's log.
        let path = try await Self.bundle(dir, key: try PrivateKey.generate(.ed25519))
        let manifest = try String(contentsOfFile: path + "/manifest.json", encoding: .utf8)
        try manifest.replacingOccurrences(
            of: "\"origin\":\"gov.public-security/audit\"", with: "\"origin\":\"gov.other/audit\""
        )
        .write(toFile: path + "/manifest.json", atomically: true, encoding: .utf8)
        let error = try #require(throws: BundleUnreadable.self) { _ = try BundleVerifier.verify(path) }
        #expect(error.reason.contains("'<node id>/audit'"))
    }
}

@Suite("Audit bundle verification: review cases")
struct BundleVerifierReviewTests {
    @Test("one dropped entry is reported once; a misnamed checkpoint and a trust key with a wrong kid are reported")
    func reviewCases() async throws {
        let dir = try TemporaryDirectory()
        let key = try PrivateKey.generate(.ed25519)
        let path = try await BundleVerifierTests.bundle(dir, key: key)
        var lines = try BundleVerifierTests.lines(path)
        lines.remove(at: 30)
        try BundleVerifierTests.write(lines, path)
        try FileManager.default.moveItem(
            atPath: path + "/checkpoints/20.note", toPath: path + "/checkpoints/twenty.note")
        var trust = try String(contentsOfFile: path + "/trust.json", encoding: .utf8)
        let kid = key.publicKey.kid
        trust = trust.replacingOccurrences(of: kid, with: String(kid.reversed()))
        try trust.write(toFile: path + "/trust.json", atomically: true, encoding: .utf8)
        let findings = try BundleVerifier.verify(path).findings
        #expect(findings.filter { $0.code == "sequence-mismatch" }.count == 1, "\(findings)")
        #expect(findings.contains { $0.code == "trust-unreadable" && $0.message.contains("lists kid") })
        // With trust.json unusable no checkpoint verifies; restore it to see the misnamed file reported.
        trust = trust.replacingOccurrences(of: String(kid.reversed()), with: kid)
        try trust.write(toFile: path + "/trust.json", atomically: true, encoding: .utf8)
        let again = try BundleVerifier.verify(path).findings
        #expect(again.contains { $0.code == "checkpoint-misnamed" && $0.file == "checkpoints/twenty.note" }, "\(again)")
    }
}

@Suite("Audit bundle verification: bundles that start later, and large logs")
struct PartialBundleTests {
    typealias F = FederationFixture

    /// The store behind ``BundleVerifierTests/bundle(_:key:)``, exported again from `from`.
    static func partial(from: Int) async throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory()
        let key = try PrivateKey.generate(.ed25519)
        _ = try await BundleVerifierTests.bundle(dir, key: key)
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        let path = dir.path("from-\(from)")
        try await AuditBundle.export(store: store, node: F.security, publicKey: key.publicKey, from: from, to: path)
        return (dir, path)
    }

    @Test("a bundle exported from a later entry verifies against the same checkpoints", arguments: [1, 13, 20, 33, 49])
    func verifies(from: Int) async throws {
        let (dir, path) = try await Self.partial(from: from)
        defer { withExtendedLifetime(dir) {} }
        let result = try BundleVerifier.verify(path)
        #expect(result.findings.isEmpty, "\(result.findings)")
        #expect(result.manifest.first == from && result.entryCount == 50 - from)
        #expect(result.verifiedCheckpoints == (from <= 20 ? [20, 50] : [50]))
        let proof = try result.tree.inclusionProof(index: 49, size: 50)
        try MerkleVerifier.verifyInclusion(
            leafHash: result.tree.leafHash(at: 49), index: 49, size: 50, proof: proof, root: result.tree.root())
    }

    @Test("a forged prefix, a changed entry and a missing prefix are caught")
    func tampered() async throws {
        let (dir, path) = try await Self.partial(from: 13)
        defer { withExtendedLifetime(dir) {} }
        // Another frontier: the signed roots no longer match.
        let prefixPath = path + "/prefix.json"
        let original = try String(contentsOfFile: prefixPath, encoding: .utf8)
        var prefix = try JSONDecoder().decode(AuditBundle.Prefix.self, from: Data(original.utf8))
        prefix.frontier[0] = Base64.encode([UInt8](repeating: 7, count: 32))
        try Data(try CanonicalJSON.encode(prefix)).write(to: URL(fileURLWithPath: prefixPath))
        var findings = try BundleVerifier.verify(path).findings
        #expect(findings.contains { $0.code == "file-changed" && $0.file == "prefix.json" }, "\(findings)")
        #expect(findings.contains { $0.code == "checkpoint-root-mismatch" && $0.file == "checkpoints/20.note" })
        try original.write(toFile: prefixPath, atomically: true, encoding: .utf8)
        // One changed entry is named by its number in the log, not its line in the file.
        var lines = try BundleVerifierTests.lines(path)
        lines[10] = lines[10].replacingOccurrences(of: "gov.civil-affairs", with: "gov.civil-affaira")
        try BundleVerifierTests.write(lines, path)
        findings = try BundleVerifier.verify(path).findings
        #expect(findings.contains { $0.code == "chain-broken" && $0.sequence == 23 }, "\(findings)")
        try FileManager.default.removeItem(atPath: prefixPath)
        #expect(throws: BundleUnreadable.self) { _ = try BundleVerifier.verify(path) }
    }

    @Test("a log large enough to be verified on every core names the one changed entry")
    func parallel() async throws {
        let dir = try TemporaryDirectory()
        let key = try PrivateKey.generate(.ed25519)
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        let log = try await AuditLog(store: store, node: F.security, signer: key)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<16 {
                group.addTask {
                    for index in 0..<250 {
                        var event = AuditEvent(kind: .use, at: F.t("2026-11-02T00:00:00Z"), node: F.security)
                        event.requestHash = AuditEvent.hash(Array("request \(writer)-\(index)".utf8))
                        event.purpose = "social-assistance"
                        _ = try await log.append(event)
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = try await log.checkpoint()
        let path = dir.path("bundle")
        try await AuditBundle.export(store: store, node: F.security, publicKey: key.publicKey, to: path)
        #expect(try BundleVerifier.verify(path).findings.isEmpty)
        var lines = try BundleVerifierTests.lines(path)
        for line in [1, 1_499, 1_500, 3_998] {
            lines[line] = lines[line].replacingOccurrences(of: "social-assistance", with: "social-assistancf")
        }
        try BundleVerifierTests.write(lines, path)
        let broken = try BundleVerifier.verify(path).findings.filter { $0.code == "chain-broken" }
        #expect(broken.map(\.sequence) == [1, 1_499, 1_500, 3_998], "\(broken)")
    }
}

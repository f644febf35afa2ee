import Foundation
import Seamless
import SeamlessCrypto

/// Durable audit appends per second with concurrent writers on SQLite, recomputing a tree from entries,
/// and inclusion proofs at a million entries.
@main
struct AuditThroughput {
    static func main() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seamless-audit-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let entry = Array(#"{"at":"2026-11-29T10:00:00Z","kind":"decision","node":"gov.public-security","outcome":"granted","peer":"gov.civil-affairs","purpose":"marriage-registration.verify-household","requestHash":"sha256:4f9d0c3e5b1a2d7e8f6a9b0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6","resource":"gov.public-security/household-registration"}"#.utf8)
        print("# Audit log")
        print("")
        print("- entry: \(entry.count) bytes of canonical JSON")
        let clock = ContinuousClock()
        for writers in [1, 8, 64] {
            let store = try SQLiteStore(path: folder.appendingPathComponent("w\(writers).sqlite").path)
            let log = try await AuditLog(store: store, node: "gov.public-security", signer: try PrivateKey.generate(.ed25519))
            let perWriter = writers == 1 ? 2_000 : 100_000 / writers
            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<writers {
                    group.addTask {
                        for _ in 0..<perWriter { _ = try await log.append(entry) }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = seconds(clock.now - start)
            print("- \(writers) concurrent writer(s): \(Int(Double(writers * perWriter) / elapsed)) durable appends/s (\(writers * perWriter) entries in \(String(format: "%.2f", elapsed)) s)")
        }
        // A bundle of 200,000 chained events: verify and replay throughput.
        let bundleStore = try SQLiteStore(path: folder.appendingPathComponent("bundle.sqlite").path)
        let signer = try PrivateKey.generate(.ed25519)
        let bundleLog = try await AuditLog(store: bundleStore, node: "gov.public-security", signer: signer)
        let events = 200_000
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<32 {
                group.addTask {
                    for index in 0..<(events / 32) {
                        var event = AuditEvent(kind: .requestReceived, at: Timestamp(secondsSince1970: 1_795_000_000 + Int64(index)), node: "gov.public-security")
                        event.peer = "gov.civil-affairs"
                        event.resource = "gov.public-security/household-registration"
                        event.requestHash = AuditEvent.hash(Array("request \(writer)-\(index)".utf8))
                        _ = try await bundleLog.append(event)
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = try await bundleLog.checkpoint()
        let bundlePath = folder.appendingPathComponent("bundle").path
        try await AuditBundle.export(store: bundleStore, node: "gov.public-security", publicKey: signer.publicKey, to: bundlePath)
        // AUDIT_PROFILE_VERIFY=N repeats the verification N times first, for a profiler to see it alone.
        for _ in 0..<(Int(ProcessInfo.processInfo.environment["AUDIT_PROFILE_VERIFY"] ?? "") ?? 0) {
            _ = try BundleVerifier.verify(bundlePath)
        }
        let verifyBundleStart = clock.now
        let verification = try BundleVerifier.verify(bundlePath)
        let verifyBundleSeconds = seconds(clock.now - verifyBundleStart)
        precondition(verification.findings.isEmpty, "\(verification.findings.prefix(3))")
        print("- exchange-audit verify of \(events) chained events: \(Int(Double(events) / verifyBundleSeconds)) entries/s")
        let replayStart = clock.now
        let report = try AuditReplay.run(bundlePath)
        let replaySeconds = seconds(clock.now - replayStart)
        precondition(report.findings.isEmpty)
        print("- exchange-audit replay (verify included) of \(events) events: \(Int(Double(events) / replaySeconds)) entries/s")
        let count = 1_000_000
        let entries = (0..<count).map { index in Array("{\"event\":\(index),\"pad\":\"\(String(repeating: "x", count: 200))\"}".utf8) }
        let context = DigestContext(.sha256)
        let verifyStart = clock.now
        let tree = MerkleTree(leafHashes: entries.map { MerkleHash.leaf($0, using: context) })
        let root = tree.root()
        let verifySeconds = seconds(clock.now - verifyStart)
        print("- recompute leaves and root of \(count) entries: \(Int(Double(count) / verifySeconds)) entries/s")
        var proofTimes: [Double] = []
        for index in stride(from: 0, to: count, by: count / 1000) {
            let proofStart = clock.now
            let proof = try tree.inclusionProof(index: index, size: count)
            try MerkleVerifier.verifyInclusion(leafHash: tree.leafHash(at: index), index: index, size: count, proof: proof, root: root)
            proofTimes.append(seconds(clock.now - proofStart))
        }
        proofTimes.sort()
        print("- inclusion proof + verification at \(count) entries: median \(String(format: "%.1f", proofTimes[proofTimes.count / 2] * 1e6)) µs, max \(String(format: "%.1f", proofTimes.last! * 1e6)) µs")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

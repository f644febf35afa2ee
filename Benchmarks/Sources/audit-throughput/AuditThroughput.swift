import Foundation
import Seamless
import SeamlessBenchmarkSupport
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
        // A provider's log of 210,000 events — per request: request received, decision (with the request and
        // the inputs it relied on) and, when granted, disclosure — over a federation of 300 resources, 1,000
        // consents and 600 agreements: verify and replay throughput.
        let bundleStore = try SQLiteStore(path: folder.appendingPathComponent("bundle.sqlite").path)
        let signer = try PrivateKey.generate(.ed25519)
        let workload = PolicyWorkload(consents: 1_000)
        let snapshot = workload.snapshot
        let t0 = Timestamp(rfc3339: "2026-01-01T00:00:00Z")!
        _ = try await bundleStore.importCatalogEntries(snapshot.catalog.sortedEntries, at: t0)
        try await bundleStore.savePurposes(snapshot.purposes)
        try await bundleStore.saveCalendar(WorkingCalendar(name: "bench", from: CivilDate(iso: "2025-01-01")!, to: CivilDate(iso: "2027-12-31")!))
        for status in snapshot.consents.values {
            _ = try await bundleStore.recordConsent(status.record, at: t0, by: status.record.controller)
            for change in status.history.dropFirst() {
                _ = try await bundleStore.changeConsent(id: change.consent, to: change.state, at: change.at, by: change.by, reason: change.reason)
            }
        }
        for agreement in snapshot.allAgreements { try await bundleStore.recordAgreement(agreement) }
        let stored = try await bundleStore.policySnapshot(node: snapshot.node, members: snapshot.members)
        let bundleLog = try await AuditLog(store: bundleStore, node: snapshot.node, signer: signer)
        let requests = 70_000
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<32 {
                group.addTask {
                    for index in stride(from: writer, to: requests, by: 32) {
                        var request = workload.requests[index % workload.requests.count]
                        request.at = request.at.adding(seconds: Int64(index))
                        let hash = AuditEvent.hash(Array("request \(index)".utf8))
                        var received = AuditEvent(kind: .requestReceived, at: request.at, node: snapshot.node)
                        received.peer = request.requester
                        received.resource = request.resource
                        received.requestHash = hash
                        _ = try await bundleLog.append(received)
                        let decision = stored.decide(request)
                        var decided = AuditEvent(kind: .decision, at: request.at, node: snapshot.node)
                        decided.requestHash = hash
                        decided.request = request
                        decided.decision = decision
                        _ = try await bundleLog.append(decided)
                        var disclosed = AuditEvent(kind: .disclosure, at: request.at, node: snapshot.node)
                        disclosed.peer = request.requester
                        disclosed.resource = request.resource
                        disclosed.requestHash = hash
                        if let grant = decision.grant {
                            disclosed.fields = grant.fields
                            disclosed.recordCount = 20
                            disclosed.responseHash = AuditEvent.hash(Array("response \(index)".utf8))
                        } else {
                            // A refusal is a signed response too; log it as a request received again.
                            disclosed.kind = .requestReceived
                        }
                        _ = try await bundleLog.append(disclosed)
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = try await bundleLog.checkpoint()
        let events = await bundleLog.size
        let bundlePath = folder.appendingPathComponent("bundle").path
        try await AuditBundle.export(store: bundleStore, node: snapshot.node, publicKey: signer.publicKey, members: snapshot.members, to: bundlePath)
        // AUDIT_PROFILE_VERIFY=N (or AUDIT_PROFILE_REPLAY=N) repeats verify (replay) N times first, for a
        // profiler to see it alone.
        for _ in 0..<(Int(ProcessInfo.processInfo.environment["AUDIT_PROFILE_VERIFY"] ?? "") ?? 0) {
            _ = try BundleVerifier.verify(bundlePath)
        }
        for _ in 0..<(Int(ProcessInfo.processInfo.environment["AUDIT_PROFILE_REPLAY"] ?? "") ?? 0) {
            _ = try AuditReplay.run(bundlePath)
        }
        let bundleBytes = (try? FileManager.default.attributesOfItem(atPath: bundlePath + "/entries.jsonl")[.size] as? Int) ?? 0
        print("- provider log: \(events) events (\(requests) requests: received, decision, disclosure), entries.jsonl \(bundleBytes / 1_000_000) MB")
        var verifyRates: [Double] = []
        var replayRates: [Double] = []
        for _ in 0..<3 {
            let verifyBundleStart = clock.now
            let verification = try BundleVerifier.verify(bundlePath)
            verifyRates.append(Double(events) / seconds(clock.now - verifyBundleStart))
            if !verification.findings.isEmpty { fatalError("verify found \(verification.findings.prefix(3))") }
            let replayStart = clock.now
            let report = try AuditReplay.run(bundlePath)
            replayRates.append(Double(events) / seconds(clock.now - replayStart))
            if !report.findings.isEmpty { fatalError("replay found \(report.findings.count): \(report.findings.prefix(3))") }
            precondition(report.decisionsReplayed == requests)
        }
        print("- exchange-audit verify: \(verifyRates.map { "\(Int($0))" }.joined(separator: ", ")) entries/s (3 runs)")
        print("- exchange-audit replay (verify included): \(replayRates.map { "\(Int($0))" }.joined(separator: ", ")) entries/s (3 runs)")
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

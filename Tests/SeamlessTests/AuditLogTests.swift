import Foundation
import SeamlessCrypto
import SeamlessFixtures
import SeamlessTestSupport
import Testing

@testable import Seamless

@Suite("Audit log")
struct AuditLogTests {
    @Test("concurrent appends get distinct, gapless sequence numbers and survive reopening")
    func concurrentAppends() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("node.sqlite")
        let key = try PrivateKey.generate(.ed25519)
        let sequences: [Int]
        let root: [UInt8]
        do {
            let log = try await AuditLog(store: try SQLiteStore(path: path), node: "gov.public-security", signer: key)
            sequences = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<500 {
                    group.addTask { try await log.append(Array("{\"event\":\(index)}".utf8)) }
                }
                var all: [Int] = []
                for try await sequence in group { all.append(sequence) }
                return all
            }
            root = try await log.root(size: 500)
        }
        #expect(sequences.sorted() == Array(0..<500))
        let store = try SQLiteStore(path: path)
        let reopened = try await AuditLog(store: store, node: "gov.public-security", signer: key)
        #expect(await reopened.size == 500)
        #expect(try await reopened.root(size: 500) == root)
        let entries = try await store.auditEntries(0..<500)
        #expect(Set(entries.map { String(decoding: $0, as: UTF8.self) }).count == 500)
        #expect(
            MerkleTree(leafHashes: entries.map { MerkleHash.leaf($0) }).root() == root,
            "the root is recomputable from the entries alone")
    }

    @Test("events appended concurrently, while batches are being written, are numbered and chained without gaps")
    func concurrentEventsChain() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        let key = try PrivateKey.generate(.ed25519)
        let log = try await AuditLog(store: store, node: "gov.public-security", signer: key)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<16 {
                group.addTask {
                    for index in 0..<100 {
                        var event = AuditEvent(kind: .requestReceived, at: .now, node: "gov.public-security")
                        event.peer = "gov.civil-affairs"
                        event.resource = "gov.public-security/household-registration"
                        event.requestHash = AuditEvent.hash(Array("\(writer)-\(index)".utf8))
                        _ = try await log.append(event)
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = try await log.checkpoint()
        try await AuditBundle.export(
            store: store, node: "gov.public-security", publicKey: key.publicKey, to: dir.path("bundle"))
        let verification = try BundleVerifier.verify(dir.path("bundle"))
        #expect(verification.findings.isEmpty, "\(verification.findings.prefix(5))")
        #expect(verification.entryCount == 1600)
    }

    @Test("a signed checkpoint and proofs from the log verify independently of the log")
    func checkpointAndProofs() async throws {
        let dir = try TemporaryDirectory()
        let key = try PrivateKey.generate(.sm2sm3)
        let log = try await AuditLog(
            store: try SQLiteStore(path: dir.path("node.sqlite")), node: "gov.civil-affairs", signer: key)
        for index in 0..<20 { _ = try await log.append(Array("entry-\(index)".utf8)) }
        let first = try Checkpoint(body: try await log.checkpoint().text)
        for index in 20..<37 { _ = try await log.append(Array("entry-\(index)".utf8)) }
        let note = try await log.checkpoint()
        let (second, signers) = try Checkpoint.open(
            note.serialized, keys: [NoteKey(name: "gov.civil-affairs", publicKey: key.publicKey)])
        #expect(signers.count == 1)
        #expect(second.origin == "gov.civil-affairs/audit")
        #expect(second.size == 37)
        let proof = try await log.inclusionProof(sequence: 25, size: 37)
        try MerkleVerifier.verifyInclusion(
            leafHash: MerkleHash.leaf(Array("entry-25".utf8)), index: 25, size: 37, proof: proof, root: second.root)
        let consistency = try await log.consistencyProof(from: 20, to: 37)
        try MerkleVerifier.verifyConsistency(
            oldSize: 20, newSize: 37, oldRoot: first.root, newRoot: second.root, proof: consistency)
        #expect(try await log.store.auditCheckpoints().map(\.size) == [20, 37])
    }

    /// A small valid event, told apart by `index`.
    static func useEvent(_ index: Int) -> AuditEvent {
        var event = AuditEvent(kind: .use, at: .now, node: "gov.x")
        event.requestHash = AuditEvent.hash(Array("r\(index)".utf8))
        event.purpose = "social-assistance"
        return event
    }

    @Test("queued appends commit in the order queued; one refused fails alone and its ticket says why")
    func tickets() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        let log = try await AuditLog(store: store, node: "gov.x", signer: try PrivateKey.generate(.ed25519))
        let event = Self.useEvent
        let nonce = StoreChange.rememberNonce(issuer: "gov.y", nonce: "n-1", at: .now, until: .now.adding(seconds: 60))
        var tickets: [AuditTicket] = []
        for index in 0..<50 {
            // The 21st remembers a nonce the 11th already took: it is refused, the others are not.
            let changes: [StoreChange] = index == 10 || index == 20 ? [nonce] : []
            tickets.append(try await log.enqueue(event(index), applying: changes))
        }
        var sequences: [Int] = []
        for (index, ticket) in tickets.enumerated() {
            if index == 20 {
                await #expect(throws: StoreError.self) { _ = try await ticket.sequence }
            } else {
                sequences.append(try await ticket.sequence)
            }
        }
        #expect(sequences == Array(0..<49))
        let requests = try await store.auditEntries(0..<49).map {
            try AuditEvent(json: JSONParser().parse($0)).requestHash
        }
        #expect(requests == (0..<50).filter { $0 != 20 }.map { AuditEvent.hash(Array("r\($0)".utf8)) })
    }

    @Test("a cursor moved from the wrong place fails its own append only; a ticket can be awaited twice")
    func refusedCursor() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        let log = try await AuditLog(store: store, node: "gov.x", signer: try PrivateKey.generate(.ed25519))
        let event = Self.useEvent(0)
        let stale = StoreChange.advanceCursor(agreementID: "agr-none", version: 9, at: .now, from: 3)
        let tickets = [
            try await log.enqueue(event), try await log.enqueue(event, applying: [stale]), try await log.enqueue(event),
        ]
        async let first = tickets[0].sequence
        async let again = tickets[0].sequence
        #expect(try await [first, again] == [0, 0])
        await #expect(throws: StoreError.self) { _ = try await tickets[1].sequence }
        #expect(try await tickets[2].sequence == 1)
    }

    @Test("with checkpointEvery, checkpoints are signed as the log grows")
    func automaticCheckpoints() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        let log = try await AuditLog(
            store: store, node: "gov.x", signer: try PrivateKey.generate(.ed25519), checkpointEvery: 10)
        for index in 0..<25 { _ = try await log.append(Array("entry-\(index)".utf8)) }
        #expect(try await store.auditCheckpoints().map(\.size) == [10, 20])
        let reopened = try await AuditLog(
            store: store, node: "gov.x", signer: try PrivateKey.generate(.ed25519), checkpointEvery: 10)
        for index in 25..<30 { _ = try await reopened.append(Array("entry-\(index)".utf8)) }
        #expect(try await store.auditCheckpoints().map(\.size) == [10, 20, 30])
    }

    @Test(
        "checkpointPeriodically covers new entries within its interval, signs nothing when idle, and stops when cancelled"
    )
    func periodicCheckpoints() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        let log = try await AuditLog(store: store, node: "gov.x", signer: try PrivateKey.generate(.ed25519))
        let ticker = Task { await log.checkpointPeriodically(every: .milliseconds(20)) }
        /// Waits (up to 10 s, never asserting a duration) until the stored checkpoints cover `size`.
        func covered(_ size: Int) async throws -> Bool {
            for _ in 0..<500 {
                if try await store.auditCheckpoints().last?.size == size { return true }
                try await Task.sleep(for: .milliseconds(20))
            }
            return false
        }
        for index in 0..<3 { _ = try await log.append(Array("entry-\(index)".utf8)) }
        #expect(try await covered(3))
        for index in 3..<5 { _ = try await log.append(Array("entry-\(index)".utf8)) }
        #expect(try await covered(5))
        // Idle: several ticks pass without a new entry, and no checkpoint is added. (Which sizes were signed
        // before depends on how the ticks fell between appends.)
        let before = try await store.auditCheckpoints().map(\.size)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await store.auditCheckpoints().map(\.size) == before)
        ticker.cancel()
        await ticker.value
        _ = try await log.append(Array("after".utf8))
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await store.auditCheckpoints().last?.size == 5, "a cancelled ticker signs nothing more")
    }

    @Test("an oversized entry is refused")
    func oversized() async throws {
        let dir = try TemporaryDirectory()
        let log = try await AuditLog(
            store: try SQLiteStore(path: dir.path("node.sqlite")), node: "gov.x",
            signer: try PrivateKey.generate(.ed25519))
        await #expect(throws: StoreError.self) {
            _ = try await log.append([UInt8](repeating: 0x20, count: AuditLog.maxEntryBytes + 1))
        }
        #expect(await log.size == 0)
    }
}

@Suite("Audit events")
struct AuditEventTests {
    typealias F = FederationFixture

    @Test("a decision event carries what is needed to make the decision again")
    func decisionReplays() async throws {
        let request = PolicyTests.consentRequest()
        let decision = F.snapshot().decide(request)
        var event = AuditEvent(kind: .decision, at: request.at, node: F.resources)
        event.requestHash = AuditEvent.hash(Array("the request envelope".utf8))
        event.request = request
        event.decision = decision
        #expect(event.validationIssues().isEmpty)
        let read = try DocumentReader.read(AuditEvent.self, from: event.entry)
        #expect(read == event)
        #expect(F.snapshot().decide(read.request!) == read.decision)
        #expect(!String(decoding: event.entry, as: UTF8.self).contains("\n"), "one entry is one line of entries.jsonl")
        let dir = try TemporaryDirectory()
        let log = try await AuditLog(
            store: try SQLiteStore(path: dir.path("n.sqlite")), node: F.resources,
            signer: try PrivateKey.generate(.ed25519))
        #expect(try await log.append(event) == 0)
    }

    @Test("each kind names the members it is missing", arguments: AuditEvent.Kind.allCases)
    func requiredMembers(kind: AuditEvent.Kind) async throws {
        let event = AuditEvent(kind: kind, at: .now, node: F.security)
        let issues = event.validationIssues()
        #expect(issues.contains { $0.rule == "audit.member-required" }, "\(kind): \(issues)")
        let dir = try TemporaryDirectory()
        let log = try await AuditLog(
            store: try SQLiteStore(path: dir.path("n.sqlite")), node: F.security,
            signer: try PrivateKey.generate(.ed25519))
        await #expect(throws: DocumentError.self) { _ = try await log.append(event) }
    }

    @Test("hashes must be sha256: and hex")
    func hashForm() {
        var event = AuditEvent(kind: .use, at: .now, node: F.civil)
        event.purpose = "social-assistance.eligibility"
        event.requestHash = "md5:abc"
        #expect(event.validationIssues().map(\.rule) == ["audit.bad-hash"])
        event.requestHash = AuditEvent.hash([1, 2, 3])
        #expect(event.validationIssues().isEmpty)
    }
}

@Suite("Audit event examples")
struct AuditEventExampleTests {
    static let names: [String] = {
        let folder = repositoryRoot.appendingPathComponent("Schemas/examples/audit-event").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }
            .sorted()
    }()

    @Test("every example event reads, validates and is canonical JSON", arguments: names)
    func example(name: String) throws {
        let url = repositoryRoot.appendingPathComponent("Schemas/examples/audit-event/\(name)")
        var bytes = Array(try Data(contentsOf: url))
        if bytes.last == 0x0A { bytes.removeLast() }
        let event = try DocumentReader.read(AuditEvent.self, from: bytes, source: name)
        #expect(event.entry == bytes, "\(name) is stored as its canonical entry bytes")
    }

    @Test("there is an example of every kind")
    func everyKind() {
        #expect(Self.names.count >= AuditEvent.Kind.allCases.count)
    }
}

import Foundation
import SeamlessCrypto
import SeamlessFixtures
import SeamlessTestSupport
import Testing

@testable import Seamless

@Suite("Cross-checking two departments' bundles")
struct CrossCheckTests {
    typealias F = FederationFixture

    static func event(_ kind: AuditEvent.Kind, node: String, peer: String, request: String) -> AuditEvent {
        var event = AuditEvent(kind: kind, at: F.t("2026-12-01T10:00:00Z"), node: node)
        event.peer = peer
        event.requestHash = AuditEvent.hash(Array(request.utf8))
        event.resource = F.household.id
        event.fields = ["householdId"]
        event.recordCount = 1
        event.responseHash = AuditEvent.hash(Array("response \(request)".utf8))
        if kind == .receipt {
            event.purpose = "marriage-registration"
            event.dataLifeDays = 30
            event.expiresAt = F.t("2026-12-31T10:00:00Z")
        }
        return event
    }

    static func bundle(_ dir: TemporaryDirectory, node: String, events: [AuditEvent]) async throws -> String {
        let store = try SQLiteStore(path: dir.path("\(node).sqlite"))
        let key = try PrivateKey.generate(.ed25519)
        let log = try await AuditLog(store: store, node: node, signer: key)
        for event in events { _ = try await log.append(event) }
        _ = try await log.checkpoint()
        let path = dir.path("\(node)-bundle")
        try await AuditBundle.export(store: store, node: node, publicKey: key.publicKey, to: path)
        return path
    }

    @Test("matched exchanges pass; a disclosure without receipt and a receipt without disclosure are reported")
    func unmatched() async throws {
        let dir = try TemporaryDirectory()
        let provider = try await Self.bundle(
            dir, node: F.security,
            events: [
                Self.event(.disclosure, node: F.security, peer: F.civil, request: "r1"),
                Self.event(.disclosure, node: F.security, peer: F.civil, request: "r2"),
            ])
        let consumer = try await Self.bundle(
            dir, node: F.civil,
            events: [
                Self.event(.receipt, node: F.civil, peer: F.security, request: "r1"),
                Self.event(.receipt, node: F.civil, peer: F.security, request: "r3"),
            ])
        let result = try CrossCheck.run(provider, consumer)
        #expect(result.nodes == [F.security, F.civil])
        #expect(result.unmatched.map(\.rule).sorted() == ["disclosure-without-receipt", "receipt-without-disclosure"])
        #expect(result.unmatched.first { $0.rule == "disclosure-without-receipt" }?.sequence == 1)
        #expect(result.unmatched.first { $0.rule == "receipt-without-disclosure" }?.node == F.civil)
    }
}

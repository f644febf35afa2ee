import Foundation
import SeamlessTestSupport
import Testing

@testable import Seamless

/// The wire examples of Docs/PROTOCOL.md (`Schemas/examples/<message>/`) are what the Swift types read and
/// write: each decodes, and encodes back to the same canonical JSON, so an implementation that follows the
/// examples and the schemas speaks to a Swift node.
@Suite("Wire examples")
struct WireExamplesTests {
    static let examples = repositoryRoot.appendingPathComponent("Schemas/examples")

    /// Every examples folder of a wire message.
    static let folders = [
        "exchange-request", "exchange-response", "agreement-application", "agreement-status-query", "agreement-reply",
        "catalog-query", "catalog-reply", "checkpoint-query", "checkpoint-reply", "cosign-request", "cosign-receipt",
        "consent-withdrawal-notice", "purge-receipt", "federation",
    ]

    static func files(_ folder: String) -> [URL] {
        let url = examples.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { url.appendingPathComponent($0) }
    }

    /// Decodes `url` as `T`, and checks that encoding it again gives the example's canonical JSON and that
    /// the example is stored canonical (followed by one newline), as a node sends it.
    static func roundTrip<T: Codable>(_ type: T.Type, _ url: URL) throws -> T {
        let bytes = Array(try Data(contentsOf: url))
        let value = try JSONDecoder().decode(T.self, from: Data(bytes))
        // Compared as text, so that a difference shows as JSON.
        let expected = String(decoding: CanonicalJSON.serialize(try JSONParser().parse(bytes)), as: UTF8.self)
        let encoded = String(
            decoding: CanonicalJSON.serialize(try JSONParser().parse(try CanonicalJSON.encode(value))), as: UTF8.self)
        #expect(encoded == expected, "\(url.lastPathComponent): what \(T.self) writes differs from the example")
        #expect(
            bytes == Array((expected + "\n").utf8), "\(url.lastPathComponent) is not canonical JSON and one newline")
        return value
    }

    @Test("every wire message has examples", arguments: folders)
    func present(folder: String) {
        #expect(!Self.files(folder).isEmpty, "Schemas/examples/\(folder) has no example")
    }

    @Test("each example decodes and encodes back to its canonical bytes", arguments: folders)
    func roundTrips(folder: String) throws {
        for url in Self.files(folder) {
            switch folder {
            case "exchange-request":
                let request = try Self.roundTrip(ExchangeRequest.self, url)
                #expect(request.problems().isEmpty, "\(url.lastPathComponent): \(request.problems())")
            case "exchange-response":
                let response = try Self.roundTrip(ExchangeResponse.self, url)
                #expect((response.decision == nil) != (response.refusal == nil), "\(url.lastPathComponent)")
                #expect(response.requestHash != nil)
            case "agreement-application": _ = try Self.roundTrip(AgreementApplication.self, url)
            case "agreement-status-query": _ = try Self.roundTrip(AgreementStatusQuery.self, url)
            case "agreement-reply":
                let reply = try Self.roundTrip(AgreementReply.self, url)
                #expect(reply.agreement.validationIssues().isEmpty, "\(reply.agreement.validationIssues())")
                #expect((reply.deadline != nil) == (reply.agreement.state == .applied))
            case "catalog-query": _ = try Self.roundTrip(CatalogQuery.self, url)
            case "catalog-reply":
                let reply = try Self.roundTrip(CatalogReply.self, url)
                for entry in reply.entries { #expect(entry.validationIssues().isEmpty, "\(entry.id)") }
                if reply.full { #expect(Catalog(entries: reply.entries).revision == reply.revision) }
            case "checkpoint-query": _ = try Self.roundTrip(CheckpointQuery.self, url)
            case "checkpoint-reply":
                let reply = try Self.roundTrip(CheckpointReply.self, url)
                let note = try SignedNote.parse(reply.note)
                #expect(try Checkpoint(body: note.text).origin.hasSuffix("/audit"))
            case "cosign-request":
                let request = try Self.roundTrip(CosignRequest.self, url)
                #expect(try SignedNote.parse(request.note).signatures.count >= 2)
            case "cosign-receipt": _ = try Self.roundTrip(CosignReceipt.self, url)
            case "consent-withdrawal-notice": _ = try Self.roundTrip(ConsentWithdrawalNotice.self, url)
            case "purge-receipt": _ = try Self.roundTrip(PurgeReceipt.self, url)
            case "federation":
                let federation = try Self.roundTrip(Federation.self, url)
                #expect(federation.problems().isEmpty, "\(url.lastPathComponent): \(federation.problems())")
                _ = try federation.trustStore()
            default:
                Issue.record("no Swift type for \(folder)")
            }
        }
    }

    @Test("a request may leave out empty consents and subjects and a false strict, and its legal basis")
    func requiredMembers() throws {
        let url = Self.examples.appendingPathComponent("exchange-request/consent-all.json")
        guard case .object(var members) = try JSONParser().parse(Array(try Data(contentsOf: url))) else {
            Issue.record("the example is not an object")
            return
        }
        for name in ["consentIDs", "subjects", "strict"] {
            var trimmed = members
            trimmed[name] = nil
            let request = try JSONDecoder().decode(
                ExchangeRequest.self, from: Data(CanonicalJSON.serialize(.object(trimmed))))
            #expect(request.strict == false && (name != "consentIDs" || request.consentIDs.isEmpty))
        }
        members["legalBasis"] = nil
        let request = try JSONDecoder().decode(
            ExchangeRequest.self, from: Data(CanonicalJSON.serialize(.object(members))))
        #expect(request.legalBasis == nil)
    }
}

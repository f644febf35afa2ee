import Foundation
import Seamless
import SeamlessTestSupport
import Testing

@Suite("exchange-node audit and exchange-audit verify, prove, check-proof")
struct AuditCLITests {
    @Test("a node's commands are logged; the exported bundle verifies; proofs check; tampering is found")
    func auditFlow() throws {
        let dir = try TemporaryDirectory()
        let path = try NodeCLITests.publicSecurityNode(dir)
        #expect(try node(["audit", "checkpoint", "--node", path]).stdoutText.hasPrefix("gov.public-security/audit\n"))
        #expect(
            try node(["consent", "grant", "--node", path, NodeCLITests.example("consent/consent-2026-000117.json")])
                .status == 0)
        let bundle = dir.path("bundle")
        let exported = try node(["audit", "export", "--node", path, "--out", bundle])
        #expect(exported.status == 0, "\(exported.stderr)")
        let verified = try audit(["verify", bundle, "--format", "json"])
        #expect(verified.status == 0, "\(verified.stdoutText)")
        let report = try JSONParser().parse(verified.stdout)
        let kinds = try String(contentsOfFile: bundle + "/entries.jsonl", encoding: .utf8)
        for kind in ["key-rotation", "catalog-revision", "consent-status"] {
            #expect(kinds.contains("\"kind\":\"\(kind)\""), "the log records \(kind)")
        }
        let size = Int(report["entries"]!.integerValue!)
        let proofPath = dir.path("proof.json")
        let proof = try audit(["prove", "inclusion", "--bundle", bundle, "--seq", "1"])
        #expect(proof.status == 0, "\(proof.stderr)")
        try Data(proof.stdout).write(to: URL(fileURLWithPath: proofPath))
        let checked = try audit([
            "check-proof", "--proof", proofPath, "--checkpoint", bundle + "/checkpoints/\(size).note", "--trust",
            bundle + "/trust.json",
        ])
        #expect(checked.status == 0, "\(checked.stderr)")

        var lines = kinds.split(separator: "\n").map(String.init)
        lines[1] = lines[1].replacingOccurrences(of: "catalog-revision", with: "catalog-revisiom")
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: bundle + "/entries.jsonl", atomically: true, encoding: .utf8)
        let tampered = try audit(["verify", bundle])
        #expect(tampered.status == 1)
        #expect(tampered.stdoutText.contains("chain-broken (entries.jsonl, entry 1)"))
        let refusedProof = try audit(["prove", "inclusion", "--bundle", bundle, "--seq", "1"])
        #expect(refusedProof.status == 1)
        #expect(try audit(["verify", dir.path("missing")]).status == 3)
        let again = try node(["audit", "export", "--node", path, "--out", bundle])
        #expect(again.status == 1, "export never overwrites a bundle")
    }

    @Test("the shipped example bundles: verify passes, replay and cross-check report the planted findings")
    func exampleBundles() throws {
        let provider = repositoryRoot.appendingPathComponent("Docs/example-bundles/human-resources").path
        let consumer = repositoryRoot.appendingPathComponent("Docs/example-bundles/civil-affairs").path
        #expect(try audit(["verify", provider]).status == 0)
        let replayed = try audit(["replay", provider])
        #expect(replayed.status == 1)
        #expect(replayed.stdoutText.hasPrefix("FINDINGS: 5"))
        #expect(replayed.stdoutText.contains("access-after-withdrawal (entry 4)"))
        let json = try audit(["replay", consumer, "--format", "json"])
        #expect(try JSONParser().parse(json.stdout)["findings"]?.arrayValue?.count == 2)
        let crossed = try audit(["cross-check", provider, consumer])
        #expect(crossed.status == 1)
        #expect(crossed.stdoutText.hasPrefix("UNMATCHED: 4"))
        #expect(crossed.stdoutText.contains("exchange-differs"))
    }
}
